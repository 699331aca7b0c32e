import { SmtpSink } from '../support/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { realServer } from '../support/test-engine.js';

// Several instances against one database need a real server (DATABASE_URL or the native embedded one): PGlite
// serves one connection at a time, so SKIP LOCKED never skips there (STACK-NOTES).
const onServer = realServer ? describe : describe.skip;

onServer('delivery engine: two schedulers on one database', () => {
  // Ten batches of 200 for two instances to share; FAULT_CONCURRENCY_CONTACTS for a longer race.
  const CONTACTS = Number(process.env.FAULT_CONCURRENCY_CONTACTS ?? 2000);
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    database = await createTestDatabase();
    const env = {
      SMTP_URL: sink.url,
      SCHEDULER_TEST_CLOCK: 'true',
      SCHEDULER_BATCH_SIZE: '200',
      SMTP_MAX_CONNECTIONS: '5',
    };
    a = await startTestApp(env, database);
    b = await startTestApp(env, database);
    const post = (path: string, body: unknown) =>
      a
        .http()
        .post(path)
        .set(a.auth)
        .send(body as object);
    await post('/v1/templates', {
      key: 'hello',
      name: 'Hello',
      variants: [{ locale: 'en', subject: 'Hello {{contact.email}}', html: '<p>Hi</p>' }],
    }).expect(201);
    await post('/v1/segments', {
      key: 'everyone',
      name: 'Everyone',
      rule: { all: [{ field: 'email', op: 'contains', value: '@load.example' }] },
    }).expect(201);
    await post('/v1/sequences', {
      key: 'load',
      name: 'Load',
      steps: [{ key: 'only', dayOffset: 0, template: 'hello' }],
    }).expect(201);
    await post('/v1/sequences/load/activate', {}).expect(200);
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ email: `c${i}@load.example` }));
    await post('/v1/contacts/import', contacts).expect(200);
    const enrolled = await post('/v1/sequences/load/enrollments', {
      segment: 'everyone',
      startAt: '2026-11-24T10:00:00Z',
    }).expect(200);
    expect(enrolled.body.enrolled).toBe(CONTACTS);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
    await sink?.close();
  });

  it('sends every due step exactly once, none lost', async () => {
    const now = { now: '2026-11-24T10:05:00Z' };
    const results = await Promise.all([
      a.http().post('/v1/scheduler/run').set(a.auth).send(now).expect(200),
      b.http().post('/v1/scheduler/run').set(b.auth).send(now).expect(200),
    ]);
    const claimed = results.map((result) => result.body.claimed as number);
    expect(claimed[0] + claimed[1]).toBe(CONTACTS);
    await sink.waitForCount(CONTACTS);
    const recipients = sink.messages.map((message) => message.envelopeTo[0]);
    expect(recipients).toHaveLength(CONTACTS);
    expect(new Set(recipients).size).toBe(CONTACTS);
    const log = await a.pool.query(`SELECT status, count(*)::int AS n FROM deliveries GROUP BY status`);
    expect(log.rows).toEqual([{ status: 'sent', n: CONTACTS }]);
    const left = await a.pool.query(`SELECT count(*)::int AS n FROM enrollments WHERE status <> 'completed'`);
    expect(left.rows[0].n).toBe(0);
  });
});
