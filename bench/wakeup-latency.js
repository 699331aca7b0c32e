#!/usr/bin/env node
// DATABASE_URL=postgres://… node bench/wakeup-latency.js [events] [--same-instance]   (after npm run build)
// Event → SMTP-accepted latency across instances: an API-only instance (SCHEDULER_ENABLED=false) takes signups
// whose trigger sequence sends at day 0, and a scheduling instance on the same database, whose interval is 10
// minutes, sends them: only a wake-up (LISTEN/NOTIFY) explains a send. Two series after 10 signups of warm-up:
// one signup every 300 ms, then all at once. Times are taken in this process, from the POST being sent (and from
// its answer) to the sink accepting the message.
// --same-instance: the baseline, one instance that takes the signups and sends them (woken in-process).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBuiltServer } from '../scripts/built-server.js';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';

const EVENTS = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 30);
const sameInstance = process.argv.includes('--same-instance');
const KEY = 'bench-admin-key-0123456789abcdef';
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('Wake-ups across instances need a PostgreSQL server: set DATABASE_URL.');
  process.exit(2);
}

const accepted = new Map();
const waiters = new Map();
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    stream.resume();
    stream.on('end', () => {
      const to = session.envelope.rcptTo[0].address.toLowerCase();
      accepted.set(to, performance.now());
      waiters.get(to)?.();
      callback();
    });
  },
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));

async function startServer(env) {
  return startBuiltServer(env, { adminKey: KEY });
}

const schema = `wakeup_${Date.now()}`;
const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-wakeup-'));
const common = {
  ADMIN_API_KEY: KEY,
  LOG_LEVEL: 'warn',
  DATA_DIR: dataDir,
  SMTP_URL: `smtp://127.0.0.1:${sink.server.address().port}`,
  DATABASE_URL: databaseUrl,
  DATABASE_SCHEMA: schema,
};
const servers = [];
try {
  // The API-only instance runs the migrations; the scheduling one boots on the migrated schema.
  const api = await startServer({
    ...common,
    SCHEDULER_ENABLED: String(sameInstance),
    SCHEDULER_INTERVAL_MS: '600000',
  });
  servers.push(api);
  if (!sameInstance) {
    servers.push(await startServer({ ...common, SCHEDULER_ENABLED: 'true', SCHEDULER_INTERVAL_MS: '600000' }));
  }
  await api.call('POST', '/v1/templates', {
    key: 'welcome',
    name: 'Welcome',
    variants: [{ locale: 'en', subject: 'Welcome', html: '<p>Hi {{contact.email}}</p>' }],
  });
  await api.call('POST', '/v1/sequences', {
    key: 'welcome',
    name: 'Welcome',
    triggerEvent: 'signup',
    steps: [{ key: 'hello', dayOffset: 0, template: 'welcome' }],
  });
  await api.call('POST', '/v1/sequences/welcome/activate');

  /** Milliseconds from the POST being sent to its answer, and from the answer to the sink accepting the mail. */
  const signup = async (email) => {
    const arrived = new Promise((resolve) => waiters.set(email, resolve));
    const sentAt = performance.now();
    await api.call('POST', '/v1/events', { email, name: 'signup' });
    const answeredAt = performance.now();
    const timeout = sleep(60_000).then(() => {
      throw new Error(`${email} was not sent within 60 s`);
    });
    await Promise.race([arrived, timeout]);
    return { total: accepted.get(email) - sentAt, afterAnswer: accepted.get(email) - answeredAt };
  };
  const percentiles = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(0);
    return `p50 ${at(50)} ms, p95 ${at(95)} ms, max ${at(100)} ms`;
  };
  const report = (name, results) =>
    console.log(
      `${name} (${results.length} events): event → SMTP accepted ${percentiles(results.map((r) => r.total))}; ` +
        `from the API's answer: ${percentiles(results.map((r) => r.afterAnswer))}`,
    );

  // A freshly booted server compiles, connects and fills its caches on its first sends: not what is measured.
  for (let i = 0; i < 10; i++) await signup(`warmup${i}@wakeup.example`);
  const spaced = [];
  for (let i = 0; i < EVENTS; i++) {
    const started = signup(`spaced${i}@wakeup.example`);
    spaced.push(started);
    await sleep(300);
  }
  report('one signup every 300 ms', await Promise.all(spaced));
  await sleep(1000);
  report(
    'all at once',
    await Promise.all(Array.from({ length: EVENTS }, (_, i) => signup(`burst${i}@wakeup.example`))),
  );
} finally {
  for (const server of servers) await server.stop();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
  sink.close();
}
