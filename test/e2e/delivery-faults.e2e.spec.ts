import { pass } from '../support/pass.js';
import { type SmtpSink } from '../support/smtp-sink.js';
import { startDeliveryTestApp, startTestApp, type DeliveryTestApp } from '../support/test-app.js';

/** Retries, permanent failures, bounces, crashes and downtime, against a real SMTP server. */
describe('delivery engine: faults', () => {
  let t: DeliveryTestApp;
  let sink: SmtpSink;
  const post = (path: string, body: unknown) =>
    t
      .http()
      .post(path)
      .set(t.auth)
      .send(body as object);
  const start = new Date('2026-11-24T10:00:00Z');
  const minutes = (n: number) => new Date(start.getTime() + n * 60_000);
  const log = async (email: string) =>
    (
      await t.pool.query(
        `SELECT st.key, d.status, d.reason, d.attempts, d.smtp_response FROM deliveries d
         JOIN contacts c ON c.id = d.contact_id JOIN sequence_steps st ON st.id = d.step_id
         WHERE c.email = $1 ORDER BY st.position`,
        [email],
      )
    ).rows;

  beforeAll(async () => {
    t = await startDeliveryTestApp({
      SMTP_RETRY_BASE_MS: '60000',
      SMTP_MAX_ATTEMPTS: '3',
    });
    sink = t.sink;
    await post('/v1/templates', {
      key: 'note',
      name: 'Note',
      variants: [{ locale: 'en', subject: 'Note {{step.dayOffset}}', html: '<p>Hello</p>' }],
    }).expect(201);
    await post('/v1/sequences', {
      key: 'two-steps',
      name: 'Two steps',
      triggerEvent: 'signup',
      steps: [
        { key: 'first', dayOffset: 0, template: 'note' },
        { key: 'second', dayOffset: 1, template: 'note' },
      ],
    }).expect(201);
    await post('/v1/sequences/two-steps/activate', {}).expect(200);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => sink.respondWith(() => undefined));

  const signup = (email: string, at = start) =>
    post('/v1/events', { email, name: 'signup', occurredAt: at.toISOString() }).expect(202);

  it('retries a 451 with backoff and delivers once the server recovers', async () => {
    let refusals = 0;
    sink.respondWith(({ to }) =>
      to.includes('retry@example.com') && refusals++ < 1 ? { code: 451, message: '4.3.0 Try again later' } : undefined,
    );
    await signup('retry@example.com');
    expect(await pass(t, minutes(1))).toMatchObject({ retrying: 1, sent: 0 });
    expect(await log('retry@example.com')).toEqual([
      expect.objectContaining({
        key: 'first',
        status: 'retrying',
        attempts: 1,
        reason: expect.stringContaining('451'),
      }),
    ]);
    expect(await pass(t, minutes(1.2))).toMatchObject({ claimed: 0 }); // backoff: not yet
    expect(await pass(t, minutes(4))).toMatchObject({ sent: 1 });
    expect(sink.to('retry@example.com')).toHaveLength(1);
    expect(await log('retry@example.com')).toEqual([expect.objectContaining({ status: 'sent', attempts: 2 })]);
  });

  it('gives up after the attempt limit with the last reply as the reason, and moves on', async () => {
    sink.respondWith(({ to }) =>
      to.includes('flaky@example.com') ? { code: 452, message: '4.2.2 Mailbox full' } : undefined,
    );
    await signup('flaky@example.com');
    await pass(t, minutes(1));
    await pass(t, minutes(10));
    await pass(t, minutes(30));
    const rows = await log('flaky@example.com');
    expect(rows[0]).toMatchObject({
      key: 'first',
      status: 'failed',
      attempts: 3,
      reason: expect.stringMatching(/gave up after 3 attempts: 452/),
    });
    sink.respondWith(() => undefined);
    await pass(t, new Date(start.getTime() + 24 * 3_600_000 + 60_000));
    expect((await log('flaky@example.com'))[1]).toMatchObject({ key: 'second', status: 'sent' });
  });

  it('fails a 550 for good; a hard bounce marks the contact bounced and ends its enrollments', async () => {
    sink.respondWith(({ to }) =>
      to.includes('ghost@example.com') ? { code: 550, message: '5.1.1 No such user' } : undefined,
    );
    await signup('ghost@example.com');
    expect(await pass(t, minutes(1))).toMatchObject({ failed: 1 });
    expect(await log('ghost@example.com')).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        reason: expect.stringContaining('550 5.1.1 No such user'),
      }),
    ]);
    const contact = await t.pool.query(`SELECT status FROM contacts WHERE email = 'ghost@example.com'`);
    expect(contact.rows[0].status).toBe('bounced');
    const enrollment = await t.pool.query(
      `SELECT e.status FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = 'ghost@example.com'`,
    );
    expect(enrollment.rows[0].status).toBe('bounced');
    // The same rule as returned mail: the delivery row says when it bounced and why, and the report is kept.
    const marked = await t.pool.query(
      `SELECT d.bounced_at, d.feedback, f.source, f.kind FROM deliveries d JOIN contacts c ON c.id = d.contact_id
       JOIN mail_feedback f ON f.delivery_id = d.id WHERE c.email = 'ghost@example.com'`,
    );
    expect(marked.rows).toEqual([
      {
        bounced_at: expect.any(Date),
        feedback: expect.stringContaining('5.1.1 No such user'),
        source: 'smtp',
        kind: 'bounce',
      },
    ]);

    sink.respondWith(({ to }) =>
      to.includes('policy@example.com') ? { code: 550, message: '5.7.1 Rejected by policy' } : undefined,
    );
    await signup('policy@example.com');
    await pass(t, minutes(2));
    expect((await t.pool.query(`SELECT status FROM contacts WHERE email = 'policy@example.com'`)).rows[0].status).toBe(
      'active',
    );
  });

  it('marks a send interrupted by a crash as unknown after the lease, never resends it, and moves on', async () => {
    await signup('crash@example.com');
    // What a crash between the never-twice row and the SMTP result leaves behind:
    await t.pool.query(
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, attempts, next_attempt_at)
       SELECT e.contact_id, e.id, e.sequence_id, e.next_step_id, 'pending', 1, $2::timestamptz
       FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = $1`,
      ['crash@example.com', minutes(5)],
    );
    await t.pool.query(
      `UPDATE enrollments SET locked_by = 'dead-instance', locked_until = $2 FROM contacts c
       WHERE c.id = enrollments.contact_id AND c.email = $1`,
      ['crash@example.com', minutes(5)],
    );
    expect(await pass(t, minutes(1))).toMatchObject({ sent: 0, unknown: 0 }); // still within the lease
    expect(await pass(t, minutes(6))).toMatchObject({ unknown: 1, sent: 0 });
    expect(sink.to('crash@example.com')).toHaveLength(0);
    expect(await log('crash@example.com')).toEqual([
      expect.objectContaining({ key: 'first', status: 'unknown', reason: expect.stringContaining('not resent') }),
    ]);
    await pass(t, new Date(start.getTime() + 24 * 3_600_000 + 60_000));
    expect(sink.to('crash@example.com')).toHaveLength(1);
    expect((await log('crash@example.com'))[1]).toMatchObject({ key: 'second', status: 'sent' });
  });

  /** The funnel of the enrollments whose day 0 is `day` (each test below gets a day of its own). */
  const funnelOf = async (day: string) =>
    (
      await t
        .http()
        .get(`/v1/sequences/two-steps/funnel?since=${day}T00:00:00Z&until=${day}T23:59:59Z`)
        .set(t.auth)
        .expect(200)
    ).body as { steps: Array<{ key: string; sent: number; droppedAfter: number }> };
  const enrollmentOf = async (email: string) =>
    (
      await t.pool.query<{ id: string; status: string }>(
        `SELECT e.id, e.status FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = $1`,
        [email],
      )
    ).rows[0]!;

  it('counts a loss after the email that was being sent when the exit came in', async () => {
    const day0 = new Date('2026-12-02T10:00:00Z');
    await signup('inflight@example.com', day0);
    const { id } = await enrollmentOf('inflight@example.com');
    // The exit lands while the SMTP server holds the message (past the gate, before the outcome): the
    // server answers only once the exit is done.
    let exiting: Promise<unknown> | undefined;
    sink.respondWith(({ to }) => {
      if (!to.includes('inflight@example.com')) return undefined;
      // `.then` sends it now (a supertest request waits to be awaited).
      exiting ??= post(`/v1/enrollments/${id}/exit`, {})
        .expect(200)
        .then(() => undefined);
      return { until: exiting };
    });
    expect(await pass(t, new Date(day0.getTime() + 60_000))).toMatchObject({ sent: 1 });
    await exiting;
    expect(await enrollmentOf('inflight@example.com')).toMatchObject({ status: 'exited' });
    const funnel = await funnelOf('2026-12-02');
    expect(funnel.steps.map(({ key, sent, droppedAfter }) => ({ key, sent, droppedAfter }))).toEqual([
      { key: 'first', sent: 1, droppedAfter: 1 },
      { key: 'second', sent: 0, droppedAfter: 0 },
    ]);
  });

  it('moves on past a send recorded just before a crash, without resending, and still counts a loss after it', async () => {
    const day0 = new Date('2026-12-03T10:00:00Z');
    await signup('recorded@example.com', day0);
    // A crash after the outcome was written and before the enrollment moved on leaves it at `first`, leased.
    await t.pool.query(
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, attempts, sent_at)
       SELECT e.contact_id, e.id, e.sequence_id, e.next_step_id, 'sent', 1, $2::timestamptz
       FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = $1`,
      ['recorded@example.com', day0],
    );
    await t.pool.query(
      `UPDATE enrollments SET locked_by = 'dead-instance', locked_until = $2 FROM contacts c
       WHERE c.id = enrollments.contact_id AND c.email = $1`,
      ['recorded@example.com', new Date(day0.getTime() + 5 * 60_000)],
    );
    expect(await pass(t, new Date(day0.getTime() + 6 * 60_000))).toMatchObject({ claimed: 1, sent: 0 });
    expect(sink.to('recorded@example.com')).toHaveLength(0);
    const { id } = await enrollmentOf('recorded@example.com');
    await post(`/v1/enrollments/${id}/exit`, {}).expect(200);
    const funnel = await funnelOf('2026-12-03');
    expect(funnel.steps.map(({ key, droppedAfter }) => ({ key, droppedAfter }))).toEqual([
      { key: 'first', droppedAfter: 1 },
      { key: 'second', droppedAfter: 0 },
    ]);
  });

  it('skips steps overdue beyond maxLatenessHours after downtime instead of blasting them, one send per pass', async () => {
    await signup('late@example.com', new Date('2026-11-20T10:00:00Z')); // day 0 four days ago
    const result = await pass(t, minutes(1));
    expect(result).toMatchObject({ sent: 0, skipped: 2 });
    expect(await log('late@example.com')).toEqual([
      expect.objectContaining({ key: 'first', status: 'skipped', reason: 'late' }),
      expect.objectContaining({ key: 'second', status: 'skipped', reason: 'late' }),
    ]);
    expect(sink.to('late@example.com')).toHaveLength(0);
  });

  it('sends nothing while a sequence is paused and resumes without loss', async () => {
    await post('/v1/sequences/two-steps/pause', {}).expect(200);
    await signup('paused@example.com');
    expect(await pass(t, minutes(1))).toMatchObject({ claimed: 0 });
    await post('/v1/sequences/two-steps/activate', {}).expect(200);
    expect(await pass(t, minutes(2))).toMatchObject({ sent: 1 });
    expect(sink.to('paused@example.com')).toHaveLength(1);
  });

  it('refuses a test-clock pass when the test clock is off', async () => {
    const other = await startTestApp({ SMTP_URL: sink.url });
    try {
      await other.http().post('/v1/scheduler/run').set(other.auth).send({ now: start.toISOString() }).expect(403);
      await other.http().post('/v1/scheduler/run').set(other.auth).send({}).expect(200);
    } finally {
      await other.close();
    }
  });
});
