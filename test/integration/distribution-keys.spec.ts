import type pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { DistributionKeys1764700000000 } from '../../src/database/migrations/1764700000000-distribution-keys.js';
import { migrations } from '../../src/database/migrations/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What a database distributed by contact_id (Citus) needs of the schema, read from the live catalog of the
 * migrated database: keys between contact-keyed tables stay on one shard, and the due-time function may be
 * called by distributed writes. Behaviour the composite keys must keep (cascades, an event's removal) is
 * checked through real rows.
 */
describe('keys for a schema distributed by contact_id', () => {
  let t: TestApp;
  let pool: pg.Pool;

  beforeAll(async () => {
    t = await startTestApp();
    pool = t.pool;
  });
  afterAll(() => t.close());

  interface ForeignKey {
    name: string;
    child: string;
    parent: string;
    pairs: Array<[string, string]>;
    on_delete: string;
  }

  /** Every foreign key between tables of the current schema that carry contact_id (or are contacts). */
  async function contactKeyedForeignKeys(): Promise<ForeignKey[]> {
    const rows = await pool.query<{
      name: string;
      child: string;
      parent: string;
      pairs: string[][];
      on_delete: string;
    }>(
      `WITH keyed AS (
         SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r'
           AND (c.relname = 'contacts'
                OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'contact_id'
                             AND NOT a.attisdropped))
       )
       SELECT k.conname AS name, child.relname AS child, parent.relname AS parent, k.confdeltype AS on_delete,
              (SELECT array_agg(ARRAY[ca.attname::text, pa.attname::text] ORDER BY i)
                 FROM generate_subscripts(k.conkey, 1) AS i
                 JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = k.conkey[i]
                 JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[i]) AS pairs
       FROM pg_constraint k
       JOIN keyed child ON child.oid = k.conrelid
       JOIN keyed parent ON parent.oid = k.confrelid
       WHERE k.contype = 'f'
       ORDER BY k.conname`,
    );
    return rows.rows.map((row) => ({ ...row, pairs: row.pairs.map(([c, p]) => [c, p] as [string, string]) }));
  }

  it('keys every foreign key between contact-keyed tables by contact_id on both sides', async () => {
    const keys = await contactKeyedForeignKeys();
    // The four between child tables, besides each table's key to contacts.
    expect(keys.filter((key) => key.parent !== 'contacts').map((key) => key.name)).toEqual(
      expect.arrayContaining([
        'conversions_enrollment_id_fkey',
        'conversions_event_id_fkey',
        'deliveries_enrollment_id_fkey',
        'tracking_events_delivery_id_fkey',
      ]),
    );
    const unkeyed = keys.filter(
      (key) =>
        !key.pairs.some(
          ([child, parent]) => child === 'contact_id' && parent === (key.parent === 'contacts' ? 'id' : 'contact_id'),
        ),
    );
    expect(unkeyed).toEqual([]);
  });

  it('keeps the delete rules: cascades from enrollments and deliveries, and a removed event only unlinks', async () => {
    const keys = Object.fromEntries((await contactKeyedForeignKeys()).map((key) => [key.name, key.on_delete]));
    expect(keys).toMatchObject({
      deliveries_enrollment_id_fkey: 'c',
      conversions_enrollment_id_fkey: 'c',
      tracking_events_delivery_id_fkey: 'c',
      conversions_event_id_fkey: 'n',
    });
  });

  it('declares touchpoint_due_at IMMUTABLE', async () => {
    const rows = await pool.query(
      `SELECT p.provolatile FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE p.proname = 'touchpoint_due_at' AND n.nspname = current_schema()`,
    );
    expect(rows.rows).toEqual([{ provolatile: 'i' }]);
  });

  let counter = 0;
  async function seed() {
    const suffix = `${++counter}-${Math.random().toString(36).slice(2, 8)}`;
    const template = await pool.query(`INSERT INTO templates (key, name) VALUES ($1, 'T') RETURNING id`, [
      `t-${suffix}`,
    ]);
    const sequence = await pool.query(`INSERT INTO sequences (key, name) VALUES ($1, 'S') RETURNING id`, [
      `s-${suffix}`,
    ]);
    const step = await pool.query(
      `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, template_id) VALUES ($1, 'a', 0, 0, $2) RETURNING id`,
      [sequence.rows[0].id, template.rows[0].id],
    );
    const contacts = await pool.query<{ id: string }>(`INSERT INTO contacts (email) VALUES ($1), ($2) RETURNING id`, [
      `a-${suffix}@example.com`,
      `b-${suffix}@example.com`,
    ]);
    const [contactId, otherContactId] = contacts.rows.map((row) => row.id);
    const enrollment = await pool.query(
      `INSERT INTO enrollments (contact_id, sequence_id, start_at, status) VALUES ($1, $2, now(), 'converted') RETURNING id`,
      [contactId, sequence.rows[0].id],
    );
    return {
      contactId,
      otherContactId,
      sequenceId: sequence.rows[0].id as string,
      stepId: step.rows[0].id as string,
      enrollmentId: enrollment.rows[0].id as string,
    };
  }

  it('refuses a delivery whose contact is not its enrollment’s', async () => {
    const { otherContactId, sequenceId, stepId, enrollmentId } = await seed();
    await expect(
      pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status) VALUES ($1, $2, $3, $4, 'pending')`,
        [otherContactId, enrollmentId, sequenceId, stepId],
      ),
    ).rejects.toMatchObject({ code: '23503', constraint: 'deliveries_enrollment_id_fkey' });
  });

  it('unlinks a conversion from its removed event and keeps its contact; removing an enrollment takes its rows', async () => {
    const { contactId, sequenceId, stepId, enrollmentId } = await seed();
    const event = await pool.query(
      `INSERT INTO events (contact_id, name, occurred_at) VALUES ($1, 'bought', now()) RETURNING id`,
      [contactId],
    );
    const conversion = await pool.query(
      `INSERT INTO conversions (contact_id, enrollment_id, sequence_id, event_id, event_name, occurred_at)
       VALUES ($1, $2, $3, $4, 'bought', now()) RETURNING id`,
      [contactId, enrollmentId, sequenceId, event.rows[0].id],
    );
    const delivery = await pool.query(
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status) VALUES ($1, $2, $3, $4, 'sent')
       RETURNING id`,
      [contactId, enrollmentId, sequenceId, stepId],
    );
    await pool.query(`INSERT INTO tracking_events (contact_id, delivery_id, kind) VALUES ($1, $2, 'open')`, [
      contactId,
      delivery.rows[0].id,
    ]);

    await pool.query(`DELETE FROM events WHERE contact_id = $1 AND id = $2`, [contactId, event.rows[0].id]);
    const unlinked = await pool.query(`SELECT contact_id, event_id FROM conversions WHERE id = $1`, [
      conversion.rows[0].id,
    ]);
    expect(unlinked.rows).toEqual([{ contact_id: contactId, event_id: null }]);

    await pool.query(`DELETE FROM enrollments WHERE contact_id = $1 AND id = $2`, [contactId, enrollmentId]);
    const left = await pool.query(
      `SELECT (SELECT count(*) FROM deliveries WHERE contact_id = $1)::int AS deliveries,
              (SELECT count(*) FROM tracking_events WHERE contact_id = $1)::int AS tracking_events,
              (SELECT count(*) FROM conversions WHERE contact_id = $1)::int AS conversions`,
      [contactId],
    );
    expect(left.rows).toEqual([{ deliveries: 0, tracking_events: 0, conversions: 0 }]);
  });

  it('goes down to single-column keys and a STABLE function, and up again', async () => {
    const runner = { query: (sql: string) => pool.query(sql) } as unknown as QueryRunner;
    const migration = new DistributionKeys1764700000000();
    const volatility = async () =>
      (
        await pool.query(
          `SELECT p.provolatile FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.proname = 'touchpoint_due_at' AND n.nspname = current_schema()`,
        )
      ).rows[0].provolatile;
    const columnsOf = async () =>
      Object.fromEntries((await contactKeyedForeignKeys()).map((key) => [key.name, key.pairs.map(([child]) => child)]));

    // The migrations after it are undone first (and redone after): a later key may rest on its indexes.
    const later = migrations.slice(migrations.indexOf(DistributionKeys1764700000000) + 1).map((M) => new M());
    for (const step of [...later].reverse()) await step.down(runner);
    await migration.down(runner);
    expect(await volatility()).toBe('s');
    expect(await columnsOf()).toMatchObject({ deliveries_enrollment_id_fkey: ['enrollment_id'] });
    await migration.up(runner);
    for (const step of later) await step.up(runner);
    expect(await volatility()).toBe('i');
    expect(await columnsOf()).toMatchObject({
      deliveries_enrollment_id_fkey: ['contact_id', 'enrollment_id'],
      conversions_event_id_fkey: ['contact_id', 'event_id'],
    });
  });
});
