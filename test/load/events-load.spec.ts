import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareServerSurroundings, ServerProcess, type ServerSurroundings } from '../support/server-process.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { ADMIN_KEY } from '../support/test-app.js';
import { openPool, type TestDatabase } from '../support/test-database.js';

/**
 * Several clients post events at a fixed total rate (LOAD_RATE/s, default 500) for LOAD_SECONDS (default
 * 60) to the built server on the PostgreSQL server, while its scheduler sends the welcome step every
 * signup triggers. Asserts no 5xx and no lost event (rows = accepted), and reports latency percentiles.
 * `npm run test:load` (CI runs it); skipped in `npm test`, which must stay short.
 */
const enabled = process.env.LOAD_TEST && process.env.DATABASE_URL ? describe : describe.skip;
const RATE = Number(process.env.LOAD_RATE ?? 500);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 32);

enabled(`load: ${RATE} events/s for ${SECONDS} s from ${CLIENTS} clients while sending`, () => {
  let surroundings: ServerSurroundings;
  let sink: SmtpSink;
  let database: TestDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    surroundings = await prepareServerSurroundings({ dataDirPrefix: 'touchpoint-load-', withDatabase: true });
    sink = surroundings.sink;
    database = surroundings.database!;
    server = await ServerProcess.start({
      ...surroundings.env,
      SCHEDULER_INTERVAL_MS: '500',
      PUBLIC_RATE_LIMIT: '0',
    });
    const setup = async (pathname: string, body: unknown) => {
      const response = await server.request('POST', pathname, body);
      if (response.status >= 300) throw new Error(`${pathname}: ${response.status} ${JSON.stringify(response.body)}`);
    };
    await setup('/v1/templates', {
      key: 'welcome',
      name: 'Welcome',
      variants: [{ locale: 'en', subject: 'Welcome {{contact.firstName}}', html: '<p>Hello</p>' }],
    });
    await setup('/v1/sequences', {
      key: 'welcome',
      name: 'Welcome',
      triggerEvent: 'signup',
      steps: [{ key: 'hello', dayOffset: 0, template: 'welcome' }],
    });
    await setup('/v1/sequences/welcome/activate', {});
  });
  afterAll(() => surroundings?.close(server));

  it(
    'holds the rate with no 5xx and no lost event',
    async () => {
      const total = RATE * SECONDS;
      const latencies: number[] = [];
      const statuses: Record<string, number> = {};
      let signups = 0;
      const started = performance.now();
      // Each client owns every CLIENTS-th slot of one global schedule, so the total rate is exact.
      const client = async (offset: number) => {
        for (let i = offset; i < total; i += CLIENTS) {
          const due = started + (i * 1000) / RATE;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const signup = i % 5 === 0;
          const body = signup
            ? { email: `u${i}@load.example`, name: 'signup', contact: { firstName: `U${i}` } }
            : { email: `u${i - (i % 5)}@load.example`, name: 'page_view', properties: { page: `/p/${i % 37}` } };
          const sent = performance.now();
          const response = await fetch(`${server.url}/v1/events`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          }).catch(() => undefined);
          latencies.push(performance.now() - sent);
          const status = response ? String(response.status) : 'network-error';
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (response) await response.arrayBuffer();
          if (signup && response?.status === 202) signups++;
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, offset) => client(offset)));
      const elapsed = (performance.now() - started) / 1000;

      // Everything accepted is stored; every signup's welcome is sent once the scheduler catches up.
      const pool = openPool(database);
      try {
        const stored = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`)).rows[0].n;
        const deadline = Date.now() + 5 * 60_000;
        while (sink.messages.length < signups && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        latencies.sort((a, b) => a - b);
        const at = (q: number) =>
          Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
        const figures = {
          targetRate: RATE,
          seconds: SECONDS,
          clients: CLIENTS,
          requests: latencies.length,
          achievedRate: Math.round(latencies.length / elapsed),
          statuses,
          eventsAccepted: statuses['202'] ?? 0,
          eventsStored: stored,
          welcomesSent: sink.messages.length,
          signups,
          latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: Math.round(latencies[latencies.length - 1]) },
        };
        if (process.env.FAULT_REPORT_DIR) {
          await writeFile(
            path.join(process.env.FAULT_REPORT_DIR, 'load-server.json'),
            JSON.stringify(figures, null, 2),
          );
        }
        process.stdout.write(`${JSON.stringify(figures)}\n`);
        expect(Object.keys(statuses)).toEqual(['202']);
        expect(stored).toBe(figures.eventsAccepted);
        expect(sink.messages.length).toBe(signups);
        expect(new Set(sink.messages.map((message) => message.envelopeTo[0])).size).toBe(signups);
      } finally {
        await pool.end();
      }
    },
    15 * 60_000,
  );
});
