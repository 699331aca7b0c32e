import { chown, mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../src/database/native/process-guard.js';
import { removeDataDir } from '../support/data-dir.js';
import { ServerProcess } from '../support/server-process.js';
import { testEngine } from '../support/test-engine.js';

/**
 * The native embedded PostgreSQL lives and dies with the built server (`dist/main.js`, as `npm start` runs it):
 * no server is left behind after SIGTERM or SIGKILL of the app, a server or pid file left by a harder crash is
 * dealt with by the next start, and a second app on the same DATA_DIR is refused. Runs where the embedded engine
 * is native (the default; skipped with DATABASE_URL or EMBEDDED_DATABASE=pglite).
 */
const native = testEngine() === 'native' ? describe : describe.skip;
const CEILING = 60_000;
/** Several boots of the built server each: a generous ceiling for a busy machine, never a measure of its speed. */
const TEST_TIMEOUT = 10 * 60_000;

native('native embedded PostgreSQL: started and stopped with the app', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  const start = async (as?: { uid: number; gid: number }) =>
    (server = await ServerProcess.start({ DATA_DIR: dataDir, EMBEDDED_DATABASE: 'native', LOG_LEVEL: 'info' }, as));

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-native-'));
  });
  afterEach(async () => {
    await server?.kill();
    server = undefined;
    // A failing test must not leave a server behind either.
    const pid = await postmasterPid().catch(() => undefined);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGQUIT');
    await removeDataDir(dataDir);
  });

  async function postmasterPid(): Promise<number> {
    return Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  }

  it(
    'stops the server on SIGTERM at once, and through its watchdog when the app is SIGKILLed',
    async () => {
      let app = await start();
      const first = await postmasterPid();
      expect(isAlive(first)).toBe(true);
      expect(await watchdogOf(first)).toBeDefined();
      await app.kill();
      await waitUntil(() => !isAlive(first), 'the postmaster outlived its SIGKILLed app');
      // The watchdog ends itself once the server is down (it looks once a second).
      await waitUntilAsync(async () => (await watchdogOf(first)) === undefined, 'the watchdog outlived its server');

      app = await start(); // the same DATA_DIR comes up again
      const second = await postmasterPid();
      expect(second).not.toBe(first);
      expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
      server = undefined;
      // Stopped in the shutdown hooks, before the app exited: nothing to wait for.
      expect(isAlive(second)).toBe(false);
      expect(await watchdogOf(second)).toBeUndefined();
    },
    TEST_TIMEOUT,
  );

  it(
    'stops a server orphaned with its watchdog at the next start, and recovers from a stale postmaster.pid',
    async () => {
      let app = await start();
      expect((await app.request('POST', '/v1/contacts', { email: 'kept@example.com' })).status).toBe(201);
      // The watchdog is gone too (a `kill -9` of the whole group would do this): the orphan keeps running.
      const orphan = await postmasterPid();
      process.kill((await watchdogOf(orphan))!, 'SIGKILL');
      await app.kill();
      expect(isAlive(orphan)).toBe(true);

      app = await start();
      expect(isAlive(orphan)).toBe(false);
      // Now everything dies at once, the postmaster too: its postmaster.pid stays behind, stale.
      const crashed = await postmasterPid();
      process.kill((await watchdogOf(crashed))!, 'SIGKILL');
      process.kill(crashed, 'SIGKILL');
      await app.kill();
      await waitUntil(() => !isAlive(crashed), 'the SIGKILLed postmaster is still there');

      app = await start();
      const contacts = await app.request('GET', '/v1/contacts');
      expect(contacts.body).toMatchObject({ items: [{ email: 'kept@example.com' }] });
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses a second app on the same DATA_DIR, naming the first',
    async () => {
      const first = await start();
      const second = ServerProcess.start({ DATA_DIR: dataDir, EMBEDDED_DATABASE: 'native' });
      await expect(second).rejects.toThrow(/in use by another Touchpoint \(process \d+\)/);
      expect((await first.request('GET', '/health')).status).toBe(200);
    },
    TEST_TIMEOUT,
  );

  // Only root can play another account; as root the server itself runs as `postgres` (the other tests).
  (process.getuid?.() === 0 ? it : it.skip)(
    'runs as a normal user, the server as that user',
    async () => {
      const nobody = { uid: 65534, gid: 65534 };
      await chown(dataDir, nobody.uid, nobody.gid);
      await start(nobody);
      const status = await readFile(`/proc/${await postmasterPid()}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(String(nobody.uid));
    },
    TEST_TIMEOUT,
  );
});

/** The watchdog process that stops `postmaster` when its app is gone, found through /proc. */
async function watchdogOf(postmaster: number): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = commandLine.split('\0');
    if (args.includes('touchpoint-postgres-watchdog') && args.includes(String(postmaster)) && isAlive(Number(entry))) {
      return Number(entry);
    }
  }
  return undefined;
}

async function waitUntil(condition: () => boolean, message: string): Promise<void> {
  return waitUntilAsync(async () => condition(), message);
}

async function waitUntilAsync(condition: () => Promise<boolean>, message: string): Promise<void> {
  const deadline = Date.now() + CEILING;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
