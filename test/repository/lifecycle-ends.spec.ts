import { endRunningEnrollments } from '../../src/lifecycle/enrollment-lifecycle.repository.js';
import {
  openRepositoryDatabase,
  type RepositoryDatabase,
  type Seeded,
  seedContact,
  seedEnrollment,
  seedSequence,
} from '../support/repository-database.js';

/**
 * The one statement that ends running enrollments (endRunningEnrollments), on real PostgreSQL without the app: by
 * contact or by sequence it ends every running enrollment in one statement, releases their leases, takes its
 * time from the caller, and leaves finished enrollments and everyone else alone.
 */
describe('endRunningEnrollments', () => {
  let db: RepositoryDatabase;
  const now = new Date('2031-03-04T05:06:07.000Z');
  const lease = new Date('2031-03-04T05:11:07.000Z');

  beforeAll(async () => {
    db = await openRepositoryDatabase();
  });
  afterAll(() => db.close());

  const running = (contactId: string, sequence: Seeded) =>
    seedEnrollment(db.pool, { contactId, sequence, nextDueAt: now, lockedBy: 'some-instance', lockedUntil: lease });

  const rowsOf = async (ids: string[]) => {
    const rows = await db.pool.query(
      `SELECT id, status, exit_reason, next_due_at, locked_by, locked_until, ended_at, updated_at FROM enrollments
       WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.rows.map(({ id, ...row }) => [id as string, row]));
    return ids.map((id) => byId.get(id));
  };

  const ended = (status: string, reason: string) => ({
    status,
    exit_reason: reason,
    next_due_at: null,
    locked_by: null,
    locked_until: null,
    ended_at: now,
    updated_at: now,
  });
  const untouched = expect.objectContaining({ status: 'active', locked_by: 'some-instance', ended_at: null });

  it('ends every running enrollment of the contacts, in every sequence, and releases their leases', async () => {
    const [one, two] = [await seedSequence(db.pool), await seedSequence(db.pool)];
    const [contact, alsoEnded, bystander] = [
      await seedContact(db.pool),
      await seedContact(db.pool),
      await seedContact(db.pool),
    ];
    const targets = [await running(contact, one), await running(contact, two), await running(alsoEnded, one)];
    const finished = await seedEnrollment(db.pool, { contactId: contact, sequence: one, status: 'completed' });
    const other = await running(bystander, one);

    const result = await endRunningEnrollments(
      db.dataSource,
      { contactIds: [contact, alsoEnded] },
      { status: 'unsubscribed', reason: 'unsubscribed' },
      now,
    );
    expect(result.map((row) => row.id).sort()).toEqual([...targets].sort());
    expect(await rowsOf(targets)).toEqual(targets.map(() => ended('unsubscribed', 'unsubscribed')));
    expect(await rowsOf([finished])).toEqual([expect.objectContaining({ status: 'completed', exit_reason: null })]);
    expect(await rowsOf([other])).toEqual([untouched]);
  });

  it('ends every running enrollment of a sequence, whoever the contact', async () => {
    const [archived, kept] = [await seedSequence(db.pool), await seedSequence(db.pool)];
    const contacts = [await seedContact(db.pool), await seedContact(db.pool)];
    const targets = [await running(contacts[0], archived), await running(contacts[1], archived)];
    const other = await running(contacts[0], kept);

    const result = await endRunningEnrollments(
      db.dataSource,
      { sequenceId: archived.sequenceId },
      { status: 'exited', reason: 'archived' },
      now,
    );
    expect(result).toHaveLength(2);
    expect(await rowsOf(targets)).toEqual(targets.map(() => ended('exited', 'archived')));
    expect(await rowsOf([other])).toEqual([untouched]);
  });

  it('ends one enrollment, or a contact’s in some sequences, and nothing that is not running', async () => {
    const [one, two] = [await seedSequence(db.pool), await seedSequence(db.pool)];
    const contact = await seedContact(db.pool);
    const [first, second] = [await running(contact, one), await running(contact, two)];

    const exited = await endRunningEnrollments(
      db.dataSource,
      { contactId: contact, enrollmentId: first },
      { status: 'exited', reason: 'manual' },
      now,
    );
    expect(exited.map((row) => row.id)).toEqual([first]);
    // Again: it is no longer running, so nothing happens, and the first end stands.
    const again = await endRunningEnrollments(
      db.dataSource,
      { contactId: contact, enrollmentId: first },
      { status: 'converted', reason: 'converted' },
      new Date(now.getTime() + 60_000),
    );
    expect(again).toEqual([]);
    const converted = await endRunningEnrollments(
      db.dataSource,
      { contactId: contact, sequenceIds: [one.sequenceId, two.sequenceId] },
      { status: 'converted', reason: 'converted' },
      now,
    );
    expect(converted.map((row) => row.id)).toEqual([second]);
    expect(await rowsOf([first, second])).toEqual([ended('exited', 'manual'), ended('converted', 'converted')]);
  });
});
