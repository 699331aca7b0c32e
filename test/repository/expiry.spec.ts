import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import {
  openRepositoryDatabase,
  type RepositoryDatabase,
  seedContact,
  seedEnrollment,
  seedSequence,
} from '../support/repository-database.js';

/**
 * A send whose instance died between the gate and the outcome (expireInFlight), on real PostgreSQL: once its
 * lease is over it becomes `unknown` (never resent), and its enrollment is released and due again to move on.
 */
describe('DeliveryRepository.expireInFlight', () => {
  let db: RepositoryDatabase;
  let repository: DeliveryRepository;
  const now = new Date('2026-11-24T10:00:00Z');
  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

  beforeAll(async () => {
    db = await openRepositoryDatabase();
    repository = new DeliveryRepository(db.dataSource);
  });
  afterAll(() => db.close());
  beforeEach(() => db.pool.query('TRUNCATE enrollments CASCADE'));

  /** An enrollment held by `owner`, due at `nextDueAt`, with a delivery row in `status` leased until `leaseEnd`. */
  async function inFlight(options: { leaseEnd: Date; status?: string; enrollment?: string; nextDueAt?: Date }) {
    const sequence = await seedSequence(db.pool);
    const contactId = await seedContact(db.pool);
    const enrollmentId = await seedEnrollment(db.pool, {
      contactId,
      sequence,
      status: options.enrollment,
      nextDueAt: options.nextDueAt ?? minutes(-20),
      lockedBy: 'dead-instance',
      lockedUntil: options.leaseEnd,
    });
    const delivery = await db.pool.query<{ id: string }>(
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, reason, attempts, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'pending' THEN NULL ELSE 'x' END, 1, $6) RETURNING id`,
      [
        contactId,
        enrollmentId,
        sequence.sequenceId,
        sequence.stepIds[0],
        options.status ?? 'pending',
        options.leaseEnd,
      ],
    );
    return { enrollmentId, deliveryId: delivery.rows[0].id };
  }

  const state = async ({ enrollmentId, deliveryId }: { enrollmentId: string; deliveryId: string }) =>
    (
      await db.pool.query(
        `SELECT d.status AS delivery, d.reason, d.updated_at, e.status AS enrollment, e.next_due_at, e.locked_by,
                e.locked_until
         FROM deliveries d JOIN enrollments e ON e.contact_id = d.contact_id AND e.id = d.enrollment_id
         WHERE d.id = $1 AND e.id = $2`,
        [deliveryId, enrollmentId],
      )
    ).rows[0];

  it('marks a pending row past its lease unknown and makes its enrollment due again, released', async () => {
    const stale = await inFlight({ leaseEnd: minutes(-1), nextDueAt: minutes(30) });
    expect(await repository.expireInFlight(now)).toBe(1);
    expect(await state(stale)).toEqual({
      delivery: 'unknown',
      reason: expect.stringMatching(/^outcome unknown/),
      updated_at: now,
      enrollment: 'active',
      next_due_at: now, // due now rather than in 30 minutes: it moves on at the next claim
      locked_by: null,
      locked_until: null,
    });
    expect(await repository.expireInFlight(now)).toBe(0);
  });

  it('leaves a send within its lease, rows already settled, and an ended enrollment’s state', async () => {
    const live = await inFlight({ leaseEnd: minutes(1) });
    const settled = await inFlight({ leaseEnd: minutes(-1), status: 'retrying' });
    const ended = await inFlight({ leaseEnd: minutes(-1), enrollment: 'unsubscribed' });
    expect(await repository.expireInFlight(now)).toBe(1);
    expect(await state(live)).toMatchObject({ delivery: 'pending', locked_by: 'dead-instance' });
    expect(await state(settled)).toMatchObject({ delivery: 'retrying', locked_by: 'dead-instance' });
    // Its send's outcome is unknown all the same; the enrollment stays as its exit left it.
    expect(await state(ended)).toMatchObject({ delivery: 'unknown', enrollment: 'unsubscribed' });
  });
});
