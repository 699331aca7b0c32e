import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app-config.js';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { NativePostgres } from '../../src/database/native/native-postgres.js';
import { freePort } from '../support/server-process.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-database.js';
import { testEngine } from '../support/test-engine.js';

describe('service basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers /health with the database up', async () => {
    await t.http().get('/health').expect(200, { status: 'ok', db: 'up', smtp: 'outbox' });
  });

  it('serves Prometheus metrics with the default process metrics, without the admin key', async () => {
    const response = await t.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toContain('touchpoint_process_cpu_user_seconds_total');
  });

  it('serves the OpenAPI document and UI', async () => {
    const spec = await t.http().get('/docs/openapi.json').expect(200);
    expect(spec.body.info.title).toBe('Touchpoint');
    expect(spec.body.paths['/health']).toBeDefined();
    await t.http().get('/docs').expect(200);
  });

  it('refuses /v1 without the key or with a wrong one, with a request id in the error', async () => {
    const missing = await t.http().get('/v1/contacts').expect(401);
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(missing.body.requestId).toEqual(missing.headers['x-request-id']);
    await t.http().get('/v1/contacts').set('Authorization', 'Bearer wrong-key-wrong-key-wrong').expect(401);
    await t.http().get('/v1/contacts').set('Authorization', ADMIN_KEY).expect(401);
  });

  it("keeps a caller's request id", async () => {
    const response = await t.http().get('/v1/nothing-here').set('X-Request-Id', 'trace-123').expect(401);
    expect(response.body.requestId).toBe('trace-123');
  });

  it('refuses bodies over the limit with 413 and malformed JSON with 400, in Nest error shape', async () => {
    const big = JSON.stringify({ email: 'x@example.com', firstName: 'x'.repeat(1_100_000) });
    const tooLarge = await t.http().post('/v1/contacts').set(t.auth).set('Content-Type', 'application/json').send(big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    const bad = await t
      .http()
      .post('/v1/contacts')
      .set(t.auth)
      .set('Content-Type', 'application/json')
      .send('{"email":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });
});

describe('health when the database is gone', () => {
  it('answers 503 naming the database as down', async () => {
    // A database of its own that can be taken away: on the shared server (DATABASE_URL) a private PGlite, elsewhere
    // the file's own (the native server drops it, connections and all; PGlite stops).
    const database =
      testEngine() === 'server'
        ? await EmbeddedPostgres.start({ dataDir: 'memory://', maxConnections: 20 }).then((embedded) => ({
            url: embedded.url,
            close: () => embedded.stop(),
          }))
        : await createTestDatabase();
    const app = await createApp(
      loadConfig({
        DATABASE_URL: database.url,
        ADMIN_API_KEY: ADMIN_KEY,
        LOG_LEVEL: 'silent',
        SCHEDULER_ENABLED: 'false',
      }),
    );
    await app.init();
    try {
      await request(app.getHttpServer()).get('/health').expect(200);
      await database.close();
      const response = await request(app.getHttpServer()).get('/health').expect(503);
      expect(response.body).toMatchObject({ status: 'error', db: 'down' });
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});

/** Both embedded engines while PGlite stays selectable (EMBEDDED_DATABASE=pglite); native is the default. */
describe.each(['native', 'pglite'])('embedded PostgreSQL under DATA_DIR (%s)', (engine) => {
  const base = { EMBEDDED_DATABASE: engine, ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', SCHEDULER_ENABLED: 'false' };

  // One data directory for both claims: booting an embedded database on a fresh directory (initdb, migrations) is
  // most of this file's time.
  it('answers psql on EMBEDDED_DATABASE_PORT, next to the service, and keeps the data across a restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-persist-'));
    const env = { ...base, DATA_DIR: dataDir };
    try {
      const port = await freePort();
      const first = await createApp(loadConfig({ ...env, EMBEDDED_DATABASE_PORT: String(port) }));
      await first.init();
      // Native asks the password kept in DATA_DIR (0600); PGlite asks none.
      const password =
        engine === 'native' ? (await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim() : undefined;
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
      try {
        await request(first.getHttpServer())
          .post('/v1/contacts')
          .set('Authorization', `Bearer ${ADMIN_KEY}`)
          .send({ email: 'persist@example.com' })
          .expect(201);
        await client.connect();
        const { rows } = await client.query(`SELECT email FROM contacts`);
        expect(rows).toEqual([{ email: 'persist@example.com' }]);
      } finally {
        await client.end().catch(() => undefined);
        await first.close();
      }

      const second = await createApp(loadConfig(env));
      await second.init();
      const rows = await second.get(DataSource).query(`SELECT email FROM contacts`);
      await second.close();
      expect(rows).toEqual([{ email: 'persist@example.com' }]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a second process on the same data directory', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-lock-'));
    try {
      // PID 1 is always alive: the directory looks held by another process.
      await writeFile(path.join(dataDir, engine === 'native' ? 'postgres.lock' : 'pgdata.lock'), '1');
      if (engine === 'native') {
        await expect(NativePostgres.start({ dataDir })).rejects.toThrow(/in use by another Touchpoint \(process 1\)/);
      } else {
        await expect(EmbeddedPostgres.start({ dataDir, maxConnections: 2 })).rejects.toThrow(/in use by process 1/);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
