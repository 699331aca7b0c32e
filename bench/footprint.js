#!/usr/bin/env node
// npm run build && node bench/footprint.js [native] [pglite] [server]   (server: needs DATABASE_URL)
// What the first minutes of a user cost on each database: boot time of the built server on a fresh DATA_DIR
// (the embedded cluster created) and on an existing one, `npm run demo:load` against it, then the memory of all
// the app's processes at idle (the node process and, native, every postgres process it started): RSS summed, and
// PSS (shared pages split between the processes that map them, so PostgreSQL's shared buffers count once).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { startBuiltServer } from '../scripts/built-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const KEY = 'bench-admin-key-0123456789abcdef';
const IDLE_MS = 15_000;

/** The pid and every process descending from it (the native postmaster, its backends and helpers, the watchdog). */
async function processTree(root) {
  const parents = new Map();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(Number(entry), ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** RSS and PSS (MB) summed over the tree, and how many processes it holds. */
export async function treeMemory(root) {
  let rss = 0;
  let pss = 0;
  const pids = await processTree(root);
  for (const pid of pids) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
    pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
  }
  return { rss, pss, processes: pids.length };
}

function start(mode, dataDir, schema) {
  return startBuiltServer({
    ADMIN_API_KEY: KEY,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ...(mode === 'server'
      ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema }
      : { EMBEDDED_DATABASE: mode }),
  });
}

async function measure(mode) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-footprint-'));
  const schema = `footprint_${Date.now()}`;
  if (mode === 'server') await adminQuery(`CREATE SCHEMA ${schema}`);
  try {
    const fresh = await start(mode, dataDir, schema);
    let peak = 0;
    const sampler = setInterval(async () => {
      peak = Math.max(peak, (await treeMemory(fresh.pid)).rss);
    }, 250);
    const loadStarted = process.hrtime.bigint();
    await promisify(execFile)(process.execPath, [path.join(here, '..', 'scripts', 'demo-load.js')], {
      env: { ...process.env, ADMIN_API_KEY: KEY, TOUCHPOINT_URL: fresh.base },
    });
    const demoLoadSeconds = Number(process.hrtime.bigint() - loadStarted) / 1e9;
    await sleep(IDLE_MS);
    clearInterval(sampler);
    const idle = await treeMemory(fresh.pid);
    const nodeRss = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${fresh.pid}/status`, 'utf8'))[1]) / 1024;
    await fresh.stop();
    const again = await start(mode, dataDir, schema);
    await again.stop();
    return {
      mode,
      bootFreshSeconds: fresh.bootSeconds,
      bootExistingSeconds: again.bootSeconds,
      demoLoadSeconds,
      idle: { ...idle, nodeRss },
      peakRssDuringDemoLoad: Math.max(peak, idle.rss),
    };
  } finally {
    if (mode === 'server') await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Measures each mode in turn and answers the results with their markdown table. */
export async function footprint(modesToMeasure) {
  const results = [];
  for (const mode of modesToMeasure) {
    const result = await measure(mode);
    console.log(`[footprint] ${JSON.stringify(result)}`);
    results.push(result);
  }
  const cell = (value, digits = 0) => value.toFixed(digits);
  const rows = [
    ['boot, fresh DATA_DIR (s)', (r) => cell(r.bootFreshSeconds, 1)],
    ['boot, existing DATA_DIR (s)', (r) => cell(r.bootExistingSeconds, 1)],
    ['`npm run demo:load` (s)', (r) => cell(r.demoLoadSeconds, 1)],
    ['idle RSS after demo:load, all processes of the app (MB)', (r) => cell(r.idle.rss)],
    ['idle PSS after demo:load, all processes of the app (MB)', (r) => cell(r.idle.pss)],
    ['idle RSS of the node process alone (MB)', (r) => cell(r.idle.nodeRss)],
    ['processes of the app at idle', (r) => String(r.idle.processes)],
    ['peak RSS during demo:load, all processes (MB, sampled every 250 ms)', (r) => cell(r.peakRssDuringDemoLoad)],
  ];
  const header = ['measure', ...results.map((r) => r.mode)];
  const table = [header, header.map(() => '---'), ...rows.map(([label, value]) => [label, ...results.map(value)])]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
  return { results, table };
}

// Run directly: measure the modes named on the command line (bench/run.js imports it instead).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const requested = process.argv.slice(2);
  const { table } = await footprint(
    requested.length > 0 ? requested : ['native', 'pglite', ...(process.env.DATABASE_URL ? ['server'] : [])],
  );
  console.log(table);
}
