import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { removeDataDir } from './data-dir.js';
import { SmtpSink } from './smtp-sink.js';
import { ADMIN_KEY } from './test-app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { embeddedEngine } from './test-engine.js';

const MAIN = path.resolve('dist/main.js');

/**
 * The built server (`dist/main.js`, as `npm start` runs it) in a process of its own, so a test can
 * SIGKILL it at any instruction — what no in-process simulation of a crash can do.
 */
export class ServerProcess {
  private output = '';
  private exited: Promise<Exit>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `as`: another OS account to run it as (only root can). */
  static async start(env: Record<string, string>, as?: { uid: number; gid: number }): Promise<ServerProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does it first)`);
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        ADMIN_API_KEY: ADMIN_KEY,
        LOG_LEVEL: 'warn',
        PUBLIC_URL: 'http://touchpoint.test',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...as,
    });
    const server = new ServerProcess(child, port);
    await server.waitHealthy();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the process wrote, for a failing assertion's message. */
  get log(): string {
    return this.output;
  }

  async request(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(this.url + pathname, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    }).catch((error: unknown) => {
      throw new Error(`${method} ${pathname}: ${String(error)}\n${this.output}`);
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * SIGTERM: the graceful path (the pass in flight finishes, the pool closes). NestJS's shutdown hooks
   * re-raise the signal once done, so a clean stop ends by SIGTERM rather than with code 0.
   */
  async stop(): Promise<Exit> {
    this.child.kill('SIGTERM');
    return this.exited;
  }

  private keep(chunk: Buffer): void {
    if (process.env.SERVER_PROCESS_LOG) appendFileSync(process.env.SERVER_PROCESS_LOG, chunk);
    this.output = (this.output + chunk.toString()).slice(-8000);
  }

  // A ceiling, not a measure: a busy machine has taken over 30 s to boot the server; a first start also creates the embedded cluster.
  private async waitHealthy(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exit: Exit | undefined;
    void this.exited.then((result) => (exit = result));
    while (Date.now() < deadline) {
      if (exit) throw new Error(`server exited (${JSON.stringify(exit)}) before it was healthy:\n${this.output}`);
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.kill();
    throw new Error(`server not healthy after ${timeoutMs} ms:\n${this.output}`);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** What a test of the built server needs around it: an SMTP sink, a DATA_DIR and, on the server, a schema of its own. */
export interface ServerSurroundings {
  sink: SmtpSink;
  dataDir: string;
  database: TestDatabase | undefined;
  /**
   * SMTP_URL and DATA_DIR, and DATABASE_URL and DATABASE_SCHEMA with a database (else EMBEDDED_DATABASE): the base
   * of ServerProcess.start's env.
   */
  env: Record<string, string>;
  /** Kills `server` if given, then closes the sink and the database and removes the directory. */
  close(server?: ServerProcess): Promise<void>;
}

export async function prepareServerSurroundings(options: {
  dataDirPrefix: string;
  withDatabase: boolean;
}): Promise<ServerSurroundings> {
  const sink = await SmtpSink.start();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), options.dataDirPrefix));
  const database = options.withDatabase ? await createTestDatabase() : undefined;
  return {
    sink,
    dataDir,
    database,
    env: {
      SMTP_URL: sink.url,
      DATA_DIR: dataDir,
      ...(database
        ? { DATABASE_URL: database.url, ...(database.schema ? { DATABASE_SCHEMA: database.schema } : {}) }
        : { EMBEDDED_DATABASE: embeddedEngine() }),
    },
    async close(server) {
      await server?.kill();
      await sink.close();
      await database?.close();
      await removeDataDir(dataDir);
    },
  };
}
