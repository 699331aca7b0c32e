import { pass } from '../support/pass.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * One enrollment that the database refuses to record (a day 0 in year 1, from before dates were bounded at
 * the door) used to fail the whole claimed batch at every pass: up to 500 other contacts got nothing.
 */
describe('delivery engine: a poisoned enrollment is parked, the others are sent', () => {
  let t: DeliveryTestApp;
  const start = new Date('2026-11-24T15:00:00Z');
  const post = (path: string, body: unknown) => t.post(path, body);

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await post('/v1/templates', {
      key: 'hello',
      name: 'Hello',
      variants: [{ locale: 'en', subject: 'Hello {{contact.firstName}}', html: '<p>Hello</p>' }],
    }).expect(201);
    await post('/v1/sequences', {
      key: 'webinar',
      name: 'Webinar',
      triggerEvent: 'signup',
      steps: [
        { key: 'welcome', dayOffset: 0, at: '10:00', template: 'hello' },
        { key: 'reminder', dayOffset: 1, at: '10:00', template: 'hello' },
      ],
    }).expect(201);
    await post('/v1/sequences/webinar/activate', {}).expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('parks the poisoned enrollment with a reason ops can see and sends every other one in the same pass', async () => {
    for (let i = 0; i < 20; i++) {
      await post('/v1/contacts', { email: `p${i}@poison.test`, firstName: `P${i}`, timezone: 'America/New_York' });
      await post('/v1/events', { email: `p${i}@poison.test`, name: 'signup', occurredAt: start.toISOString() }).expect(
        202,
      );
    }
    // What an unbounded occurredAt wrote before dates were checked at the door: day 0 in year 1, whose
    // steps fall on local dates PostgreSQL cannot store (year 0).
    const poisoned = (
      await t.pool.query<{ id: string }>(
        `UPDATE enrollments e SET start_at = '0001-01-01T00:00:00Z' FROM contacts c
         WHERE c.id = e.contact_id AND c.email = 'p7@poison.test' RETURNING e.id`,
      )
    ).rows[0].id;

    const result = await pass(t, new Date('2026-11-25T15:10:00Z'));
    expect(t.sink.messages.map((message) => message.envelopeTo[0]).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `p${i}@poison.test`)
        .filter((email) => email !== 'p7@poison.test')
        .sort(),
    );
    expect(result).toMatchObject({ sent: 19, failed: 1 });

    const enrollment = await t.pool.query(
      `SELECT status, exit_reason, locked_by, next_due_at FROM enrollments WHERE id = $1`,
      [poisoned],
    );
    expect(enrollment.rows[0]).toEqual({ status: 'exited', exit_reason: 'error', locked_by: null, next_due_at: null });
    const rows = await t.pool.query(`SELECT status, reason FROM deliveries WHERE enrollment_id = $1`, [poisoned]);
    expect(rows.rows).toEqual([{ status: 'failed', reason: expect.stringMatching(/^could not be processed: .+/) }]);
    const log = await t.http().get(`/v1/deliveries?status=failed`).set(t.auth).expect(200);
    expect(log.body.items.map((item: { email: string }) => item.email)).toEqual(['p7@poison.test']);

    // The next pass has nothing left over from the batch: the others moved on to their day-1 step.
    const next = await pass(t, new Date('2026-11-25T15:20:00Z'));
    expect(next).toMatchObject({ failed: 0 });
  });
});
