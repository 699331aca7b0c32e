import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seedCampaign } from '../support/campaign.js';
import { type SmtpSink } from '../support/smtp-sink.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';
import { realServer } from '../support/test-engine.js';

/**
 * The database drops the service's connections (pg_terminate_backend: a failover, an admin, an OOM kill)
 * in the middle of passes. The pass in flight fails, the pool reconnects, later passes finish the work:
 * no step twice, none lost; sends whose outcome could not be written end `unknown`. Not on PGlite: it lives in
 * the process, so its connections cannot be cut from outside.
 */
const onServer = realServer ? describe : describe.skip;
/**
 * 1000 due steps: ten batches of 100, each a window for a cut to land in (the cuts go on until all are done).
 * A longer run: FAULT_TERMINATE_CONTACTS (its figures land in FAULT_REPORT_DIR).
 */
const CONTACTS = Number(process.env.FAULT_TERMINATE_CONTACTS ?? 1000);

onServer('database connections terminated mid-pass', () => {
  let t: DeliveryTestApp;
  let sink: SmtpSink;
  const post = (pathname: string, body: unknown) => t.post(pathname, body);

  beforeAll(async () => {
    t = await startDeliveryTestApp({
      SCHEDULER_BATCH_SIZE: '100',
      SCHEDULER_LEASE_MS: '60000',
    });
    sink = t.sink;
    await seedCampaign(post, {
      key: 'cut',
      domain: 'cut.example',
      prefix: 'd',
      contacts: CONTACTS,
      steps: [{ key: 'only', dayOffset: 0 }],
      startAt: '2026-11-24T10:00:00Z',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it(
    'survives its connections being cut, and sends each step at most once',
    async () => {
      const terminate = () =>
        t.pool.query<{ n: number }>(
          // This file's sessions only: on a shared server its schema names them, on the native test server its database.
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
            WHERE application_name = $1 AND datname = current_database()`,
          [t.database.schema ? `touchpoint/${t.database.schema}` : 'touchpoint'],
        );
      let cuts = 0;
      let terminated = 0;
      let failedPasses = 0;
      let cutting = true;
      // Cut the service's sessions every 100-400 ms for as long as the passes run.
      const cutter = (async () => {
        while (cutting) {
          await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));
          if (!cutting) break;
          terminated += (await terminate()).rows[0].n;
          cuts++;
        }
      })();
      let now = new Date('2026-11-24T10:05:00Z');
      try {
        // A generous ceiling: on a busy machine more passes are cut before they finish, and each only costs a round.
        for (let round = 0; round < 1000; round++) {
          const left = await t.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM enrollments WHERE status = 'active'`,
          );
          if (left.rows[0].n === 0) break;
          const status = (await post('/v1/scheduler/run', { now: now.toISOString() })).status;
          expect([200, 503]).toContain(status);
          if (status !== 200) failedPasses++;
          // Past the lease: gates a cut pass could not complete are expired to `unknown`.
          now = new Date(now.getTime() + 61_000);
        }
      } finally {
        cutting = false;
        await cutter;
      }

      const rows = (
        await t.pool.query<{ email: string; status: string; reason: string | null }>(
          `SELECT c.email, d.status, d.reason FROM deliveries d JOIN contacts c ON c.id = d.contact_id`,
        )
      ).rows;
      const received = new Map<string, number>();
      for (const message of sink.messages)
        received.set(message.envelopeTo[0], (received.get(message.envelopeTo[0]) ?? 0) + 1);
      const duplicates = [...received.values()].filter((count) => count > 1).length;
      const statuses: Record<string, number> = {};
      for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
      const sentMissing = rows.filter((row) => row.status === 'sent' && received.get(row.email) !== 1).length;
      const figures = {
        contacts: CONTACTS,
        cuts,
        backendsTerminated: terminated,
        passesFailed: failedPasses,
        messagesReceived: sink.messages.length,
        duplicates,
        losses: CONTACTS - rows.length + sentMissing,
        statuses,
        reasons: [...new Set(rows.filter((row) => row.status !== 'sent').map((row) => row.reason))].slice(0, 5),
      };
      if (process.env.FAULT_REPORT_DIR) {
        await writeFile(
          path.join(process.env.FAULT_REPORT_DIR, 'db-terminate-server.json'),
          JSON.stringify(figures, null, 2),
        );
      }
      expect(terminated).toBeGreaterThan(0);
      expect(duplicates).toBe(0);
      expect(rows).toHaveLength(CONTACTS);
      expect(sentMissing).toBe(0);
      expect(Object.keys(statuses).filter((status) => status !== 'sent' && status !== 'unknown')).toEqual([]);
      expect((await t.http().get('/health')).status).toBe(200);
    },
    15 * 60_000,
  );
});
