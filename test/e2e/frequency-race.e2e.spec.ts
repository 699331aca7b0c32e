import { RESERVE_SQL } from '../../src/delivery/pacing.repository.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { realServer } from '../support/test-engine.js';

// Two instances on one database need a real server (DATABASE_URL or the native embedded one): PGlite serves one
// connection at a time, so the instances would never truly race there.
const onServer = realServer ? describe : describe.skip;

/**
 * The frequency cap across instances: two schedulers pass at the same moment over contacts who each have two
 * sequences due, with a cap of one email a day. Claims of one enrollment at a time make the two instances take
 * turns through the due rows, so the two enrollments of a contact are often in flight on both at once; the
 * ledger row's lock (pacing.repository.ts) must let exactly one of them through.
 */
onServer('frequency cap: two scheduler instances racing for the same contacts', () => {
  const CONTACTS = 30;
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    database = await createTestDatabase();
    const env = { SMTP_URL: sink.url, SCHEDULER_TEST_CLOCK: 'true', SCHEDULER_BATCH_SIZE: '1' };
    a = await startTestApp(env, database);
    b = await startTestApp(env, database);
    await a
      .post('/v1/templates', {
        key: 'hello',
        name: 'Hello',
        variants: [{ locale: 'en', subject: 'Hello {{sequence.name}}', html: '<p>Hi</p>' }],
      })
      .expect(201);
    await a
      .post(
        '/v1/contacts/import',
        Array.from({ length: CONTACTS }, (_, i) => ({ email: `r${i}@race.example` })),
      )
      .expect(200);
    for (const key of ['first', 'second']) {
      await a
        .post('/v1/sequences', { key, name: key, steps: [{ key: 'only', dayOffset: 0, template: 'hello' }] })
        .expect(201);
      await a.post(`/v1/sequences/${key}/activate`, {}).expect(200);
    }
    // A contact's two enrollments are due the same second, each contact a second after the one before: the claims
    // (in due order) take a contact's two one after the other, so the two instances usually hold one each.
    for (let i = 0; i < CONTACTS; i++) {
      const startAt = new Date(Date.parse('2026-11-24T10:00:00Z') + i * 1000).toISOString();
      for (const key of ['first', 'second']) {
        await a.post(`/v1/sequences/${key}/enrollments`, { email: `r${i}@race.example`, startAt }).expect(201);
      }
    }
    await a
      .http()
      .put('/v1/settings')
      .set(a.auth)
      .send({ frequencyCap: { maxPerDay: 1 }, quietDates: [] })
      .expect(200);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
    await sink?.close();
  });

  it('sends each contact exactly one email; the other is deferred with reason frequency', async () => {
    const now = { now: '2026-11-24T10:05:00Z' };
    const results = await Promise.all([
      a.http().post('/v1/scheduler/run').set(a.auth).send(now).expect(200),
      b.http().post('/v1/scheduler/run').set(b.auth).send(now).expect(200),
    ]);
    const [ra, rb] = results.map((result) => result.body as { claimed: number; sent: number; deferred: number });
    // How the claims split between the instances is up to timing; that no contact got two emails is not.
    expect(ra.claimed + rb.claimed).toBe(2 * CONTACTS);
    expect(ra.sent + rb.sent).toBe(CONTACTS);
    expect(ra.deferred + rb.deferred).toBe(CONTACTS);

    await sink.waitForCount(CONTACTS);
    const recipients = sink.messages.map((message) => message.envelopeTo[0]);
    expect(recipients).toHaveLength(CONTACTS);
    expect(new Set(recipients).size).toBe(CONTACTS);
    const log = await a.pool.query<{ status: string; reason: string | null; n: number }>(
      `SELECT status, split_part(reason, ':', 1) AS reason, count(*)::int AS n
       FROM deliveries GROUP BY 1, 2 ORDER BY 1`,
    );
    expect(log.rows).toEqual([
      { status: 'deferred', reason: 'frequency', n: CONTACTS },
      { status: 'sent', reason: null, n: CONTACTS },
    ]);
    // Each ledger holds the one send.
    const ledgers = await a.pool.query<{ n: number }>(
      `SELECT cardinality(sends) AS n, count(*)::int AS contacts FROM contact_pacing GROUP BY 1`,
    );
    expect(ledgers.rows).toEqual([{ n: 1, contacts: CONTACTS }]);
  });

  it('checks the cap on the contact’s ledger row by primary key, never by reading the delivery log', async () => {
    // The engine's own statement, EXPLAINed with parameters of the types it runs with (docs/frequency-cap.md).
    const ids = await a.pool.query<{ id: string }>(`SELECT id FROM contacts ORDER BY id LIMIT 10`);
    const plan = await a.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${RESERVE_SQL}`, [
      ids.rows.map((row) => row.id),
      new Date('2026-11-25T10:00:00Z'),
      [],
      2,
      null,
      20,
    ]);
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain('Conflict Arbiter Indexes: contact_pacing_pkey');
    expect(text).not.toMatch(/deliveries|Seq Scan on contact_pacing/);
  });
});
