import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { NativePostgres } from '../../src/database/native/native-postgres.js';
import { seedCampaign } from '../support/campaign.js';
import { prepareServerSurroundings, ServerProcess, type ServerSurroundings } from '../support/server-process.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { openPool, type TestDatabase } from '../support/test-database.js';
import { embeddedEngine, testEngine } from '../support/test-engine.js';

/**
 * The built server, SIGKILLed at random points of its passes over and over, then left to finish. No step
 * may reach the SMTP server twice, and every step must end `sent` or `unknown` (the send was interrupted
 * after its gate row; not resent) — checked against what the SMTP server received.
 *
 * `npm test` runs a short loop; `npm run test:faults` the long one (FAULT_KILLS=50, FAULT_CONTACTS=20000).
 * Against DATABASE_URL the processes share the server (a schema of this file's own); without it each
 * process opens the embedded database in one DATA_DIR, as `npm start` does — so this also proves the
 * embedded database survives being killed mid-write.
 */
const KILLS = Number(process.env.FAULT_KILLS ?? 6);
const CONTACTS = Number(process.env.FAULT_CONTACTS ?? 1500);
const onServer = Boolean(process.env.DATABASE_URL);
const engine = testEngine();

interface DeliveryRow {
  email: string;
  status: string;
  reason: string | null;
  message_id: string | null;
}

describe(`SIGKILL in the middle of passes (${KILLS} kills, ${CONTACTS} due steps, ${engine})`, () => {
  let surroundings: ServerSurroundings;
  let sink: SmtpSink;
  let database: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    surroundings = await prepareServerSurroundings({ dataDirPrefix: 'touchpoint-kill-', withDatabase: onServer });
    ({ sink, database, dataDir } = surroundings);
    env = {
      ...surroundings.env,
      SCHEDULER_INTERVAL_MS: '100',
      // Short, so the enrollments a killed process held are taken up again within the test.
      SCHEDULER_LEASE_MS: '1500',
      SCHEDULER_BATCH_SIZE: '200',
      SMTP_MAX_CONNECTIONS: '4',
    };
  });
  afterAll(() => surroundings?.close(server));

  it(
    'sends every step at most once and accounts for every one',
    async () => {
      const boot = async () => (server = await ServerProcess.start(env));
      let proc = await boot();
      await seedCampaign((pathname, body) => proc.request('POST', pathname, body), {
        key: 'crash',
        domain: 'crash.example',
        prefix: 'c',
        contacts: CONTACTS,
        steps: [{ key: 'only', dayOffset: 0 }],
        startAt: new Date(Date.now() - 60_000).toISOString(),
      });

      // Kill at a random moment of the sending, restart, again. The first process is killed too. A new
      // process cannot send until the leases its killed predecessor held expire, so a kill on a timer alone
      // can land before it sends anything (on a slow machine every kill did, and the loop proved nothing):
      // each kill waits for this process's own sending to start, then for a random moment of it.
      const killedAt: number[] = [];
      for (let kill = 0; kill < KILLS; kill++) {
        if (!(await sendingStarted(proc, sink))) break;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 600));
        killedAt.push(sink.messages.length);
        await proc.kill();
        proc = await boot();
      }

      // The last process finishes: interrupted gates expire after the lease, the rest is sent.
      const deadline = Date.now() + 10 * 60_000;
      while ((await backlog(proc)) > 0) {
        if (Date.now() > deadline) throw new Error(`backlog never drained:\n${proc.log}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await proc.stop()).toEqual({ code: null, signal: 'SIGTERM' });

      const rows = await readDeliveries();
      const received = new Map<string, number>();
      for (const message of sink.messages) {
        const to = message.envelopeTo[0];
        received.set(to, (received.get(to) ?? 0) + 1);
      }
      const duplicates = [...received.values()].filter((count) => count > 1).length;
      const statuses = countBy(rows.map((row) => row.status));
      const sentButMissing = rows.filter((row) => row.status === 'sent' && received.get(row.email) !== 1);
      const unknownArrived = rows.filter((row) => row.status === 'unknown' && received.has(row.email)).length;
      const unlogged = [...received.keys()].filter((email) => !rows.some((row) => row.email === email));

      const figures = {
        database: onServer ? 'server' : 'embedded',
        engine,
        kills: KILLS,
        dueSteps: CONTACTS,
        messagesReceived: sink.messages.length,
        duplicates,
        losses: CONTACTS - rows.length + sentButMissing.length,
        statuses,
        unknownThatHadArrived: unknownArrived,
        messagesAtEachKill: killedAt,
      };
      if (process.env.FAULT_REPORT_DIR) {
        await writeFile(
          path.join(process.env.FAULT_REPORT_DIR, `kill-loop-${figures.database}.json`),
          JSON.stringify(figures, null, 2),
        );
      }

      expect(duplicates).toBe(0);
      expect(rows).toHaveLength(CONTACTS);
      expect(Object.keys(statuses).filter((status) => status !== 'sent' && status !== 'unknown')).toEqual([]);
      expect(sentButMissing).toEqual([]);
      expect(unlogged).toEqual([]);
      for (const row of rows.filter((r) => r.status === 'unknown')) {
        expect(row.reason).toMatch(/outcome unknown/);
      }
      // The kills did interrupt sending (otherwise this proved nothing).
      expect(new Set(killedAt).size).toBeGreaterThan(1);
    },
    20 * 60_000,
  );

  async function readDeliveries(): Promise<DeliveryRow[]> {
    const sql = `SELECT c.email, d.status, d.reason, d.message_id FROM deliveries d JOIN contacts c ON c.id = d.contact_id`;
    if (database) {
      const pool = openPool(database);
      try {
        return (await pool.query<DeliveryRow>(sql)).rows;
      } finally {
        await pool.end();
      }
    }
    // The process is gone; open its embedded database the way the next start would.
    const embedded =
      embeddedEngine() === 'native'
        ? await NativePostgres.start({ dataDir })
        : await EmbeddedPostgres.start({ dataDir, maxConnections: 2 });
    const client = new pg.Client({
      connectionString: embedded instanceof NativePostgres ? embedded.url() : embedded.url,
    });
    try {
      await client.connect();
      return (await client.query<DeliveryRow>(sql)).rows;
    } finally {
      await client.end();
      await embedded.stop();
    }
  }
});

/** Waits until the sink receives a message from now on; false when the backlog drained first. */
async function sendingStarted(server: ServerProcess, sink: SmtpSink): Promise<boolean> {
  const before = sink.messages.length;
  // A ceiling, not a measure: the restarted process first waits out its predecessor's leases, slower when busy.
  const deadline = Date.now() + 180_000;
  while (sink.messages.length <= before) {
    if ((await backlog(server)) === 0) return false;
    if (Date.now() > deadline) throw new Error(`the server sent nothing for 180 s:\n${server.log}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function backlog(server: ServerProcess): Promise<number> {
  const response = await fetch(`${server.url}/metrics`);
  const match = /^touchpoint_scheduler_due_backlog (\d+)/m.exec(await response.text());
  if (!match) throw new Error('no due backlog in /metrics');
  return Number(match[1]);
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
