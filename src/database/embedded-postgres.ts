import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ExchangeQueryQueue } from './pglite-query-queue.js';

/** The name libpq and `pg` look for in a socket directory (`host=<directory>`, default port). */
const SOCKET_NAME = '.s.PGSQL.5432';
/** sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH = 103;

/**
 * PostgreSQL embedded in the process (PGlite), reached with the ordinary `pg` driver, so the embedded default
 * and a real server share one code path and one SQL dialect. One backend serves every connection: fine for a
 * laptop or a small shop, not for scale-out.
 *
 * PGlite's socket server asks no password and holds the token-signing secret, so the app reaches it over a
 * unix socket in a directory only this user can enter (0700). A loopback TCP port, for psql or a script, is
 * opt-in: any local user can connect to it.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly servers: PGLiteSocketServer[],
    private readonly lockFile: string | undefined,
    private readonly socketDirectory: { path: string; temporary: boolean },
    /** The loopback TCP address (`127.0.0.1:<port>`) when one was asked for. */
    readonly tcpAddress: string | undefined,
  ) {}

  /** Where the app connects: the private unix socket (`pg` reads the directory from `host`). */
  get url(): string {
    return `postgres://postgres@localhost/postgres?host=${encodeURIComponent(this.socketDirectory.path)}`;
  }

  /** The socket directory, for `psql -h <directory> -U postgres` by the same OS user. */
  get socketPath(): string {
    return this.socketDirectory.path;
  }

  /** Opens (creating on first use) the database under `dataDir`, or an in-memory one for `memory://`. */
  static async start(options: {
    dataDir: string;
    /** Also listen on this loopback TCP port (0: any free port); omitted: the unix socket only. */
    port?: number;
    maxConnections: number;
    loadDataDir?: Blob;
  }): Promise<EmbeddedPostgres> {
    let lockFile: string | undefined;
    let db: PGlite;
    if (options.dataDir === 'memory://') {
      db = await PGlite.create({ dataDir: 'memory://', loadDataDir: options.loadDataDir });
    } else {
      const directory = path.join(options.dataDir, 'pgdata');
      await mkdir(directory, { recursive: true });
      lockFile = path.join(options.dataDir, 'pgdata.lock');
      await acquireLock(lockFile);
      try {
        db = await PGlite.create({ dataDir: directory });
      } catch (error) {
        await rm(lockFile, { force: true });
        throw error;
      }
    }
    const servers: PGLiteSocketServer[] = [];
    let socketDirectory: { path: string; temporary: boolean } | undefined;
    try {
      socketDirectory = await privateSocketDirectory(options.dataDir);
      // Handlers take their server's queue when a client connects, so swapping it before start() is enough; the
      // unix socket and the TCP port share one queue, as they share the one backend.
      const queue = new ExchangeQueryQueue(db);
      const listen = async (where: { path: string } | { host: string; port: number }) => {
        const server = new PGLiteSocketServer({ db, ...where, maxConnections: options.maxConnections });
        (server as unknown as { queryQueue: ExchangeQueryQueue }).queryQueue = queue;
        await server.start();
        servers.push(server);
        return server;
      };
      const socketFile = path.join(socketDirectory.path, SOCKET_NAME);
      // A socket file left by a killed process (the lock above says none is running) would refuse the listen.
      await rm(socketFile, { force: true });
      await listen({ path: socketFile });
      await chmod(socketFile, 0o600);
      const tcp = options.port === undefined ? undefined : await listen({ host: '127.0.0.1', port: options.port });
      return new EmbeddedPostgres(db, servers, lockFile, socketDirectory, tcp?.getServerConn());
    } catch (error) {
      for (const server of servers) await server.stop().catch(() => undefined);
      if (socketDirectory?.temporary) await rm(socketDirectory.path, { recursive: true, force: true });
      await db.close().catch(() => undefined);
      if (lockFile) await rm(lockFile, { force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    for (const server of this.servers) await server.stop();
    await this.db.close();
    if (this.socketDirectory.temporary) await rm(this.socketDirectory.path, { recursive: true, force: true });
    if (this.lockFile) await rm(this.lockFile, { force: true });
  }
}

/**
 * `DATA_DIR/socket`, or a fresh directory under the system's temporary one when there is no data directory
 * (`memory://`) or its path is too long for a socket; either way mode 0700, so other users cannot connect.
 */
async function privateSocketDirectory(dataDir: string): Promise<{ path: string; temporary: boolean }> {
  if (dataDir !== 'memory://') {
    const directory = path.join(dataDir, 'socket');
    if (Buffer.byteLength(path.join(directory, SOCKET_NAME)) <= MAX_SOCKET_PATH) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await chmod(directory, 0o700); // mkdir leaves an existing directory's mode as it was
      return { path: directory, temporary: false };
    }
  }
  return { path: await mkdtemp(path.join(os.tmpdir(), 'touchpoint-db-')), temporary: true };
}

/** Two processes writing one PGlite directory would corrupt it, so the second one is refused. */
async function acquireLock(lockFile: string): Promise<void> {
  const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(
      `The embedded database in ${path.dirname(lockFile)} is in use by process ${holder}. ` +
        'Stop it, use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server between instances.',
    );
  }
  await writeFile(lockFile, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
