import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import type { OutcomeRow, PendingRow } from '../../src/delivery/delivery-rows.js';
import {
  openRepositoryDatabase,
  type RepositoryDatabase,
  seedContact,
  seedEnrollment,
  seedSequence,
} from '../support/repository-database.js';

/**
 * The never-twice gate (insertPending), the outcomes written after the SMTP reply (writeOutcomes) and the notes
 * written without sending (writeNotes), on real PostgreSQL without the engine: which rows may be sent, and which
 * rows each write may change.
 */
describe('DeliveryRepository: the send gate and what is written after it', () => {
  let db: RepositoryDatabase;
  let repository: DeliveryRepository;
  const now = new Date('2026-11-24T10:00:00Z');
  const lease = new Date('2026-11-24T10:05:00Z');

  beforeAll(async () => {
    db = await openRepositoryDatabase();
    repository = new DeliveryRepository(db.dataSource);
  });
  afterAll(() => db.close());

  /** An enrollment held by `owner` (unless told otherwise) and the pending row the gate would write for it. */
  async function held(options: { contactStatus?: string; status?: string; owner?: string } = {}) {
    const sequence = await seedSequence(db.pool);
    const contactId = await seedContact(db.pool, options.contactStatus);
    const enrollmentId = await seedEnrollment(db.pool, {
      contactId,
      sequence,
      status: options.status,
      nextDueAt: options.status && options.status !== 'active' ? null : now,
      lockedBy: options.owner ?? 'owner',
      lockedUntil: lease,
    });
    const row: PendingRow = {
      contact_id: contactId,
      enrollment_id: enrollmentId,
      sequence_id: sequence.sequenceId,
      step_id: sequence.stepIds[0],
      due_at: now.toISOString(),
    };
    return row;
  }

  const deliveryOf = async (row: PendingRow) =>
    (
      await db.pool.query(
        `SELECT status, reason, attempts, next_attempt_at, message_id, sent_at FROM deliveries
         WHERE contact_id = $1 AND enrollment_id = $2 AND step_id = $3`,
        [row.contact_id, row.enrollment_id, row.step_id],
      )
    ).rows;

  const outcome = (id: string, row: PendingRow, status: OutcomeRow['status'], at = now): OutcomeRow => ({
    id,
    contact_id: row.contact_id,
    status,
    reason: status === 'sent' ? null : '451 try later',
    message_id: status === 'sent' ? '<m@test>' : null,
    smtp_response: status === 'sent' ? '250 ok' : '451 try later',
    sent_at: status === 'sent' ? at.toISOString() : null,
    next_attempt_at: status === 'retrying' ? new Date(at.getTime() + 60_000).toISOString() : null,
    locale: 'en',
  });

  it('lets a step through once: a second gate for it returns nothing', async () => {
    const row = await held();
    const first = await repository.insertPending('owner', [row], now, lease);
    expect(first).toEqual([{ id: expect.any(String), enrollment_id: row.enrollment_id, attempts: 1 }]);
    expect(await deliveryOf(row)).toEqual([expect.objectContaining({ status: 'pending', next_attempt_at: lease })]);
    expect(await repository.insertPending('owner', [row], now, lease)).toEqual([]);
  });

  it('lets nothing through for an enrollment another instance holds, that ended, or whose contact left', async () => {
    const rows = [
      await held({ owner: 'someone-else' }),
      await held({ status: 'converted' }),
      await held({ contactStatus: 'unsubscribed' }),
      await held({ contactStatus: 'bounced' }),
    ];
    const allowed = await held();
    const passed = await repository.insertPending('owner', [...rows, allowed], now, lease);
    expect(passed.map((row) => row.enrollment_id)).toEqual([allowed.enrollment_id]);
    for (const row of rows) expect(await deliveryOf(row)).toEqual([]);
  });

  it('takes a retrying row again as the next attempt, and never a sent one', async () => {
    const row = await held();
    const [pending] = await repository.insertPending('owner', [row], now, lease);
    await repository.writeOutcomes([outcome(pending.id, row, 'retrying')], now);
    const later = new Date(now.getTime() + 120_000);
    const [again] = await repository.insertPending('owner', [row], later, lease);
    expect(again).toEqual({ id: pending.id, enrollment_id: row.enrollment_id, attempts: 2 });
    await repository.writeOutcomes([outcome(pending.id, row, 'sent', later)], later);
    expect(await deliveryOf(row)).toEqual([
      { status: 'sent', reason: null, attempts: 2, next_attempt_at: null, message_id: '<m@test>', sent_at: later },
    ]);
    expect(await repository.insertPending('owner', [row], later, lease)).toEqual([]);
  });

  it('writes an outcome only over a pending row of that contact', async () => {
    const row = await held();
    const [pending] = await repository.insertPending('owner', [row], now, lease);
    // Keyed by contact_id and id: the right id under another contact changes nothing.
    const stranger = await seedContact(db.pool);
    await repository.writeOutcomes([{ ...outcome(pending.id, row, 'sent'), contact_id: stranger }], now);
    expect(await deliveryOf(row)).toEqual([expect.objectContaining({ status: 'pending' })]);
    await repository.writeOutcomes([outcome(pending.id, row, 'sent')], now);
    // A late second outcome for the same row (it is no longer pending) is ignored.
    await repository.writeOutcomes([{ ...outcome(pending.id, row, 'retrying'), reason: 'late' }], now);
    expect(await deliveryOf(row)).toEqual([expect.objectContaining({ status: 'sent', reason: null })]);
  });

  it('writes skipped and deferred notes, updating a deferred one and never a sent one', async () => {
    const deferred = await held();
    const sent = await held();
    const note = (row: PendingRow, status: 'skipped' | 'deferred', reason: string) => ({
      ...row,
      status,
      reason,
      next_attempt_at: status === 'deferred' ? lease.toISOString() : null,
    });
    await repository.writeNotes([note(deferred, 'deferred', 'window')], now);
    const [pending] = await repository.insertPending('owner', [sent], now, lease);
    await repository.writeOutcomes([outcome(pending.id, sent, 'sent')], now);

    await repository.writeNotes([note(deferred, 'skipped', 'late'), note(sent, 'skipped', 'late')], now);
    expect(await deliveryOf(deferred)).toEqual([expect.objectContaining({ status: 'skipped', reason: 'late' })]);
    expect(await deliveryOf(sent)).toEqual([expect.objectContaining({ status: 'sent', reason: null })]);
  });
});
