import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import {
  openRepositoryDatabase,
  type RepositoryDatabase,
  seedContact,
  seedEnrollment,
  seedSequence,
} from '../support/repository-database.js';

/**
 * The claim (DeliveryRepository.claim) on real PostgreSQL, without the engine around it: which enrollments a pass
 * takes, in what order, under what lease, and that a row another transaction holds is skipped, not waited for.
 */
describe('DeliveryRepository.claim', () => {
  let db: RepositoryDatabase;
  let repository: DeliveryRepository;
  const now = new Date('2026-11-24T10:00:00Z');
  const lease = new Date('2026-11-24T10:05:00Z');
  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

  beforeAll(async () => {
    db = await openRepositoryDatabase();
    repository = new DeliveryRepository(db.dataSource);
  });
  afterAll(() => db.close());
  // claim reads every contact's enrollments: each test starts from none.
  beforeEach(() => db.pool.query('TRUNCATE enrollments CASCADE'));

  const lockOf = async (id: string) =>
    (await db.pool.query(`SELECT locked_by, locked_until FROM enrollments WHERE id = $1`, [id])).rows[0];

  it('takes due enrollments of active sequences in due order, up to the limit, under the lease', async () => {
    const sequence = await seedSequence(db.pool);
    const due = async (at: Date) =>
      seedEnrollment(db.pool, { contactId: await seedContact(db.pool), sequence, nextDueAt: at });
    const a = await due(minutes(-1));
    const b = await due(minutes(-30));
    const c = await due(minutes(-10));

    // The two due first (RETURNING keeps no order).
    const first = await repository.claim('owner-1', now, lease, 2, []);
    expect(first.map((row) => row.id).sort()).toEqual([b, c].sort());
    expect(await lockOf(b)).toEqual({ locked_by: 'owner-1', locked_until: lease });
    const rest = await repository.claim('owner-2', now, lease, 10, []);
    expect(rest.map((row) => row.id)).toEqual([a]);
  });

  it('leaves what is not due, not running, of a sequence that is not active, or excluded', async () => {
    const active = await seedSequence(db.pool);
    const paused = await seedSequence(db.pool, { status: 'paused' });
    const contact = await seedContact(db.pool);
    const taken = await seedEnrollment(db.pool, { contactId: contact, sequence: active, nextDueAt: now });
    await seedEnrollment(db.pool, { contactId: await seedContact(db.pool), sequence: active, nextDueAt: minutes(1) });
    await seedEnrollment(db.pool, { contactId: await seedContact(db.pool), sequence: active, nextDueAt: null });
    await seedEnrollment(db.pool, {
      contactId: await seedContact(db.pool),
      sequence: active,
      status: 'completed',
      nextDueAt: minutes(-5),
    });
    await seedEnrollment(db.pool, { contactId: contact, sequence: paused, nextDueAt: minutes(-5) });
    const excluded = await seedEnrollment(db.pool, {
      contactId: await seedContact(db.pool),
      sequence: active,
      nextDueAt: minutes(-5),
    });

    const claimed = await repository.claim('owner', now, lease, 100, [excluded]);
    expect(claimed.map((row) => row.id)).toEqual([taken]);
  });

  it('respects a running lease and takes over one that ran out', async () => {
    const sequence = await seedSequence(db.pool);
    const held = await seedEnrollment(db.pool, {
      contactId: await seedContact(db.pool),
      sequence,
      nextDueAt: minutes(-10),
      lockedBy: 'alive',
      lockedUntil: minutes(1),
    });
    const expired = await seedEnrollment(db.pool, {
      contactId: await seedContact(db.pool),
      sequence,
      nextDueAt: minutes(-5),
      lockedBy: 'dead',
      lockedUntil: minutes(-1),
    });

    expect((await repository.claim('owner', now, lease, 100, [])).map((row) => row.id)).toEqual([expired]);
    expect(await lockOf(held)).toEqual({ locked_by: 'alive', locked_until: minutes(1) });
    expect(await lockOf(expired)).toEqual({ locked_by: 'owner', locked_until: lease });
    // A second claim at the same time finds both leased.
    expect(await repository.claim('other', now, lease, 100, [])).toEqual([]);
  });

  // PGlite has one backend for every connection: a claim would queue behind the open transaction, not skip it.
  (process.env.DATABASE_URL ? it : it.skip)('skips a row another transaction has locked, without waiting', async () => {
    const sequence = await seedSequence(db.pool);
    const locked = await seedEnrollment(db.pool, {
      contactId: await seedContact(db.pool),
      sequence,
      nextDueAt: minutes(-10),
    });
    const free = await seedEnrollment(db.pool, {
      contactId: await seedContact(db.pool),
      sequence,
      nextDueAt: minutes(-5),
    });
    const other = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM enrollments WHERE id = $1 FOR UPDATE`, [locked]);
      // A claim that waited for the lock would wait for this transaction, which ends only after it: a ceiling
      // (generous: the claim takes milliseconds) turns that into a failure instead of a hang.
      let ceiling: NodeJS.Timeout | undefined;
      const waited = new Promise<'waited'>((resolve) => (ceiling = setTimeout(() => resolve('waited'), 60_000)));
      const claimed = await Promise.race([repository.claim('owner', now, lease, 100, []), waited]);
      clearTimeout(ceiling);
      expect(claimed === 'waited' ? claimed : claimed.map((row) => row.id)).toEqual([free]);
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
    expect((await repository.claim('owner', now, lease, 100, [])).map((row) => row.id)).toEqual([locked]);
  });
});
