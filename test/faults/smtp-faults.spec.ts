import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seedCampaign } from '../support/campaign.js';
import { type SmtpSink, type SmtpVerdict } from '../support/smtp-sink.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * A misbehaving SMTP server: slow answers, connections cut in the middle of DATA, 421/451/452 (try later),
 * 550 5.1.1 (no such mailbox) and 552 (mailbox full), and whole passes during which it greets every
 * connection with 421 (flapping). Two steps for every contact, driven by the test clock until nothing is
 * left to do. Then every step must be `sent` exactly once (and have arrived), or `failed` with the reply
 * (and never have arrived), or skipped because the contact bounced — checked against what the server holds.
 */
const CONTACTS = Number(process.env.FAULT_SMTP_CONTACTS ?? 300);

/** Deterministic, so a failure can be replayed: mulberry32. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULTS: Array<[number, SmtpVerdict]> = [
  [0.07, { code: 451, message: '4.3.0 Temporary local problem, try later' }],
  [0.05, { code: 452, message: '4.3.1 Insufficient system storage' }],
  [0.05, { code: 421, message: '4.7.0 Too many connections, closing channel' }],
  [0.08, { drop: true }],
  [0.05, { delayMs: 400 }],
  [0.02, { code: 550, message: '5.1.1 No such user here' }],
  [0.02, { code: 552, message: '5.2.2 Mailbox full' }],
];

describe(`a faulty SMTP server (${CONTACTS} contacts × 2 steps)`, () => {
  let t: DeliveryTestApp;
  let sink: SmtpSink;
  const post = (pathname: string, body: unknown) => t.post(pathname, body);

  beforeAll(async () => {
    t = await startDeliveryTestApp({
      SMTP_RETRY_BASE_MS: '5000',
      SMTP_MAX_ATTEMPTS: '10',
      SMTP_MAX_CONNECTIONS: '3',
    });
    sink = t.sink;
    await seedCampaign(post, {
      key: 'faulty',
      domain: 'faulty.example',
      prefix: 'f',
      contacts: CONTACTS,
      steps: [
        { key: 'first', dayOffset: 0 },
        { key: 'second', dayOffset: 1 },
      ],
      startAt: '2026-11-24T10:00:00Z',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it(
    'sends each step once or fails it with the reply; nothing duplicated, nothing lost',
    async () => {
      const random = seeded(20261124);
      sink.respondWith(() => {
        let roll = random();
        for (const [probability, verdict] of FAULTS) {
          if (roll < probability) return verdict;
          roll -= probability;
        }
        return undefined;
      });

      let now = new Date('2026-11-24T10:01:00Z');
      let passes = 0;
      let flaps = 0;
      for (;;) {
        const active = await t.pool.query<{ next: Date | null; n: number }>(
          `SELECT min(next_due_at) AS next, count(*)::int AS n FROM enrollments WHERE status = 'active'`,
        );
        if (active.rows[0].n === 0) break;
        if (++passes > 400) throw new Error('the engine never settled');
        const next = active.rows[0].next!;
        if (next > now) now = new Date(next.getTime() + 1000);
        const flapping = passes % 5 === 0;
        if (flapping) {
          flaps++;
          sink.refuseConnections();
        }
        const result = await post('/v1/scheduler/run', { now: now.toISOString() }).expect(200);
        if (flapping) sink.recover();
        expect(result.body.unknown).toBe(0);
        now = new Date(now.getTime() + 30_000);
      }

      const rows = (
        await t.pool.query<{ email: string; step: string; status: string; reason: string | null; message_id: string }>(
          `SELECT c.email, st.key AS step, d.status, d.reason, d.message_id
         FROM deliveries d JOIN contacts c ON c.id = d.contact_id JOIN sequence_steps st ON st.id = d.step_id`,
        )
      ).rows;
      const arrived = new Map<string, number>();
      for (const message of sink.messages) {
        const key = `${message.envelopeTo[0]} ${message.parsed.subject}`;
        arrived.set(key, (arrived.get(key) ?? 0) + 1);
      }
      const duplicates = [...arrived.values()].filter((count) => count > 1).length;
      const statuses: Record<string, number> = {};
      const wrong: string[] = [];
      for (const row of rows) {
        const tag = `${row.status}${row.status === 'skipped' ? `:${row.reason}` : ''}`;
        statuses[tag] = (statuses[tag] ?? 0) + 1;
        const received = arrived.get(`${row.email} Step ${row.step}`) ?? 0;
        if (row.status === 'sent' && received !== 1)
          wrong.push(`${row.email} ${row.step} sent but received ${received}`);
        if (row.status === 'failed' && (received !== 0 || !/^5\d\d/.test(row.reason ?? '')))
          wrong.push(`${row.email} ${row.step} failed (${row.reason}) but received ${received}`);
        if (!['sent', 'failed', 'skipped'].includes(row.status))
          wrong.push(`${row.email} ${row.step} left ${row.status}`);
        if (row.status === 'skipped' && row.reason !== 'bounced')
          wrong.push(`${row.email} ${row.step} skipped ${row.reason}`);
      }
      // Every contact has its first step logged, and its second unless the first bounced it (5.1.1).
      const bouncedAtFirst = rows.filter(
        (row) => row.step === 'first' && row.status === 'failed' && /\b5\.1\.\d/.test(row.reason ?? ''),
      ).length;
      const firstSteps = rows.filter((row) => row.step === 'first').length;
      const secondSteps = rows.filter((row) => row.step === 'second').length;

      const figures = {
        contacts: CONTACTS,
        steps: CONTACTS * 2,
        passes,
        flappingPasses: flaps,
        faultsInjected: Object.fromEntries(sink.faults),
        messagesReceived: sink.messages.length,
        duplicates,
        losses: CONTACTS - firstSteps + (CONTACTS - bouncedAtFirst - secondSteps),
        statuses,
      };
      if (process.env.FAULT_REPORT_DIR) {
        await writeFile(
          path.join(process.env.FAULT_REPORT_DIR, `smtp-faults-${t.database.kind}.json`),
          JSON.stringify(figures, null, 2),
        );
      }
      expect(wrong).toEqual([]);
      expect(duplicates).toBe(0);
      expect(firstSteps).toBe(CONTACTS);
      expect(secondSteps).toBe(CONTACTS - bouncedAtFirst);
      expect(figures.losses).toBe(0);
      // The faults really happened, each kind of them.
      for (const kind of ['451', '452', '421', 'drop', 'delay', '550', '552', '421-at-connect'])
        expect(sink.faults.get(kind) ?? 0).toBeGreaterThan(0);
    },
    10 * 60_000,
  );
});
