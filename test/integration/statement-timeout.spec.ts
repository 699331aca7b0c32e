import { DataSource } from 'typeorm';
import { withStatementTimeout } from '../../src/database/statement-timeout.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { realServer } from '../support/test-engine.js';

/**
 * DATABASE_STATEMENT_TIMEOUT_MS bounds what an HTTP request makes the database do; background work (the
 * scheduler, migrations) is not cut. On PGlite statement_timeout is accepted and ignored (measured with 500 ms:
 * pg_sleep(3) ran 3 s, a 30-million-row count 18.5 s), so these run on a real server only (DATABASE_URL or the
 * native embedded one).
 */
(realServer ? describe : describe.skip)('the statement timeout of API queries (not on PGlite: it ignores it)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One pooled connection: the request's statements and the background ones take turns on the same session.
    t = await startTestApp({ DATABASE_STATEMENT_TIMEOUT_MS: '300', DATABASE_POOL_SIZE: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Holds the contacts table locked from another session until the returned function is called. */
  async function lockContacts(): Promise<() => Promise<void>> {
    const client = await t.pool.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await client.query('ROLLBACK');
      client.release();
    };
  }

  it('cancels a request that keeps the database busy past the limit and answers 503, not 500', async () => {
    const release = await lockContacts();
    try {
      // Without a limit the request would wait for the lock as long as it is held: the client gives up first.
      const response = await t.http().get('/v1/contacts').set(t.auth).timeout(20_000).expect(503);
      expect(response.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/took too long to answer and the query was cancelled/),
      });
    } finally {
      await release();
    }
    await t.http().get('/v1/contacts').set(t.auth).expect(200);
  });

  it("applies the limit to the app's own DataSource inside a request's scope only", async () => {
    const dataSource = t.app.get(DataSource);
    const cancelled = await withStatementTimeout(300, () => dataSource.query('SELECT pg_sleep(2)')).catch(
      (error: unknown) => error,
    );
    expect(cancelled).toMatchObject({ driverError: { code: '57014' } });
    // Background work on the same pool (the scheduler's passes, migrations) runs as long as it takes.
    await expect(dataSource.query('SELECT pg_sleep(0.6) AS slept')).resolves.toEqual([{ slept: '' }]);
  });
});
