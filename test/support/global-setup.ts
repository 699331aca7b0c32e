import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type * as MigrationsModule from '../../src/database/migrations/index.js';
import type * as NativeModule from '../../src/database/native/native-postgres.js';

// As test-engine.ts says (Node's loader cannot import that .ts file here).
const NATIVE_TEMPLATE = 'touchpoint_template';
const embeddedEngine = () => (process.env.EMBEDDED_DATABASE?.toLowerCase() === 'pglite' ? 'pglite' : 'native');

declare global {
  var touchpointTestServer: { server: NativeModule.NativePostgres; dataDir: string } | undefined;
}

/**
 * Native embedded (the default): one PostgreSQL server for the whole run, with a migrated template database that
 * every test file clones (`CREATE DATABASE … TEMPLATE`, a few milliseconds). PGlite: creating a database costs
 * seconds and loading a dumped one half a second, so one empty database is dumped here and every test file loads
 * its own copy (see test-database.ts). On a server (DATABASE_URL) each file makes a schema of its own.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  if (embeddedEngine() === 'native') return startNativeServer();
  const db = await PGlite.create('memory://');
  const dump = await db.dumpDataDir('none');
  await db.close();
  const file = path.join(os.tmpdir(), `touchpoint-pglite-template-${process.pid}.tar`);
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  process.env.TOUCHPOINT_PGLITE_TEMPLATE = file;
}

async function startNativeServer(): Promise<void> {
  // Jest loads this file with Node's own ESM loader, which cannot map the sources' `.js` imports to `.ts`: the
  // server and the migrations are the built ones (`npm test` builds first; a stale build is rebuilt here).
  buildIfStale();
  const { NativePostgres } = (await import(built('database/native/native-postgres.js'))) as typeof NativeModule;
  const { migrations } = (await import(built('database/migrations/index.js'))) as typeof MigrationsModule;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-test-server-'));
  const server = await NativePostgres.start({
    dataDir,
    // Test data is thrown away: durability is not worth the fsyncs.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  globalThis.touchpointTestServer = { server, dataDir };
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${NATIVE_TEMPLATE}`);
  await admin.end();
  const template = new DataSource({
    type: 'postgres',
    url: server.url(NATIVE_TEMPLATE),
    migrations,
    migrationsTransactionMode: 'each',
  });
  await template.initialize();
  await template.runMigrations();
  await template.destroy();
  process.env.TOUCHPOINT_NATIVE_URL = server.url('postgres');
}

function built(file: string): string {
  return pathToFileURL(path.resolve('dist', file)).href;
}

/** Rebuilds dist/ when a source file of src/database is newer than its build (a single test file run by hand). */
function buildIfStale(): void {
  const stale = (directory: string): boolean =>
    readdirSync(path.resolve('src', directory), { withFileTypes: true }).some((entry) => {
      const relative = path.join(directory, entry.name);
      if (entry.isDirectory()) return stale(relative);
      if (!entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) return false;
      const output = path.resolve('dist', relative.replace(/\.ts$/, '.js'));
      try {
        return statSync(output).mtimeMs < statSync(path.resolve('src', relative)).mtimeMs;
      } catch {
        return true;
      }
    });
  if (!stale('database')) return;
  process.stderr.write('\nglobal setup: dist/ is older than src/database, building (npm run build)\n');
  execFileSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
