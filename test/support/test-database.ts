import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { embeddedEngine, NATIVE_TEMPLATE, type TestEngine } from './test-engine.js';

export interface TestDatabase {
  url: string;
  /** Set on a server: the schema this test file owns. */
  schema: string | undefined;
  kind: 'server' | 'embedded';
  /** The server of DATABASE_URL, a database of its own on the run's native embedded server, or a private PGlite. */
  engine: TestEngine;
  close(): Promise<void>;
}

/**
 * A fresh database for one test file: on the server (DATABASE_URL set) an empty schema of its own, so files run in
 * parallel; on the native embedded server a database cloned from the migrated template; on PGlite a private
 * embedded PostgreSQL loaded from the template dump.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(serverUrl, `CREATE SCHEMA ${schema}`);
    return {
      url: serverUrl,
      schema,
      kind: 'server',
      engine: 'server',
      close: () => adminQuery(serverUrl, `DROP SCHEMA ${schema} CASCADE`),
    };
  }
  const nativeUrl = process.env.TOUCHPOINT_NATIVE_URL;
  if (nativeUrl) {
    const name = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(nativeUrl, `CREATE DATABASE ${name} TEMPLATE ${NATIVE_TEMPLATE}`);
    const url = new URL(nativeUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      schema: undefined,
      kind: 'embedded',
      engine: 'native',
      close: () => adminQuery(nativeUrl, `DROP DATABASE ${name} WITH (FORCE)`),
    };
  }
  if (embeddedEngine() === 'native') {
    throw new Error('No native test server: jest runs one from test/support/global-setup.ts (jest.config.js)');
  }
  const loadDataDir = await pgliteTemplate();
  const embedded = await EmbeddedPostgres.start({ dataDir: 'memory://', maxConnections: 40, loadDataDir });
  return { url: embedded.url, schema: undefined, kind: 'embedded', engine: 'pglite', close: () => embedded.stop() };
}

let madeTemplate: Promise<Blob> | undefined;

/**
 * An empty PGlite data directory to load (half a second) rather than create (initdb: seconds, a minute on a busy
 * machine): the run's dump under EMBEDDED_DATABASE=pglite (global-setup.ts), otherwise one made once per test file.
 */
export async function pgliteTemplate(): Promise<Blob> {
  const template = process.env.TOUCHPOINT_PGLITE_TEMPLATE;
  if (template) return new Blob([await readFile(template)]);
  madeTemplate ??= (async () => {
    const db = await PGlite.create('memory://');
    try {
      return await db.dumpDataDir('none');
    } finally {
      await db.close();
    }
  })();
  return madeTemplate;
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A pg pool on the test database (its schema first on the search path), for checks behind the API's back. */
export function openPool(database: TestDatabase, max = 4): pg.Pool {
  return new pg.Pool({
    connectionString: database.url,
    max,
    options: database.schema ? `-c search_path=${database.schema}` : undefined,
  });
}
