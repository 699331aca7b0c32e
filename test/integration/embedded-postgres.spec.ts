import { execFile } from 'node:child_process';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { ExchangeQueryQueue } from '../../src/database/pglite-query-queue.js';
import { pgliteTemplate } from '../support/test-database.js';

/**
 * The embedded database serves many connections with one backend. Their extended-protocol exchanges
 * (Parse, Bind, Execute, Sync) must not interleave: pglite-socket's own queue let one connection's
 * parameters bind to another's statement (see pglite-query-queue.ts).
 *
 * Every instance here loads one empty data directory (pgliteTemplate) instead of running initdb four times.
 */
const execFileAsync = promisify(execFile);

describe('embedded PostgreSQL over its socket', () => {
  let embedded: EmbeddedPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    embedded = await EmbeddedPostgres.start({
      dataDir: 'memory://',
      maxConnections: 10,
      loadDataDir: await pgliteTemplate(),
    });
    pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await embedded.stop();
  });

  it('keeps concurrent parameterised queries of different connections apart', async () => {
    // The client runs in another process, as the server's own pool does against a real socket: large
    // parameters then arrive in several chunks, and another connection's exchange could slip between.
    const script = `
      const pg = require('pg');
      const pool = new pg.Pool({ connectionString: process.argv[1], max: 6 });
      const small = Array.from({ length: 300 }, (_, i) =>
        pool.query('SELECT $1::timestamptz AS v', [new Date(Date.UTC(2026, 0, 1, 0, i))])
          .then((r) => r.rows[0].v.getTime() === Date.UTC(2026, 0, 1, 0, i)));
      const big = Array.from({ length: 30 }, async (_, i) => {
        const client = await pool.connect();
        try {
          await client.query('START TRANSACTION');
          const r = await client.query("SELECT ($1::jsonb ->> 'n')::int AS v", [JSON.stringify({ n: i, pad: 'x'.repeat(300000) })]);
          await client.query('COMMIT');
          return r.rows[0].v === i;
        } finally {
          client.release();
        }
      });
      Promise.allSettled([...small, ...big]).then((results) => {
        const wrong = results.filter((r) => r.status === 'rejected' || r.value !== true);
        console.log(JSON.stringify({ total: results.length, wrong: wrong.length,
          example: wrong[0] && (wrong[0].reason ? String(wrong[0].reason).slice(0, 120) : 'wrong value') }));
        return pool.end();
      });`;
    const { stdout } = await execFileAsync(process.execPath, ['-e', script, embedded.url]);
    expect(JSON.parse(stdout)).toEqual({ total: 330, wrong: 0 });
  });

  it('lets a transaction finish before another connection runs, and frees the backend when a client dies in one', async () => {
    await pool.query('CREATE TABLE counter (n int)');
    await pool.query('INSERT INTO counter VALUES (0)');
    const dying = new pg.Client({ connectionString: embedded.url });
    await dying.connect();
    dying.on('error', () => undefined);
    await dying.query('BEGIN');
    await dying.query('UPDATE counter SET n = 100');
    const other = pool.query<{ n: number }>('SELECT n FROM counter');
    (dying as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await other).rows[0].n).toBe(0); // the dead client's transaction was rolled back, not committed
  });

  it("runs one connection's exchange to its Sync before another's messages, whatever order they arrive in", async () => {
    // The order a large parameter produces over a socket: A's Parse, then all of B's exchange, then the
    // rest of A's. pglite-socket's own queue ran them in that order, binding A's value to B's statement.
    const db = await PGlite.create({ dataDir: 'memory://', loadDataDir: await pgliteTemplate() });
    try {
      const queue = new ExchangeQueryQueue(db);
      const output = { a: [] as Uint8Array[], b: [] as Uint8Array[] };
      const send = (handler: 'a' | 'b', message: Buffer) =>
        queue.enqueue(handler === 'a' ? 1 : 2, new Uint8Array(message), (data) =>
          // PGlite hands out a view of its own memory: copy before the next message overwrites it.
          output[handler].push(Buffer.from(data)),
        );
      await Promise.all([
        send('a', serialize.parse({ text: 'SELECT ($1::int + 1)::text AS v' })),
        send('b', serialize.parse({ text: "SELECT $1::text || '!' AS v" })),
        send('b', serialize.bind({ values: ['b'] })),
        send('b', serialize.execute({})),
        send('b', serialize.sync()),
        send('a', serialize.bind({ values: ['41'] })),
        send('a', serialize.execute({})),
        send('a', serialize.sync()),
      ]);
      const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('latin1');
      expect(text(output.a)).toContain('42');
      expect(text(output.a)).not.toContain('41!');
      expect(text(output.b)).toContain('b!');
    } finally {
      await db.close();
    }
  });
});

/** Inodes of the TCP sockets this process listens on (from /proc: state 0A is LISTEN). */
async function listeningTcpInodes(): Promise<Set<string>> {
  const mine = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) mine.add(inode);
  }
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && mine.has(fields[9])) listening.add(fields[9]);
    }
  }
  return listening;
}

/** What another local user's client gets from where `url` points: 'connected' or the error code. */
async function connectAsAnotherUser(url: string): Promise<string> {
  const parsed = new URL(url);
  const socketDirectory = parsed.searchParams.get('host');
  const target = socketDirectory
    ? { path: `${socketDirectory}/.s.PGSQL.5432` }
    : { host: parsed.hostname, port: Number(parsed.port || 5432) };
  const script = `
    const socket = require('net').connect(JSON.parse(process.argv[1]));
    socket.on('connect', () => { console.log('connected'); socket.destroy(); });
    socket.on('error', (error) => console.log(error.code));`;
  // As nobody: root itself passes every permission check.
  const { stdout } = await execFileAsync(process.execPath, ['-e', script, JSON.stringify(target)], {
    uid: 65534,
    gid: 65534,
  });
  return stdout.trim();
}

describe('who can reach the embedded database', () => {
  // Another user can only be played by root (the test runs its client as nobody); elsewhere this is skipped.
  const root = process.getuid?.() === 0;
  (root ? it : it.skip)(
    'listens on no TCP port and refuses another local user; the app and its own user still connect',
    async () => {
      const before = await listeningTcpInodes();
      const embedded = await EmbeddedPostgres.start({
        dataDir: 'memory://',
        maxConnections: 4,
        loadDataDir: await pgliteTemplate(),
      });
      try {
        const after = await listeningTcpInodes();
        expect([...after].filter((inode) => !before.has(inode))).toEqual([]);
        expect(await connectAsAnotherUser(embedded.url)).toBe('EACCES');
        expect((await stat(embedded.socketPath)).mode & 0o777).toBe(0o700);
        const client = new pg.Client({ connectionString: embedded.url });
        await client.connect();
        expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        await client.end();
      } finally {
        await embedded.stop();
      }
    },
  );

  it('opens a loopback TCP port, without a password, only when asked (EMBEDDED_DATABASE_PORT)', async () => {
    const embedded = await EmbeddedPostgres.start({
      dataDir: 'memory://',
      maxConnections: 4,
      port: 0,
      loadDataDir: await pgliteTemplate(),
    });
    try {
      expect(embedded.tcpAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      const client = new pg.Client({ connectionString: `postgres://postgres@${embedded.tcpAddress}/postgres` });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await embedded.stop();
    }
  });
});
