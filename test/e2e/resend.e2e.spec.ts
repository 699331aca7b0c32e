import { ResendRepository } from '../../src/delivery/resend.repository.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/** POST /v1/deliveries/:id/retry over a real SMTP server: what arrives, what the row says, what is refused. */
describe('an operator resends a failed or unknown delivery', () => {
  let t: DeliveryTestApp;
  const T0 = new Date('2026-11-24T09:00:00Z');
  /** Addresses the SMTP server refuses (5.7.1: a policy refusal, not a bounce) or defers (4.2.1) for now. */
  const refused = new Set<string>();
  const deferred = new Set<string>();

  const retry = (id: string) => t.http().post(`/v1/deliveries/${id}/retry`).set(t.auth);
  const row = async (email: string, step = 'welcome') =>
    (
      await t.pool.query(
        `SELECT d.id, d.contact_id, d.status, d.reason, d.attempts, d.resend_count, d.resend_requested_at, d.resend_requested_by,
                d.resend_request_id, d.sent_at, e.next_step_id, e.status AS enrollment_status
         FROM deliveries d JOIN contacts c ON c.id = d.contact_id JOIN sequence_steps st ON st.id = d.step_id
         JOIN enrollments e ON e.id = d.enrollment_id
         WHERE c.email = $1 AND st.key = $2`,
        [email, step],
      )
    ).rows[0];
  /** Waits (with a generous ceiling, never a fixed sleep) until the resend's send has been recorded. */
  const settled = async (email: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const current = await row(email);
      if (current.status !== 'pending') return current;
      if (Date.now() > deadline) throw new Error(`the resend to ${email} is still pending`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    t = await startDeliveryTestApp({ SMTP_MAX_ATTEMPTS: '1' });
    t.sink.respondWith(({ to }) => {
      if (to.some((address) => refused.has(address))) return { code: 550, message: '5.7.1 Message refused by policy' };
      if (to.some((address) => deferred.has(address))) return { code: 451, message: '4.2.1 Try again later' };
      return undefined;
    });
    await t
      .post('/v1/templates', {
        key: 'mail',
        name: 'Mail',
        variants: [{ locale: 'en', subject: 'Step {{step.key}}', html: '<p>Hello {{contact.firstName}}</p>' }],
      })
      .expect(201);
    await t
      .post('/v1/sequences', {
        key: 'course',
        name: 'Course',
        triggerEvent: 'joined',
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'mail' },
          { key: 'later', dayOffset: 3, template: 'mail' },
        ],
      })
      .expect(201);
    await t.post('/v1/sequences/course/activate', {}).expect(200);
    for (const name of ['ann', 'bob', 'cid', 'dan', 'eve', 'fay', 'gus']) {
      const email = `${name}@example.com`;
      refused.add(email);
      await t.post('/v1/events', { email, name: 'joined', occurredAt: T0.toISOString() }).expect(202);
    }
    await t.post('/v1/scheduler/run', { now: new Date(T0.getTime() + 60_000).toISOString() }).expect(200);
    refused.clear();
  });
  afterAll(() => t.close());

  it('sends the step once more, now, though the enrollment moved on; the row counts the attempt and says who asked', async () => {
    const before = await row('ann@example.com');
    expect(before).toMatchObject({ status: 'failed', attempts: 1, resend_count: 0, enrollment_status: 'active' });
    expect(t.sink.to('ann@example.com')).toHaveLength(0);

    const accepted = await retry(before.id).set('X-Request-Id', 'resend-ann-1').expect(202);
    expect(accepted.body).toMatchObject({
      id: before.id,
      status: 'pending',
      attempts: 2,
      resendCount: 1,
      resendRequestedAt: t.clock.now().toISOString(),
      resendRequestedBy: expect.stringMatching(/^key:[0-9a-f]{12}$/),
    });
    const after = await settled('ann@example.com');
    expect(after).toMatchObject({
      status: 'sent',
      reason: null,
      attempts: 2,
      resend_count: 1,
      resend_request_id: 'resend-ann-1',
      resend_requested_by: accepted.body.resendRequestedBy,
      next_step_id: before.next_step_id, // the enrollment is where it was: at the next step
    });
    expect(after.resend_requested_at.toISOString()).toBe(t.clock.now().toISOString());
    const log = await t.http().get(`/v1/deliveries?contactId=${before.contact_id}`).set(t.auth).expect(200);
    expect(log.body.items[0]).toMatchObject({
      id: before.id,
      status: 'sent',
      attempts: 2,
      resendCount: 1,
      resendRequestedAt: t.clock.now().toISOString(),
      resendRequestedBy: accepted.body.resendRequestedBy,
    });
    const received = t.sink.to('ann@example.com');
    expect(received).toHaveLength(1);
    expect(received[0].parsed.subject).toBe('Step welcome');

    // Sent now: a second resend is refused, and nothing more arrives.
    const again = await retry(before.id).expect(409);
    expect(again.body).toMatchObject({ code: 'delivery.not_resendable' });
    expect(t.sink.to('ann@example.com')).toHaveLength(1);
  });

  it('sends one email for many requests at once', async () => {
    const { id } = await row('bob@example.com');
    const statuses = (await Promise.all(Array.from({ length: 6 }, () => retry(id)))).map((response) => response.status);
    expect(statuses.sort()).toEqual([202, 409, 409, 409, 409, 409]);
    expect(await settled('bob@example.com')).toMatchObject({ status: 'sent', attempts: 2, resend_count: 1 });
    expect(t.sink.to('bob@example.com')).toHaveLength(1);
  });

  it('claims a row once however many claims race (the conditional UPDATE, without the checks before it)', async () => {
    const target = await t.pool.query(
      `SELECT d.id, d.contact_id FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE c.email = 'gus@example.com'`,
    );
    const repository = t.app.get(ResendRepository);
    const now = t.clock.now();
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        repository.claim(target.rows[0], { by: 'test', requestId: `race-${i}`, now, leaseUntil: now }),
      ),
    );
    expect(claims.filter((claim) => claim !== undefined)).toHaveLength(1);
    expect(await row('gus@example.com')).toMatchObject({ status: 'pending', attempts: 2, resend_count: 1 });
  });

  it('sends an unknown delivery (a crash left its outcome unknowable) again', async () => {
    const { id } = await row('cid@example.com');
    await t.pool.query(
      `UPDATE deliveries SET status = 'unknown', reason = 'outcome unknown: the sending instance stopped' WHERE id = $1`,
      [id],
    );
    await retry(id).expect(202);
    expect(await settled('cid@example.com')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(t.sink.to('cid@example.com')).toHaveLength(1);
  });

  it('ends failed, not retrying, when the SMTP server defers the resend; a later resend sends it', async () => {
    const { id } = await row('dan@example.com');
    deferred.add('dan@example.com');
    await retry(id).expect(202);
    const failed = await settled('dan@example.com');
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, resend_count: 1 });
    expect(failed.reason).toMatch(/4\.2\.1 Try again later/);
    deferred.clear();
    await retry(id).expect(202);
    expect(await settled('dan@example.com')).toMatchObject({ status: 'sent', attempts: 3, resend_count: 2 });
    expect(t.sink.to('dan@example.com')).toHaveLength(1);
  });

  it('refuses a contact who is no longer active, and sends nothing', async () => {
    const { id } = await row('eve@example.com');
    await t.pool.query(`UPDATE contacts SET status = 'unsubscribed' WHERE email = 'eve@example.com'`);
    const refusal = await retry(id).expect(409);
    expect(refusal.body).toMatchObject({ code: 'delivery.contact_not_active' });
    expect(refusal.body.message).toMatch(/unsubscribed/);
    expect(await row('eve@example.com')).toMatchObject({ status: 'failed', attempts: 1, resend_count: 0 });
    expect(t.sink.to('eve@example.com')).toHaveLength(0);
  });

  it('refuses rows in any other status, an unknown id (404) and a malformed one (400)', async () => {
    const { id } = await row('fay@example.com');
    for (const status of ['pending', 'retrying', 'skipped', 'deferred']) {
      await t.pool.query(`UPDATE deliveries SET status = $2, reason = 'set by the test' WHERE id = $1`, [id, status]);
      const refusal = await retry(id).expect(409);
      expect(refusal.body).toMatchObject({ code: 'delivery.not_resendable' });
      expect(refusal.body.message).toContain(status);
    }
    const missing = await retry('00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body).toMatchObject({ code: 'delivery.not_found' });
    await retry('not-a-uuid').expect(400);
    await t.http().post(`/v1/deliveries/${id}/retry`).expect(401);
    expect(t.sink.to('fay@example.com')).toHaveLength(0);
  });
});
