// The server under the V8 profiler, for `npm run bench -- --profile`: the driver asks over IPC to start and
// stop, so the profile covers only the measured part (an exit-time --cpu-prof would never be written: the
// server ends by re-raising SIGTERM).
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

// Round-trip time of each SQL statement while the profiler runs, by the statement's first words: which
// statements the engine's database time goes to (PostgreSQL has no pg_stat_statements loaded here).
const statements = new Map();
let recording = false;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, values, callback) {
  const text = typeof config === 'string' ? config : config?.text;
  if (!recording || typeof text !== 'string') return query.call(this, config, values, callback);
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  const began = performance.now();
  const record = () => {
    const entry = statements.get(key) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += performance.now() - began;
    statements.set(key, entry);
  };
  if (typeof callback === 'function' || typeof values === 'function') {
    const done = typeof callback === 'function' ? callback : values;
    const wrapped = (...args) => {
      record();
      return done(...args);
    };
    return typeof callback === 'function'
      ? query.call(this, config, values, wrapped)
      : query.call(this, config, wrapped);
  }
  const result = query.call(this, config, values);
  result?.then?.(record, record);
  return result;
};

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
process.on('message', async (message) => {
  if (message.profile === 'start') {
    statements.clear();
    recording = true;
    await session.post('Profiler.start');
  } else if (message.profile === 'stop') {
    recording = false;
    const { profile } = await session.post('Profiler.stop');
    await writeFile(message.file, JSON.stringify(profile));
    const table = [...statements].sort((a, b) => b[1].ms - a[1].ms);
    await writeFile(message.file.replace(/\.cpuprofile$/, '.statements.json'), JSON.stringify(table, null, 2));
    for (const [text, { calls, ms }] of table.slice(0, 8)) {
      console.log(`${ms.toFixed(0).padStart(7)} ms ${String(calls).padStart(6)} × ${text}`);
    }
  }
  process.send({ profile: message.profile, done: true });
});
// The IPC channel must not keep a stopped server alive.
process.channel?.unref();
await import('../dist/main.js');
