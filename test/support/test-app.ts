import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type pg from 'pg';
import request from 'supertest';
import { createApp } from '../../src/bootstrap.js';
import { ManualClock } from '../../src/common/clock.js';
import { loadConfig, type Environment } from '../../src/config/app-config.js';
import { SmtpSink } from './smtp-sink.js';
import { createTestDatabase, openPool, type TestDatabase } from './test-database.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: NestExpressApplication;
  database: TestDatabase;
  /** Direct SQL access for assertions about what was (not) written. */
  pool: pg.Pool;
  clock: ManualClock;
  dataDir: string;
  /** A supertest client for the app's HTTP server. */
  http: () => ReturnType<typeof request>;
  /** Authorization header value for admin calls. */
  auth: { Authorization: string };
  /** An authorised admin POST of a JSON body (chain `.expect(…)` on it). */
  post: (path: string, body: unknown) => request.Test;
  close(): Promise<void>;
}

/**
 * Boots the whole application, as `npm start` does, on a fresh database of its own, with a manual clock,
 * the scheduler's interval off (tests run passes explicitly) and the outbox in a temporary directory.
 */
export async function startTestApp(env: Environment = {}, database?: TestDatabase): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-test-'));
  const config = loadConfig({
    ADMIN_API_KEY: ADMIN_KEY,
    SCHEDULER_ENABLED: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://touchpoint.test',
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: db.schema,
    ...env,
  });
  const clock = new ManualClock(new Date('2026-11-24T10:00:00Z'));
  const app = await createApp(config, { clock });
  await app.init();
  const pool = openPool(db);
  const server = app.getHttpServer();
  return {
    app,
    database: db,
    pool,
    clock,
    dataDir,
    http: () => request(server),
    auth: { Authorization: `Bearer ${ADMIN_KEY}` },
    post: (pathname, body) =>
      request(server)
        .post(pathname)
        .set({ Authorization: `Bearer ${ADMIN_KEY}` })
        .send(body as object),
    async close() {
      await app.close();
      await pool.end();
      if (!database) await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface DeliveryTestApp extends TestApp {
  /** The real SMTP server this app sends to; `close()` stops it with the app. */
  sink: SmtpSink;
}

/** The delivery tests' setup: the app sending to an SMTP server of its own, with the test clock allowed. */
export async function startDeliveryTestApp(env: Environment = {}): Promise<DeliveryTestApp> {
  const sink = await SmtpSink.start();
  try {
    const app = await startTestApp({ SMTP_URL: sink.url, SCHEDULER_TEST_CLOCK: 'true', ...env });
    return {
      ...app,
      sink,
      async close() {
        await app.close();
        await sink.close();
      },
    };
  } catch (error) {
    await sink.close();
    throw error;
  }
}
