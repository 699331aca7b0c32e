// The built server (`dist/main.js`, as `npm start` runs it) in a process of its own, for the benchmarks and the
// scripts that drive it over HTTP: a free loopback port, a wait for /health, an API caller and a clean stop.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A free loopback port (for a server, or the embedded database's TCP port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `<root>/dist/main.js` with `env` (PATH is passed on; PORT is chosen here) and waits for /health.
 * `adminKey` is what `call` sends as the bearer. `ipc` opens a channel to the child (bench --profile).
 * The wait is a ceiling for a busy machine, not a measure: a first native start creates the cluster.
 */
export async function startBuiltServer(env, { root = ROOT, entry, adminKey = env.ADMIN_API_KEY, ipc = false } = {}) {
  const port = await freePort();
  const began = process.hrtime.bigint();
  const child = spawn(process.execPath, [entry ?? path.join(root, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', ...(ipc ? ['ipc'] : [])],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const healthy = await fetch(`${base}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (child.exitCode !== null) throw new Error('the server exited at start (npm run build first?)');
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server did not answer /health within 180 s');
    }
    await sleep(50);
  }
  /** A JSON call with the admin key: the parsed answer, or an error naming the status and body. */
  const call = async (method, url, body, headers = {}) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    base,
    port,
    pid: child.pid,
    child,
    bootSeconds: Number(process.hrtime.bigint() - began) / 1e9,
    call,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
