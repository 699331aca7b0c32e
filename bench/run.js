#!/usr/bin/env node
// npm run bench [-- --quick] [-- --embedded | --pglite | --both | --all] [-- --engine-only | --funnel-only] [-- --profile]
//   [-- --baseline=<checkout>] [-- --footprint]
// Databases: the server of DATABASE_URL (default), the native embedded PostgreSQL (--embedded), PGlite (--pglite);
// --both: server and native; --all: server, native and PGlite.
// Measures, in one run: the transport's limit (bare pooled nodemailer → sink), the engine's throughput through
// real scheduler passes, the cost of a pass as the table grows, import and segment enrollment through the API,
// the funnel over ~1M delivery rows, and peak memory. The SMTP sink runs in a separate process. Ratios are the
// headline: the machine is shared and absolute times drift.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { footprint, treeMemory } from './footprint.js';
import { freePort, startBuiltServer } from '../scripts/built-server.js';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

const args = new Set(process.argv.slice(2));
/**
 * --baseline=<checkout>: another checkout with its own `dist/` (e.g. `git worktree add /tmp/base HEAD~1 && cd
 * /tmp/base && npm ci && npm run build`). Its engine is measured in this same run, after this build's, on each
 * database it supports, so a regression shows as a ratio of ratios on the same machine at the same time.
 */
const baseline = [...args].find((arg) => arg.startsWith('--baseline='))?.slice('--baseline='.length);
const quick = args.has('--quick');
/** --profile: the server runs under the V8 profiler during the engine pass; the profile goes to bench/results/. */
const profile = args.has('--profile');
/** --engine-only: steps 1 and 2 (transport and engine), for a quick look at the engine's ratio. */
const engineOnly = args.has('--engine-only');
/** --funnel-only: step 5 alone (the funnel over its delivery rows). */
const funnelOnly = args.has('--funnel-only');
const modes = args.has('--all')
  ? ['server', 'native', 'pglite']
  : args.has('--both')
    ? ['server', 'native']
    : [
        ...(args.has('--embedded') || args.has('--native') ? ['native'] : []),
        ...(args.has('--pglite') ? ['pglite'] : []),
      ];
if (modes.length === 0) modes.push('server');
const SIZE = {
  engine: quick ? 5_000 : 20_000,
  due: 10_000,
  big: quick ? 100_000 : 1_000_000,
  import: 100_000,
  funnelEnrollments: quick ? 40_000 : 200_000,
};
const KEY = 'bench-admin-key-0123456789abcdef';
const WARMUP = 1_000;
const here = path.dirname(fileURLToPath(import.meta.url));

if (modes.includes('server') && !process.env.DATABASE_URL) {
  console.error('The benchmark runs against a PostgreSQL server: set DATABASE_URL (or pass --embedded).');
  process.exit(2);
}

function startSink() {
  const child = fork(path.join(here, 'smtp-sink.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (message) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(message);
    });
  return new Promise((resolve) =>
    child.once('message', ({ port }) =>
      resolve({
        port,
        pid: child.pid,
        count: () => ask('count'),
        reset: () => ask('reset'),
        stop: () =>
          new Promise((done) => {
            child.once('exit', done);
            child.send('stop');
          }),
      }),
    ),
  );
}

/** Busy CPU time of the whole machine so far, in seconds (Linux /proc/stat; every process: driver, sink, server, PostgreSQL). */
async function machineBusySeconds() {
  const [, ...fields] = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / 100; // /proc/stat counts USER_HZ ticks, 100 on Linux
}

/**
 * CPU seconds in a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line (utime + stime, USER_HZ ticks), or
 * undefined when the process or thread is gone. Fields are counted after the command name, which may hold spaces.
 */
async function statCpuSeconds(file) {
  const stat = await readFile(file, 'utf8').catch(() => '');
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    seconds: (Number(fields[11]) + Number(fields[12])) / 100,
  };
}

/** CPU seconds a process has used so far, all its threads. */
async function processCpuSeconds(pid) {
  return (await statCpuSeconds(`/proc/${pid}/stat`))?.seconds ?? 0;
}

/** CPU seconds of each thread of a process, by thread id. */
async function threadCpuSeconds(pid) {
  const threads = {};
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const used = await statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
    if (used) threads[tid] = used.seconds;
  }
  return threads;
}

/** CPU seconds used so far by the processes named `postgres` (the server's backends and helpers). */
async function postgresCpuSeconds() {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const used = await statCpuSeconds(`/proc/${entry}/stat`);
    if (used?.name === 'postgres') total += used.seconds;
  }
  return total;
}

/** What a phase cost the machine: busy CPU seconds and milliseconds per message. */
async function measuredCpu(phase, messages, pids) {
  const sample = async () => ({
    machine: await machineBusySeconds(),
    driver: process.cpuUsage(),
    postgres: await postgresCpuSeconds(),
    serverThreads: pids.server ? await threadCpuSeconds(pids.server) : {},
    ...Object.fromEntries(
      await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await processCpuSeconds(pid)])),
    ),
  });
  const before = await sample();
  const began = process.hrtime.bigint();
  const result = await phase();
  const after = await sample();
  const wall = seconds(began);
  const perMessage = (cpuSeconds) => Number(((cpuSeconds * 1000) / messages).toFixed(3));
  const busy = after.machine - before.machine;
  const driver = (after.driver.user + after.driver.system - before.driver.user - before.driver.system) / 1e6;
  const postgres = after.postgres - before.postgres;
  const msPerMessage = { machine: perMessage(busy), driver: perMessage(driver), postgres: perMessage(postgres) };
  let rest = busy - driver - postgres;
  for (const name of Object.keys(pids)) {
    msPerMessage[name] = perMessage(after[name] - before[name]);
    rest -= after[name] - before[name];
  }
  // The server's threads: the main thread (the scheduler), the busiest other one (the SMTP worker when there
  // is one), and the rest (V8's GC and compiler helpers, libuv's pool).
  if (pids.server) {
    const deltas = Object.entries(after.serverThreads).map(([tid, used]) => [
      tid,
      used - (before.serverThreads[tid] ?? 0),
    ]);
    const main = deltas.find(([tid]) => tid === String(pids.server))?.[1] ?? 0;
    const otherThreads = deltas
      .filter(([tid]) => tid !== String(pids.server))
      .map(([, used]) => used)
      .sort((a, b) => b - a);
    msPerMessage.serverMainThread = perMessage(main);
    msPerMessage.serverBusiestOtherThread = perMessage(otherThreads[0] ?? 0);
    msPerMessage.serverOtherThreads = perMessage(otherThreads.slice(1).reduce((sum, used) => sum + used, 0));
  }
  // Everything else busy on the machine: the kernel's softirq work, short-lived processes, other tenants.
  msPerMessage.rest = perMessage(rest);
  return { result, cpu: { cores: busy / wall, msPerMessage } };
}
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A memory figure of a process from /proc/<pid>/status (VmRSS, VmHWM, …), in MB. */
async function statusMb(pid, field) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) / 1024;
}

/** The built server (`dist/main.js`, as `npm start` runs it) in its own process: its memory and CPU are its own. */
async function startServer(env, root) {
  const server = await startBuiltServer(env, {
    root,
    entry: profile && !root ? path.join(here, 'profiled-server.js') : undefined,
    ipc: profile,
  });
  const child = server.child;
  const profiler = (step, file) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send({ profile: step, file });
    });
  return {
    call: server.call,
    pid: child.pid,
    /** Peak resident memory of the server process so far (Linux: VmHWM). */
    peakRssMb: () => statusMb(child.pid, 'VmHWM'),
    /** Resident memory of all the app's processes now (with the native embedded database: its processes too). */
    treeRssMb: async () => (await treeMemory(child.pid)).rss,
    rssMb: () => statusMb(child.pid, 'VmRSS'),
    /** Starts the profiler (with --profile) and returns a function that stops it and writes the profile. */
    profile: async (file) => {
      if (!profile) return async () => undefined;
      await profiler('start');
      return async () => {
        await profiler('stop', file);
        console.log(`profile written to ${path.relative(process.cwd(), file)}`);
      };
    },
    stop: server.stop,
  };
}

async function run(mode, sink, build = { root: undefined, label: mode, engineOnly }) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-bench-'));
  const schema = `bench_${Date.now()}`;
  let databaseUrl = process.env.DATABASE_URL;
  if (mode === 'server') {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
  }
  const embeddedPort = await freePort();
  const server = await startServer(
    {
      ADMIN_API_KEY: KEY,
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
      SCHEDULER_BATCH_SIZE: '1000',
      DATA_DIR: dataDir,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      SMTP_MAX_CONNECTIONS: '5',
      DATABASE_POOL_SIZE: '10',
      // To compare the engine with nodemailer on the scheduler's thread: SMTP_WORKER_THREAD=false npm run bench.
      SMTP_WORKER_THREAD: process.env.SMTP_WORKER_THREAD ?? 'true',
      ...(mode === 'server'
        ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }
        : { EMBEDDED_DATABASE: mode, EMBEDDED_DATABASE_PORT: String(embeddedPort) }),
    },
    build.root,
  );
  if (mode === 'pglite') databaseUrl = `postgres://postgres@127.0.0.1:${embeddedPort}/postgres`;
  if (mode === 'native') {
    const password = (await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
    databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${embeddedPort}/postgres`;
  }
  // The peak of all the app's processes together, sampled (a backend's exit takes its own peak with it).
  let treePeakMb = 0;
  const treeSampler = setInterval(() => {
    server.treeRssMb().then(
      (mb) => (treePeakMb = Math.max(treePeakMb, mb)),
      () => undefined,
    );
  }, 500);
  // The driver seeds rows with SQL; in the server's schema when there is one.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 1,
    ...(mode === 'server' ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = { query: async (text, params) => (await pool.query(text, params)).rows };
  const call = server.call;
  const results = { mode: build.label, quick, sizes: SIZE };
  const log = async (line) =>
    console.log(`[${build.label}] ${line} (server rss ${(await server.rssMb()).toFixed(0)} MB)`);

  try {
    const html = `<h1>Hello {{default contact.firstName "friend"}}</h1>${'<p>Lorem ipsum dolor sit amet, {{contact.email}} — consectetur adipiscing elit. <a href="https://example.com/course">Course</a></p>'.repeat(12)}`;
    await call('POST', '/v1/templates', {
      key: 'bench',
      name: 'Bench',
      variants: [{ locale: 'en', subject: 'Bench {{contact.email}}', html }],
    });
    for (const key of ['warmup', 'engine', 'small', 'big', 'import', 'funnel']) {
      await call('POST', '/v1/segments', {
        key: `seg-${key}`,
        name: key,
        rule: { all: [{ field: 'attributes.bench', op: 'eq', value: key }] },
      });
      const dayOffset = key === 'import' || key === 'funnel' ? 30 : 0;
      await call('POST', '/v1/sequences', { key, name: key, steps: [{ key: 'only', dayOffset, template: 'bench' }] });
      await call('POST', `/v1/sequences/${key}/activate`);
    }

    if (!funnelOnly) await measureSteps1to4();
    async function measureSteps1to4() {
      // 1. The transport's limit: bare pooled nodemailer, same connections, same rendered message.
      const sample = await call('POST', '/v1/templates/bench/preview', {
        contact: { email: 'sample@bench.example', firstName: 'Sam' },
      });
      // Measured before and after the engine, and averaged: the machine is shared and drifts within a run.
      const measureTransport = async (messages = SIZE.engine) => {
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: sink.port,
          pool: true,
          maxConnections: 5,
          maxMessages: Infinity,
        });
        await sink.reset();
        const began = process.hrtime.bigint();
        const inFlight = new Set();
        for (let i = 0; i < messages; i++) {
          const send = transport
            .sendMail({
              from: 'Touchpoint <no-reply@localhost>',
              to: `t${i}@bench.example`,
              subject: sample.subject,
              html: sample.html,
              text: sample.text,
            })
            .finally(() => inFlight.delete(send));
          inFlight.add(send);
          if (inFlight.size >= 10) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        transport.close();
        return messages / seconds(began);
      };
      // Both sides warm up first (JIT, connections), so the figures are steady-state ones.
      await measureTransport(WARMUP);
      const { result: transportBefore, cpu: transportCpu } = await measuredCpu(measureTransport, SIZE.engine, {
        sink: sink.pid,
        server: server.pid,
      });
      await log(
        `transport limit: ${transportBefore.toFixed(0)} mails/s; machine ${transportCpu.cores.toFixed(2)} cores busy, ms CPU per message ${JSON.stringify(transportCpu.msPerMessage)}`,
      );

      // 2. Engine throughput: N due enrollments sent by real passes.
      await insertContacts(db, 'warmup', WARMUP);
      await call('POST', '/v1/sequences/warmup/enrollments', { segment: 'seg-warmup' });
      await call('POST', '/v1/scheduler/run', {});
      await insertContacts(db, 'engine', SIZE.engine);
      await call('POST', '/v1/sequences/engine/enrollments', { segment: 'seg-engine' });
      await sink.reset();
      await mkdir(path.join(here, 'results'), { recursive: true });
      // Transactions (each statement outside BEGIN is one) per message: the engine's database round trips.
      const transactions = async () =>
        (
          await db.query(
            `SELECT (xact_commit + xact_rollback)::int AS n FROM pg_stat_database WHERE datname = current_database()`,
          )
        )[0]?.n ?? NaN;
      const transactionsBefore = await transactions();
      const walPosition = async () => (await db.query(`SELECT pg_current_wal_lsn()::text AS lsn`))[0].lsn;
      const walBefore = await walPosition();
      const stopProfile = await server.profile(path.join(here, 'results', `engine-${mode}.cpuprofile`));
      let start = process.hrtime.bigint();
      const { result: enginePass, cpu: engineCpu } = await measuredCpu(
        () => call('POST', '/v1/scheduler/run', {}),
        SIZE.engine,
        { sink: sink.pid, server: server.pid },
      );
      let pass = enginePass;
      const engineSeconds = seconds(start);
      await stopProfile();
      const delivered = (await sink.count()).count;
      await sleep(1500); // PostgreSQL publishes a backend's counters at most once a second
      const transactionsPerMessage = ((await transactions()) - transactionsBefore) / pass.sent;
      const walBytesPerMessage =
        (await db.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 AS bytes`, [walBefore]))[0].bytes /
        pass.sent;
      results.engine = {
        messages: pass.sent,
        delivered,
        seconds: engineSeconds,
        perSecond: pass.sent / engineSeconds,
        transactionsPerMessage,
        walBytesPerMessage,
        cpu: engineCpu,
      };
      const transportAfter = await measureTransport();
      await log(`transport limit: ${transportAfter.toFixed(0)} mails/s`);
      results.transport = {
        messages: SIZE.engine,
        before: transportBefore,
        after: transportAfter,
        perSecond: (transportBefore + transportAfter) / 2,
        cpu: transportCpu,
      };
      results.engine.ratioToTransport = results.engine.perSecond / results.transport.perSecond;
      await log(
        `engine: ${results.engine.perSecond.toFixed(0)} mails/s (${pass.sent} sent, ${delivered} at the sink) = ${results.engine.ratioToTransport.toFixed(2)} × transport; ${transactionsPerMessage.toFixed(2)} database transactions and ${(walBytesPerMessage / 1024).toFixed(1)} KB of WAL per message; machine ${engineCpu.cores.toFixed(2)} cores busy, ms CPU per message ${JSON.stringify(engineCpu.msPerMessage)}`,
      );

      if (build.engineOnly) return;

      // 3. Pass cost: 10,000 due among 10,000 active, then 10,000 due among SIZE.big active.
      await insertEnrolled(db, 'small', SIZE.due, SIZE.due);
      start = process.hrtime.bigint();
      pass = await call('POST', '/v1/scheduler/run', {});
      const smallSeconds = seconds(start);
      await insertEnrolled(db, 'big', SIZE.big, SIZE.due);
      const plan = await db.query(
        `EXPLAIN SELECT e.id FROM enrollments e WHERE e.status = 'active' AND e.next_due_at IS NOT NULL AND e.next_due_at <= now()
         AND (e.locked_until IS NULL OR e.locked_until < now()) ORDER BY e.next_due_at LIMIT 1000 FOR UPDATE SKIP LOCKED`,
      );
      start = process.hrtime.bigint();
      const bigPass = await call('POST', '/v1/scheduler/run', {});
      const bigSeconds = seconds(start);
      results.passCost = {
        small: { active: SIZE.due, due: SIZE.due, sent: pass.sent, seconds: smallSeconds },
        big: { active: SIZE.big, due: SIZE.due, sent: bigPass.sent, seconds: bigSeconds },
        ratio: bigSeconds / smallSeconds,
        claimPlan: plan.map((row) => row['QUERY PLAN']),
      };
      await log(
        `pass: ${smallSeconds.toFixed(2)} s over ${SIZE.due} active, ${bigSeconds.toFixed(2)} s over ${SIZE.big} active → ratio ${results.passCost.ratio.toFixed(2)}`,
      );

      // 4. Import through the API (10 calls of 10,000) and a 100,000-contact segment enrollment.
      start = process.hrtime.bigint();
      for (let batch = 0; batch < SIZE.import / 10_000; batch++) {
        const rows = Array.from({ length: 10_000 }, (_, i) => ({
          email: `imp${batch * 10_000 + i}@bench.example`,
          firstName: 'Ана',
          locale: i % 2 ? 'ro' : 'ru',
          timezone: 'Europe/Chisinau',
          attributes: { bench: 'import', n: i },
        }));
        const result = await call('POST', '/v1/contacts/import', rows);
        if (result.created !== 10_000) throw new Error(`import created ${result.created}`);
      }
      const importSeconds = seconds(start);
      start = process.hrtime.bigint();
      const enrolled = await call('POST', '/v1/sequences/import/enrollments', { segment: 'seg-import' });
      const enrollSeconds = seconds(start);
      results.import = { contacts: SIZE.import, seconds: importSeconds, perSecond: SIZE.import / importSeconds };
      results.segmentEnrollment = {
        enrolled: enrolled.enrolled,
        seconds: enrollSeconds,
        perSecond: enrolled.enrolled / enrollSeconds,
      };
      await log(
        `import: ${importSeconds.toFixed(1)} s for ${SIZE.import}; segment enrollment: ${enrollSeconds.toFixed(1)} s for ${enrolled.enrolled}`,
      );

      const contacts = (await db.query(`SELECT count(*)::int AS n FROM contacts`))[0].n;
      treePeakMb = Math.max(treePeakMb, await server.treeRssMb());
      results.memory = { peakRssMb: await server.peakRssMb(), peakTreeRssMb: treePeakMb, contacts };
      await log(
        `peak RSS of the server through steps 1-4: ${results.memory.peakRssMb.toFixed(0)} MB (all its processes: ${treePeakMb.toFixed(0)} MB) with ${contacts} contacts`,
      );
    }
    if (build.engineOnly) return results;

    // 5. The funnel over ~1M delivery rows (5 steps reached by each of SIZE.funnelEnrollments enrollments).
    const deliveries = await insertFunnelData(db, SIZE.funnelEnrollments);
    const funnelSeconds = async (query) => {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const start = process.hrtime.bigint();
        await call('GET', `/v1/sequences/funnel/funnel${query}`);
        times.push(seconds(start));
      }
      return median(times);
    };
    results.funnel = {
      deliveryRows: deliveries,
      seconds: await funnelSeconds(''),
      // The cohort narrowed by day 0 (every enrollment still in it: the delivery rows are joined to it).
      sinceSeconds: await funnelSeconds('?since=2000-01-01T00:00:00Z'),
      // The whole funnel plus one per language (ru, ro).
      byLocaleSeconds: await funnelSeconds('?by=locale'),
    };
    await log(
      `funnel over ${deliveries} delivery rows: ${(results.funnel.seconds * 1000).toFixed(0)} ms; with since= ${(results.funnel.sinceSeconds * 1000).toFixed(0)} ms; by=locale ${(results.funnel.byLocaleSeconds * 1000).toFixed(0)} ms`,
    );
  } finally {
    clearInterval(treeSampler);
    await pool.end();
    await server.stop();
    if (mode === 'server' && process.env.BENCH_KEEP_SCHEMA) {
      console.log(`kept schema ${schema} (BENCH_KEEP_SCHEMA)`);
    } else if (mode === 'server') {
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  return results;
}

async function insertContacts(db, key, count) {
  await db.query(
    `INSERT INTO contacts (email, locale, attributes)
     SELECT $1 || '-' || g || '@bench.example', 'en', jsonb_build_object('bench', $1::text) FROM generate_series(1, $2) g`,
    [key, count],
  );
  // What autovacuum would do after a bulk load (the test server here runs without it).
  await db.query('ANALYZE contacts');
}

/** `total` active enrollments in sequence `key`, of which `due` are due now and the rest in a month. */
async function insertEnrolled(db, key, total, due) {
  await insertContacts(db, key, total);
  await db.query(
    `INSERT INTO enrollments (contact_id, sequence_id, start_at, next_step_id, next_due_at)
     SELECT c.id, s.id, now(), st.id,
            CASE WHEN row_number() OVER () <= $2 THEN now() - interval '1 minute' ELSE now() + interval '30 days' END
     FROM contacts c JOIN sequences s ON s.key = $1 JOIN sequence_steps st ON st.sequence_id = s.id
     WHERE c.attributes->>'bench' = $1`,
    [key, due],
  );
  await db.query('ANALYZE enrollments');
}

async function insertFunnelData(db, enrollments) {
  await db.query(`UPDATE sequences SET status = 'paused' WHERE key = 'funnel'`);
  const steps = ['d1', 'd2', 'd4', 'd7'];
  // The funnel sequence gets 5 steps; its enrollments are finished so no pass touches them.
  const sequenceId = (await db.query(`SELECT id FROM sequences WHERE key = 'funnel'`))[0].id;
  const templateId = (await db.query(`SELECT id FROM templates WHERE key = 'bench'`))[0].id;
  for (const [index, key] of steps.entries()) {
    await db.query(
      `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, template_id) VALUES ($1, $2, $3, $4, $5)`,
      [sequenceId, key, index + 1, [1, 2, 4, 7][index], templateId],
    );
  }
  await insertContacts(db, 'funnel', enrollments);
  // A bilingual audience, for the per-locale breakdown.
  await db.query(
    `UPDATE contacts SET locale = CASE WHEN random() < 0.5 THEN 'ru' ELSE 'ro-MD' END WHERE attributes->>'bench' = 'funnel'`,
  );
  await db.query(
    `INSERT INTO enrollments (contact_id, sequence_id, start_at, status, ended_at)
     SELECT c.id, $1, now() - interval '30 days', (ARRAY['completed', 'converted', 'unsubscribed', 'exited'])[1 + (random() * 3)::int], now()
     FROM contacts c WHERE c.attributes->>'bench' = 'funnel'`,
    [sequenceId],
  );
  await db.query(
    `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, reason, sent_at, opened_at, clicked_at)
     SELECT e.contact_id, e.id, e.sequence_id, st.id, 'sent', NULL, now(),
            CASE WHEN random() < 0.4 THEN now() END, CASE WHEN random() < 0.1 THEN now() END
     FROM enrollments e JOIN sequence_steps st ON st.sequence_id = e.sequence_id
     WHERE e.sequence_id = $1`,
    [sequenceId],
  );
  // As the scheduler leaves it after sending each enrollment all five steps.
  await db.query(
    `UPDATE enrollments SET last_sent_step_id =
       (SELECT id FROM sequence_steps WHERE sequence_id = $1 ORDER BY position DESC LIMIT 1)
     WHERE sequence_id = $1`,
    [sequenceId],
  );
  await db.query('ANALYZE');
  return (await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE sequence_id = $1`, [sequenceId]))[0].n;
}

function table(all) {
  const n = (value) => value.toLocaleString('en');
  // [label, value, target check (undefined: no target), target text]
  const rows = [
    [
      `transport limit: bare pooled nodemailer, 5 connections (mails/s)`,
      (r) => r.transport.perSecond.toFixed(0),
      undefined,
      'baseline',
    ],
    [`engine throughput, ${n(SIZE.engine)} due steps (mails/s)`, (r) => r.engine.perSecond.toFixed(0)],
    [
      'engine / transport',
      (r) => r.engine.ratioToTransport.toFixed(2),
      (r) => r.engine.ratioToTransport >= 0.8,
      '≥ 0.80',
    ],
    [
      'machine CPU per message, transport / engine (ms)',
      (r) => `${r.transport.cpu.msPerMessage.machine.toFixed(2)} / ${r.engine.cpu.msPerMessage.machine.toFixed(2)}`,
    ],
    [`pass, ${n(SIZE.due)} due of ${n(SIZE.due)} active (s)`, (r) => r.passCost.small.seconds.toFixed(2)],
    [`pass, ${n(SIZE.due)} due of ${n(SIZE.big)} active (s)`, (r) => r.passCost.big.seconds.toFixed(2)],
    ['pass big / small', (r) => r.passCost.ratio.toFixed(2), (r) => r.passCost.ratio <= 1.5, '≤ 1.5'],
    [
      `import ${n(SIZE.import)} contacts via the API (s)`,
      (r) => r.import.seconds.toFixed(1),
      (r) => r.import.seconds < 30,
      '< 30',
    ],
    [
      `enroll a ${n(SIZE.import)}-contact segment (s)`,
      (r) => r.segmentEnrollment.seconds.toFixed(1),
      (r) => r.segmentEnrollment.seconds < 30,
      '< 30',
    ],
    [
      (r) => `funnel over ${r.funnel ? n(r.funnel.deliveryRows) : 'the'} delivery rows (ms)`,
      (r) => (r.funnel.seconds * 1000).toFixed(0),
      (r) => r.funnel.seconds < 1,
      '< 1000',
    ],
    [
      'funnel with `since=` / `by=locale` (whole + 2 languages) (ms)',
      (r) => `${(r.funnel.sinceSeconds * 1000).toFixed(0)} / ${(r.funnel.byLocaleSeconds * 1000).toFixed(0)}`,
    ],
    [
      (r) => `peak RSS of the server process (MB)${r.memory ? `, ${n(r.memory.contacts)} contacts` : ''}`,
      (r) => r.memory.peakRssMb.toFixed(0),
      (r) => r.memory.peakRssMb < 300,
      '< 300',
    ],
    [
      'peak RSS of all the app’s processes (MB; native: with PostgreSQL’s, shared buffers counted in each)',
      (r) => r.memory.peakTreeRssMb.toFixed(0),
    ],
  ];
  // With the server first, each other database's figure against the server's.
  const against = all[0]?.mode === 'server' ? all.slice(1) : [];
  const header = ['measure', ...all.map((r) => r.mode), ...against.map((r) => `${r.mode} / server`), 'target'];
  const attempt = (value, result) => {
    try {
      return value(result);
    } catch {
      return undefined; // not measured in this run (--engine-only)
    }
  };
  const lines = rows.map(([label, value, check, target]) => {
    const cells = all.map((result) => attempt(value, result) ?? '–');
    for (let i = 1; i <= against.length; i++) {
      const ratio = parseFloat(cells[i]) / parseFloat(cells[0]);
      cells.push(cells[0].includes('/') || !Number.isFinite(ratio) ? '' : ratio.toFixed(2));
    }
    let targetCell = target ?? '';
    if (check) {
      // A result that did not measure this row (a baseline, --engine-only) has no verdict and is left out.
      const judged = all
        .map((result) => ({ mode: result.mode, verdict: attempt(check, result) }))
        .filter(({ verdict }) => verdict !== undefined);
      if (judged.length > 0 && judged.every(({ verdict }) => verdict === true)) targetCell += ' — met';
      else if (judged.length > 0 && judged.every(({ verdict }) => verdict === false)) targetCell += ' — **missed**';
      else if (judged.length > 0) {
        targetCell += ` — ${judged.map(({ mode, verdict }) => `${verdict ? 'met' : '**missed**'} (${mode})`).join(', ')}`;
      }
    }
    const text = typeof label === 'function' ? label(all[0]) : label;
    return [text, ...cells, targetCell];
  });
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

// --footprint (implied by --all): the first minutes of a user on each database, before the throughput runs.
const footprintResult = args.has('--footprint') || args.has('--all') ? await footprint(modes) : undefined;
const sink = await startSink();
const all = [];
try {
  for (const mode of modes) all.push(await run(mode, sink));
  // The baseline after this build: engine and transport only (what a change to the engine could regress).
  if (baseline) {
    const root = path.resolve(baseline);
    // A baseline from before the native embedded database ran PGlite for `native`: measure it where it is what it says.
    const known = existsSync(path.join(root, 'dist', 'database', 'native'))
      ? modes
      : modes.filter((m) => m !== 'native');
    for (const mode of known) {
      all.push(await run(mode, sink, { root, label: `${mode}, baseline`, engineOnly: true }));
    }
  }
} finally {
  await sink.stop();
}
const report = table(all) + (footprintResult ? `\n\n${footprintResult.table}` : '');
console.log(`\n${report}\n`);
const machine = {
  cores: os.cpus().length,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  when: new Date().toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
};
await mkdir(path.join(here, 'results'), { recursive: true });
await writeFile(
  path.join(here, 'results', 'latest.json'),
  JSON.stringify({ machine, results: all, footprint: footprintResult?.results, table: report }, null, 2),
);
console.log(`written to bench/results/latest.json`);
process.exit(0);
