import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { seedCampaign } from '../support/campaign.js';
import { pass } from '../support/pass.js';
import { SmtpSink, type SmtpVerdict } from '../support/smtp-sink.js';
import { startDeliveryTestApp, startTestApp, type DeliveryTestApp, type TestApp } from '../support/test-app.js';

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
  });
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
        const result = await pass(t, now);
        if (flapping) sink.recover();
        expect(result.unknown).toBe(0);
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

/**
 * A TCP server on a port of its own that accepts connections and never says a word (as a hung SMTP server or
 * a black-holing firewall does), until `answer()`: from then on every new connection is relayed to a real
 * SMTP server, so the same address starts answering.
 */
class SilentSmtpFront {
  private relayTo: number | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  static async start(): Promise<SilentSmtpFront> {
    const holder: { front?: SilentSmtpFront } = {};
    const server = net.createServer((socket) => holder.front!.accept(socket));
    const front = new SilentSmtpFront(server);
    holder.front = front;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return front;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  answer(sinkPort: number): void {
    this.relayTo = sinkPort;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    if (this.relayTo === undefined) return; // Accepted, then silence.
    const upstream = net.connect(this.relayTo, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  }
}

const BREAKER_CONTACTS = 60;

describe.each([['true'], ['false']])(
  'an SMTP server that accepts and never answers (SMTP_WORKER_THREAD=%s)',
  (thread) => {
    let front: SilentSmtpFront;
    let sink: SmtpSink;
    let t: TestApp;

    beforeAll(async () => {
      front = await SilentSmtpFront.start();
      sink = await SmtpSink.start();
      t = await startTestApp({
        SMTP_URL: front.url,
        SCHEDULER_TEST_CLOCK: 'true',
        SMTP_WORKER_THREAD: thread,
        SMTP_MAX_CONNECTIONS: '3',
        SMTP_CONNECTION_TIMEOUT_MS: '500',
        SMTP_GREETING_TIMEOUT_MS: '500',
        SMTP_SOCKET_TIMEOUT_MS: '2000',
        SMTP_BREAKER_THRESHOLD: '3',
        SMTP_BREAKER_COOLDOWN_MS: '300',
        SMTP_RETRY_BASE_MS: '1000',
        SMTP_MAX_ATTEMPTS: '50',
      });
      await seedCampaign(t.post, {
        key: 'silent',
        domain: 'silent.example',
        prefix: 's',
        contacts: BREAKER_CONTACTS,
        steps: [{ key: 'first', dayOffset: 0 }],
        startAt: '2026-11-24T10:00:00Z',
      });
    });
    afterAll(async () => {
      await t?.close();
      await front?.close();
      await sink?.close();
    });

    const statuses = async () =>
      (
        await t.pool.query<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM deliveries GROUP BY 1`,
        )
      ).rows;
    const metric = async (name: string) => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };

    it('fails the sends fast and as transient once it has timed out a few times, says so, and sends when it answers again', async () => {
      // Without a breaker every send waits for its own timeouts (10 s each before the timeouts were configurable,
      // 60 sends over 3 connections: minutes). A ceiling far above what the breaker needs, far below that.
      const ceiling = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error('the pass was still waiting on the silent server after 60 s')),
          60_000,
        ).unref(),
      );
      const first = await Promise.race([t.post('/v1/scheduler/run', { now: '2026-11-24T10:01:00Z' }), ceiling]);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        claimed: BREAKER_CONTACTS,
        retrying: BREAKER_CONTACTS,
        failed: 0,
        unknown: 0,
      });
      expect(await statuses()).toEqual([{ status: 'retrying', n: BREAKER_CONTACTS }]);
      const reasons = await t.pool.query<{ reason: string; n: number }>(
        `SELECT reason, count(*)::int AS n FROM deliveries GROUP BY 1 ORDER BY 2 DESC`,
      );
      expect(reasons.rows[0].reason).toMatch(/did not answer 3 times in a row/);

      await t.http().get('/health').expect(200, { status: 'degraded', db: 'up', smtp: 'down' });
      expect(await metric('touchpoint_smtp_breaker_open')).toBe(1);
      expect(await metric('touchpoint_smtp_breaker_opened_total')).toBe(1);
      expect(await metric('touchpoint_smtp_breaker_rejected_total')).toBeGreaterThan(0);

      // The same address now answers. Passes run until every step is sent; the first ones after the swap may
      // still fall inside the cool-down (real time) and fail fast again, which only costs an attempt.
      front.answer(sink.port);
      let now = new Date('2026-11-24T10:02:00Z');
      for (let passes = 0; ; passes++) {
        const active = await t.pool.query<{ next: Date | null; n: number }>(
          `SELECT min(next_due_at) AS next, count(*)::int AS n FROM enrollments WHERE status = 'active'`,
        );
        if (active.rows[0].n === 0) break;
        if (passes > 100) throw new Error(`still ${active.rows[0].n} active after 100 passes`);
        const next = active.rows[0].next!;
        if (next > now) now = new Date(next.getTime() + 1000);
        await pass(t, now);
        // The cool-down runs on the real clock; give it its time rather than spend attempts.
        await new Promise((resolve) => setTimeout(resolve, 300));
        now = new Date(now.getTime() + 60_000);
      }
      expect(await statuses()).toEqual([{ status: 'sent', n: BREAKER_CONTACTS }]);
      expect(sink.messages).toHaveLength(BREAKER_CONTACTS);
      expect(new Set(sink.messages.map((message) => message.envelopeTo[0])).size).toBe(BREAKER_CONTACTS);
      await t.http().get('/health').expect(200, { status: 'ok', db: 'up', smtp: 'up' });
      expect(await metric('touchpoint_smtp_breaker_open')).toBe(0);
    });
  },
);
