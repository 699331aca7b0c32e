import { DataSource } from 'typeorm';
import { ContactRepository } from '../../src/contacts/contact.repository.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { EnrollmentRepository } from '../../src/enrollments/enrollment.repository.js';
import { SequenceRepository } from '../../src/sequences/sequence.repository.js';
import { TrackingRepository } from '../../src/tracking/tracking.repository.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every way a running enrollment ends from outside the engine, through the repositories the app uses, on the real
 * database: each ends it the same way (status and reason, not due, lease released, ended at the app's clock) and
 * touches no other contact's enrollment.
 */
describe('ending running enrollments', () => {
  let t: TestApp;
  const clockTime = new Date('2031-03-04T05:06:07.000Z');
  const get = <T>(type: abstract new (...args: never[]) => T): T => t.app.get(type, { strict: false });

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(clockTime);
  });
  afterAll(() => t.close());

  let counter = 0;
  /** Two contacts, each running (and leased) in a sequence of its own key, plus a sent delivery each. */
  async function seed(conversionEvent: string | null = null) {
    const suffix = `${++counter}-${Math.random().toString(36).slice(2, 8)}`;
    const template = await t.pool.query(`INSERT INTO templates (key, name) VALUES ($1, 'T') RETURNING id`, [
      `t-${suffix}`,
    ]);
    const sequence = await t.pool.query(
      `INSERT INTO sequences (key, name, status, conversion_event) VALUES ($1, 'S', 'active', $2) RETURNING id, key`,
      [`s-${suffix}`, conversionEvent],
    );
    const step = await t.pool.query(
      `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, template_id) VALUES ($1, 'a', 0, 0, $2) RETURNING id`,
      [sequence.rows[0].id, template.rows[0].id],
    );
    const enrolled = [];
    for (const who of ['target', 'bystander']) {
      const contact = await t.pool.query(`INSERT INTO contacts (email) VALUES ($1) RETURNING id`, [
        `${who}-${suffix}@example.com`,
      ]);
      const enrollment = await t.pool.query(
        `INSERT INTO enrollments (contact_id, sequence_id, start_at, next_step_id, next_due_at, locked_by, locked_until)
         VALUES ($1, $2, now(), $3, now(), 'some-instance', now() + interval '5 minutes') RETURNING id`,
        [contact.rows[0].id, sequence.rows[0].id, step.rows[0].id],
      );
      const delivery = await t.pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, attempts, sent_at)
         VALUES ($1, $2, $3, $4, 'sent', 1, now()) RETURNING id`,
        [contact.rows[0].id, enrollment.rows[0].id, sequence.rows[0].id, step.rows[0].id],
      );
      enrolled.push({
        contactId: contact.rows[0].id as string,
        enrollmentId: enrollment.rows[0].id as string,
        deliveryId: delivery.rows[0].id as string,
      });
    }
    return { sequenceId: sequence.rows[0].id as string, sequenceKey: sequence.rows[0].key as string, enrolled };
  }

  const enrollment = async (id: string) =>
    (
      await t.pool.query(
        `SELECT status, exit_reason, next_due_at, locked_by, locked_until, ended_at FROM enrollments WHERE id = $1`,
        [id],
      )
    ).rows[0];

  const ended = (status: string, reason: string) => ({
    status,
    exit_reason: reason,
    next_due_at: null,
    locked_by: null,
    locked_until: null,
    ended_at: clockTime,
  });
  const running = expect.objectContaining({ status: 'active', locked_by: 'some-instance', ended_at: null });

  it.each<[string, string, string, (s: Awaited<ReturnType<typeof seed>>) => Promise<unknown>, boolean]>([
    [
      'erase',
      'exited',
      'erased',
      (s) => get(DataSource).transaction((m) => get(ContactRepository).erase(m, s.enrolled[0].contactId)),
      false,
    ],
    [
      'unsubscribe',
      'unsubscribed',
      'unsubscribed',
      (s) => get(TrackingRepository).unsubscribe(s.enrolled[0].deliveryId, t.clock.now()),
      false,
    ],
    [
      'hard bounce',
      'bounced',
      'bounced',
      (s) =>
        get(DeliveryRepository).markBounced(
          [
            {
              id: s.enrolled[0].deliveryId,
              contact_id: s.enrolled[0].contactId,
              smtp_response: '550 5.1.1 no such user',
            },
          ],
          t.clock.now(),
        ),
      false,
    ],
    [
      'manual exit',
      'exited',
      'manual',
      (s) => get(EnrollmentRepository).exit(s.enrolled[0].enrollmentId, t.clock.now()),
      false,
    ],
    ['archive', 'exited', 'archived', (s) => get(SequenceRepository).archive(s.sequenceKey, ['active']), true],
  ])('%s ends the running enrollment the one way', async (_, status, reason, end, wholeSequence) => {
    const s = await seed();
    await end(s);
    expect(await enrollment(s.enrolled[0].enrollmentId)).toEqual(ended(status, reason));
    const bystander = await enrollment(s.enrolled[1].enrollmentId);
    expect(bystander).toEqual(wholeSequence ? ended(status, reason) : running);
  });

  it('a conversion ends the running enrollment the one way and logs it, attributed to the last step sent', async () => {
    const s = await seed('purchase');
    const target = s.enrolled[0];
    const event = await t.pool.query(
      `INSERT INTO events (contact_id, name, occurred_at) VALUES ($1, 'purchase', now() + interval '1 minute') RETURNING id, occurred_at`,
      [target.contactId],
    );
    const converted = await get(DataSource).transaction((m) =>
      get(EnrollmentRepository).convert(
        m,
        target.contactId,
        { id: event.rows[0].id, name: 'purchase', occurredAt: event.rows[0].occurred_at },
        t.clock.now(),
      ),
    );
    expect(converted).toEqual([{ sequence_key: s.sequenceKey }]);
    expect(await enrollment(target.enrollmentId)).toEqual(ended('converted', 'converted'));
    expect(await enrollment(s.enrolled[1].enrollmentId)).toEqual(running);
    const logged = await t.pool.query(
      `SELECT v.contact_id, v.enrollment_id, st.key AS step FROM conversions v
       JOIN sequence_steps st ON st.id = v.attributed_step_id WHERE v.sequence_id = $1`,
      [s.sequenceId],
    );
    expect(logged.rows).toEqual([{ contact_id: target.contactId, enrollment_id: target.enrollmentId, step: 'a' }]);
  });

  it('a manual exit of an enrollment that is not running changes nothing and says so', async () => {
    const s = await seed();
    const repository = get(EnrollmentRepository);
    expect(await repository.exit(s.enrolled[0].enrollmentId, t.clock.now())).toMatchObject({ ended: true });
    t.clock.set(new Date(clockTime.getTime() + 60_000));
    try {
      expect(await repository.exit(s.enrolled[0].enrollmentId, t.clock.now())).toMatchObject({
        ended: false,
        row: { status: 'exited' },
      });
    } finally {
      t.clock.set(clockTime);
    }
    expect(await enrollment(s.enrolled[0].enrollmentId)).toEqual(ended('exited', 'manual'));
  });
});
