import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { EmbeddedWorkerReply } from './embedded-postgres-worker.js';
import { ExchangeQueryQueue } from './pglite-query-queue.js';

export interface EmbeddedPostgresOptions {
  /** A directory (the database goes in its `pgdata/`), or `memory://`. */
  dataDir: string;
  /** Loopback port of the socket; 0 or omitted: any free port. */
  port?: number;
  maxConnections: number;
  loadDataDir?: Blob;
}

/** An embedded database being served: where to connect, and how to close it. */
export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL embedded in the process (PGlite), reached over a loopback socket with the ordinary
 * `pg` driver, so the embedded default and a real server share one code path and one SQL dialect.
 * One backend serves every connection: fine for a laptop or a small shop, not for scale-out.
 */
export class EmbeddedPostgres implements EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lockFile: string | undefined,
    readonly url: string,
  ) {}

  /** Opens (creating on first use) the database under `dataDir`, or an in-memory one for `memory://`. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
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

/**
 * The embedded database on a worker thread of its own (the server's default). PGlite executes every query
 * synchronously in WebAssembly on the thread that owns it: on the main thread, each query stopped the
 * scheduler, rendering and HTTP for its whole duration, and that one thread bounded the engine. Here the
 * database gets a core while the main thread works; clients reach it over the same loopback socket.
 * The database dying takes the process down (`onLost`), as it would if it ran in the main thread.
 */
export class EmbeddedPostgresThread implements EmbeddedDatabase {
  private stopping = false;

  private constructor(
    private readonly worker: Worker,
    readonly url: string,
  ) {}

  static async start(
    options: Omit<EmbeddedPostgresOptions, 'loadDataDir'>,
    onLost: (reason: string) => void,
  ): Promise<EmbeddedPostgresThread> {
    const worker = new Worker(workerScript(), { workerData: options });
    const url = await new Promise<string>((resolve, reject) => {
      worker.once('message', (reply: EmbeddedWorkerReply) =>
        reply.kind === 'started'
          ? resolve(reply.url)
          : reject(new Error(reply.kind === 'failed' ? reply.message : 'stopped')),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`embedded database thread exited (code ${code}) while opening`)));
    });
    const thread = new EmbeddedPostgresThread(worker, url);
    worker.removeAllListeners();
    worker.on('error', (error) => thread.lost(`embedded database thread failed: ${error.message}`, onLost));
    worker.on('exit', (code) => thread.lost(`embedded database thread exited (code ${code})`, onLost));
    return thread;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    // A database that cannot close within this is stopped the hard way (as a crash would).
    const timer = setTimeout(() => void this.worker.terminate(), 15_000);
    await exited;
    clearTimeout(timer);
  }

  private lost(reason: string, onLost: (reason: string) => void): void {
    if (!this.stopping) onLost(reason);
  }
}

/**
 * The compiled worker next to this module; under ts-jest this module is TypeScript source and the worker
 * is taken from dist/ (`npm test` builds first).
 */
function workerScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'embedded-postgres-worker.js');
  return existsSync(beside) ? beside : path.resolve(here, '../../dist/database/embedded-postgres-worker.js');
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
