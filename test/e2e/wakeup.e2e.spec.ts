import { SmtpSink } from '../support/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Wake-ups between instances go through PostgreSQL LISTEN/NOTIFY. PGlite's one backend hands a notification to
// the connection that sent it, never to a listener, and it serves one process anyway (its own writes wake its
// scheduler in-process: delivery.e2e covers that). This runs with DATABASE_URL.
const onServer = process.env.DATABASE_URL ? describe : describe.skip;

/** Long enough that only a wake-up can explain a send within the test. */
const TEN_MINUTES = String(10 * 60_000);

onServer('wake-ups across instances (LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  let api: TestApp;
  let scheduling: TestApp;
  let sink: SmtpSink;
  let signups = 0;

  const signup = async () => {
    const email = `s${signups++}@wakeup.test`;
    const response = await api.post('/v1/events', { email, name: 'signup' }).expect(202);
    expect(response.body.enrolled).toEqual(['welcome']);
  };

  beforeAll(async () => {
    sink = await SmtpSink.start();
    database = await createTestDatabase();
    api = await startTestApp({ SMTP_URL: sink.url }, database);
    scheduling = await startTestApp(
      { SMTP_URL: sink.url, SCHEDULER_ENABLED: 'true', SCHEDULER_INTERVAL_MS: TEN_MINUTES },
      database,
    );
    await api
      .post('/v1/templates', {
        key: 'welcome',
        name: 'Welcome',
        variants: [{ locale: 'en', subject: 'Welcome {{contact.email}}', html: '<p>Hi</p>' }],
      })
      .expect(201);
    await api
      .post('/v1/sequences', {
        key: 'welcome',
        name: 'Welcome',
        triggerEvent: 'signup',
        steps: [{ key: 'hello', dayOffset: 0, template: 'welcome' }],
      })
      .expect(201);
    await api.post('/v1/sequences/welcome/activate', {}).expect(200);
  });

  afterAll(async () => {
    await api?.close();
    await scheduling?.close();
    await database?.close();
    await sink?.close();
  });

  it('an event received by an API-only instance is sent by the scheduling instance, not at its next interval', async () => {
    for (let i = 0; i < 30; i++) await signup();
    await sink.waitForCount(30, 60_000);
    const recipients = sink.messages.map((message) => message.envelopeTo[0]);
    expect(new Set(recipients).size).toBe(30);
  });

  it('the listener reconnects after its connection is terminated, and later events still wake the scheduler', async () => {
    const listener = `touchpoint-wakeup/${database.schema}`;
    // Two statements: in one WHERE, PostgreSQL may call pg_terminate_backend before filtering on the name.
    const found = await api.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1`,
      [listener],
    );
    expect(found.rowCount).toBe(1);
    const oldPid = found.rows[0].pid;
    await api.pool.query(`SELECT pg_terminate_backend($1)`, [oldPid]);
    // A new session that has run its LISTEN: from then on only a notification can wake the scheduler.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const listening = await api.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND pid <> $2 AND query LIKE 'LISTEN%'`,
        [listener, oldPid],
      );
      if (listening.rowCount === 1) break;
      if (Date.now() > deadline) throw new Error('the wake-up listener did not reconnect');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = sink.messages.length;
    await signup();
    await sink.waitForCount(before + 1, 60_000);
    expect(sink.messages.at(-1)!.envelopeTo).toEqual([`s${signups - 1}@wakeup.test`]);
  });

  it('resuming a paused sequence through the API-only instance wakes the scheduling one', async () => {
    await api.post('/v1/sequences/welcome/pause', {}).expect(200);
    const before = sink.messages.length;
    await signup();
    // While paused nothing is claimed, whatever wakes the scheduler: the message waits for the resume.
    await scheduling.post('/v1/scheduler/run', {}).expect(200);
    expect(sink.messages.length).toBe(before);
    await api.post('/v1/sequences/welcome/activate', {}).expect(200);
    await sink.waitForCount(before + 1, 60_000);
    expect(sink.messages.at(-1)!.envelopeTo).toEqual([`s${signups - 1}@wakeup.test`]);
  });
});
