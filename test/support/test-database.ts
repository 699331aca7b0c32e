import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';

export interface TestDatabase {
  url: string;
  /** Set on a server: the schema this test file owns. */
  schema: string | undefined;
  kind: 'server' | 'embedded';
  close(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: on the server (DATABASE_URL set) a schema of its own, so
 * files run in parallel; otherwise a private embedded PostgreSQL loaded from the template dump.
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
      close: () => adminQuery(serverUrl, `DROP SCHEMA ${schema} CASCADE`),
    };
  }
  const template = process.env.TOUCHPOINT_PGLITE_TEMPLATE;
  const loadDataDir = template ? new Blob([await readFile(template)]) : undefined;
  const embedded = await EmbeddedPostgres.start({ dataDir: 'memory://', maxConnections: 40, loadDataDir });
  return { url: embedded.url, schema: undefined, kind: 'embedded', close: () => embedded.stop() };
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
