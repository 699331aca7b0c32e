import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ExchangeQueryQueue } from './pglite-query-queue.js';

/**
 * PostgreSQL embedded in the process (PGlite), reached over a loopback socket with the ordinary
 * `pg` driver, so the embedded default and a real server share one code path and one SQL dialect.
 * One backend serves every connection: fine for a laptop or a small shop, not for scale-out.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lockFile: string | undefined,
    readonly url: string,
  ) {}

  /** Opens (creating on first use) the database under `dataDir`, or an in-memory one for `memory://`. */
  static async start(options: {
    dataDir: string;
    /** Loopback port of the socket; 0 or omitted: any free port. */
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
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections,
    });
    // Handlers take the server's queue when a client connects, so swapping it before start() is enough.
    (server as unknown as { queryQueue: ExchangeQueryQueue }).queryQueue = new ExchangeQueryQueue(db);
    await server.start();
    return new EmbeddedPostgres(db, server, lockFile, `postgres://postgres@${server.getServerConn()}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    if (this.lockFile) await rm(this.lockFile, { force: true });
  }
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
