import { WinnerRepository } from '../../src/experiments/winner.repository.js';
import { openRepositoryDatabase, type RepositoryDatabase, unique } from '../support/repository-database.js';

/**
 * What the automatic winner counts and how it is written, on the real database: the one grouped statement's counts
 * per variant (sent rows only; a person's clicks; conversions at or after the send), which steps are open, and a
 * winner written once however many instances decide at the same time.
 */
describe('WinnerRepository', () => {
  let db: RepositoryDatabase;
  let repository: WinnerRepository;
  const experiment = { metric: 'click', minPerVariant: 20, probabilityToBeat: 0.95 };
  const sent = new Date('2026-11-24T09:00:00Z');

  beforeAll(async () => {
    db = await openRepositoryDatabase();
    repository = new WinnerRepository(db.dataSource);
  });
  afterAll(() => db?.close());

  /** An active sequence with one experiment step over variants a and b; returns its ids. */
  async function seedExperiment(status = 'active', winner: object | null = null) {
    const q = (sql: string, params: unknown[]) => db.pool.query(sql, params).then((result) => result.rows[0]);
    const template = await q(`INSERT INTO templates (key, name) VALUES ($1, 'T') RETURNING id`, [unique('t')]);
    const variants = ['a', 'b'].map((key) => ({ key, templateId: template.id, weight: 1 }));
    const sequence = await q(`INSERT INTO sequences (key, name, status) VALUES ($1, 'S', $2) RETURNING id, key`, [
      unique('s'),
      status,
    ]);
    const step = await q(
      `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, template_id, variants, experiment, winner)
       VALUES ($1, 'offer', 0, 0, $2, $3, $4, $5) RETURNING id`,
      [
        sequence.id,
        template.id,
        JSON.stringify(variants),
        JSON.stringify(experiment),
        winner && JSON.stringify(winner),
      ],
    );
    return { sequenceId: sequence.id as string, key: sequence.key as string, stepId: step.id as string };
  }

  /** One contact, enrollment and delivery row of the step. */
  async function seedDelivery(
    seeded: { sequenceId: string; stepId: string },
    row: { variant: string; status?: string; clicked?: boolean; convertedAt?: Date },
  ) {
    const q = (sql: string, params: unknown[]) => db.pool.query(sql, params).then((result) => result.rows[0]);
    const contact = await q(`INSERT INTO contacts (email) VALUES ($1) RETURNING id`, [`${unique('c')}@example.com`]);
    const enrollment = await q(
      `INSERT INTO enrollments (contact_id, sequence_id, status, start_at) VALUES ($1, $2, 'completed', $3) RETURNING id`,
      [contact.id, seeded.sequenceId, sent],
    );
    const status = row.status ?? 'sent';
    await q(
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, reason, sent_at, clicked_at, variant)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        contact.id,
        enrollment.id,
        seeded.sequenceId,
        seeded.stepId,
        status,
        status === 'sent' ? null : 'test',
        status === 'sent' ? sent : null,
        row.clicked ? sent : null,
        row.variant,
      ],
    );
    if (row.convertedAt) {
      await q(
        `INSERT INTO conversions (contact_id, enrollment_id, sequence_id, event_name, occurred_at)
         VALUES ($1, $2, $3, 'bought', $4)`,
        [contact.id, enrollment.id, seeded.sequenceId, row.convertedAt],
      );
    }
  }

  it('counts per variant the sent rows, a person’s clicks and the conversions at or after the send, for open steps only', async () => {
    const open = await seedExperiment();
    const later = new Date(sent.getTime() + 3_600_000);
    await seedDelivery(open, { variant: 'a', clicked: true, convertedAt: later });
    await seedDelivery(open, { variant: 'a' });
    await seedDelivery(open, { variant: 'a', status: 'failed' });
    await seedDelivery(open, { variant: 'b', convertedAt: new Date(sent.getTime() - 1) });
    await seedDelivery(open, { variant: 'b', clicked: true });
    const paused = await seedExperiment('paused');
    await seedDelivery(paused, { variant: 'a' });
    const decided = await seedExperiment('active', { variant: 'a', probability: 0.99, decidedAt: sent, by: 'auto' });
    await seedDelivery(decided, { variant: 'a' });

    const found = await repository.openExperiments();
    expect(found.map((row) => row.step_id)).toEqual([open.stepId]);
    expect(found[0]).toMatchObject({
      sequence_key: open.key,
      step_key: 'offer',
      experiment,
      counts: { a: { sends: 2, clicks: 1, conversions: 1 }, b: { sends: 2, clicks: 1, conversions: 0 } },
    });
    expect(found[0].variants.map((variant) => variant.key)).toEqual(['a', 'b']);
  });

  it('writes an automatic winner once when instances decide together, and a pin replaces it', async () => {
    const seeded = await seedExperiment();
    const winner = (variant: string) => ({
      variant,
      probability: 0.97,
      decidedAt: sent.toISOString(),
      by: 'auto' as const,
    });
    const results = await Promise.all(
      ['a', 'b', 'a', 'b'].map((variant) => repository.decide(seeded.stepId, winner(variant))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await db.pool.query(`SELECT winner FROM sequence_steps WHERE id = $1`, [seeded.stepId]);
    expect(stored.rows[0].winner).toEqual(winner(['a', 'b', 'a', 'b'][results.indexOf(true)]));
    expect(await repository.decide(seeded.stepId, winner('a'))).toBe(false);

    const pinned = { variant: 'b', probability: null, decidedAt: sent.toISOString(), by: 'pinned' as const };
    await repository.pin(seeded.stepId, pinned);
    const after = await db.pool.query(`SELECT winner FROM sequence_steps WHERE id = $1`, [seeded.stepId]);
    expect(after.rows[0].winner).toEqual(pinned);
    expect((await repository.openExperiments()).map((row) => row.step_id)).not.toContain(seeded.stepId);
  });
});
