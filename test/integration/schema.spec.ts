import type pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { FunnelReadPath1764300000000 } from '../../src/database/migrations/1764300000000-funnel-read-path.js';
import { MachineEngagement1764500000000 } from '../../src/database/migrations/1764500000000-machine-engagement.js';
import { CLAIM_SQL } from '../../src/delivery/delivery.repository.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The keys that carry the engine's guarantees, checked on the real database (embedded or server). */
describe('schema created by the migrations', () => {
  let t: TestApp;
  let pool: pg.Pool;

  beforeAll(async () => {
    t = await startTestApp();
    pool = t.pool;
  });
  afterAll(() => t.close());

  async function seed(): Promise<{ contactId: string; sequenceId: string; stepId: string }> {
    const suffix = Math.random().toString(36).slice(2);
    const contact = await pool.query(`INSERT INTO contacts (email) VALUES ($1) RETURNING id`, [
      `a-${suffix}@example.com`,
    ]);
    const template = await pool.query(`INSERT INTO templates (key, name) VALUES ($1, 'T') RETURNING id`, [
      `t-${suffix}`,
    ]);
    const sequence = await pool.query(`INSERT INTO sequences (key, name) VALUES ($1, 'S') RETURNING id`, [
      `s-${suffix}`,
    ]);
    const step = await pool.query(
      `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, template_id) VALUES ($1, 'welcome', 0, 0, $2) RETURNING id`,
      [sequence.rows[0].id, template.rows[0].id],
    );
    return { contactId: contact.rows[0].id, sequenceId: sequence.rows[0].id, stepId: step.rows[0].id };
  }

  it('records every migration and creates every table of the data model', async () => {
    const migrations = await pool.query(`SELECT name FROM migrations`);
    expect(migrations.rows.map((row) => row.name)).toContain('InitialSchema1764000000000');
    const tables = await pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'app_settings',
        'contacts',
        'conversions',
        'deliveries',
        'enrollments',
        'events',
        'segments',
        'sequence_steps',
        'sequences',
        'template_variants',
        'templates',
        'tracking_events',
      ]),
    );
  });

  it('fills each enrollment’s last step sent from the delivery log when the column is added', async () => {
    const { contactId, sequenceId, stepId } = await seed();
    const later = await pool.query(
      `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, template_id)
       SELECT sequence_id, k, p, p, template_id FROM sequence_steps, (VALUES ('later', 1), ('last', 2)) v(k, p)
       WHERE id = $1 RETURNING id`,
      [stepId],
    );
    const [laterId, lastId] = later.rows.map((row: { id: string }) => row.id);
    const enrollment = await pool.query(
      `INSERT INTO enrollments (contact_id, sequence_id, start_at, status) VALUES ($1, $2, now(), 'exited') RETURNING id`,
      [contactId, sequenceId],
    );
    const unsent = await pool.query(
      `INSERT INTO enrollments (contact_id, sequence_id, start_at, status) VALUES ($1, $2, now(), 'active') RETURNING id`,
      [contactId, sequenceId],
    );
    // Sent the first two steps (logged in the other order), failed the last one.
    for (const [step, status, reason] of [
      [laterId, 'sent', null],
      [stepId, 'sent', null],
      [lastId, 'failed', '550 no such user'],
    ]) {
      await pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
        [contactId, enrollment.rows[0].id, sequenceId, step, status, reason],
      );
    }
    const runner = { query: (sql: string) => pool.query(sql) } as unknown as QueryRunner;
    const migration = new FunnelReadPath1764300000000();
    await migration.down(runner);
    await migration.up(runner);
    const rows = await pool.query(`SELECT id, last_sent_step_id FROM enrollments WHERE sequence_id = $1`, [sequenceId]);
    expect(Object.fromEntries(rows.rows.map((row) => [row.id, row.last_sent_step_id]))).toEqual({
      [enrollment.rows[0].id]: laterId,
      [unsent.rows[0].id]: null,
    });
  });

  it('takes machine opens recorded before 1764500000000 out of opened_at, and keeps a person’s', async () => {
    const { contactId, sequenceId, stepId } = await seed();
    const runner = { query: (sql: string) => pool.query(sql) } as unknown as QueryRunner;
    const migration = new MachineEngagement1764500000000();
    await migration.down(runner);
    const t1 = '2026-11-24T10:00:00Z';
    const t2 = '2026-11-24T11:00:00Z';
    const t3 = '2026-11-24T12:00:00Z';
    // Before: opened_at was the first open, machine or not; machine_open true while every open was a machine's.
    const cases = {
      machineOnly: { opened_at: t1, clicked_at: null, open_count: 2, machine_open: true, opens: [true, true] },
      mixed: { opened_at: t1, clicked_at: null, open_count: 2, machine_open: false, opens: [true, false] },
      machineThenClick: { opened_at: t1, clicked_at: t3, open_count: 1, machine_open: true, opens: [true] },
      person: { opened_at: t2, clicked_at: null, open_count: 1, machine_open: false, opens: [false] },
    };
    const ids: Record<string, string> = {};
    for (const [name, row] of Object.entries(cases)) {
      const enrollment = await pool.query(
        `INSERT INTO enrollments (contact_id, sequence_id, start_at, status) VALUES ($1, $2, now(), 'completed') RETURNING id`,
        [contactId, sequenceId],
      );
      const delivery = await pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, opened_at, clicked_at, open_count,
                                 machine_open)
         VALUES ($1, $2, $3, $4, 'sent', $5, $6, $7, $8) RETURNING id`,
        [
          contactId,
          enrollment.rows[0].id,
          sequenceId,
          stepId,
          row.opened_at,
          row.clicked_at,
          row.open_count,
          row.machine_open,
        ],
      );
      ids[name] = delivery.rows[0].id;
      for (const [i, machine] of row.opens.entries()) {
        await pool.query(
          `INSERT INTO tracking_events (contact_id, delivery_id, kind, machine, occurred_at) VALUES ($1, $2, 'open', $3, $4)`,
          [contactId, ids[name], machine, [t1, t2][i]],
        );
      }
    }
    await migration.up(runner);
    const rows = await pool.query(
      `SELECT id, opened_at, open_count, machine_open_count FROM deliveries WHERE id = ANY($1::uuid[])`,
      [Object.values(ids)],
    );
    const after = Object.fromEntries(
      rows.rows.map((row) => [row.id, { ...row, id: undefined, opened_at: row.opened_at?.toISOString() ?? null }]),
    );
    const at = (iso: string) => new Date(iso).toISOString();
    expect(after[ids.machineOnly]).toMatchObject({ opened_at: null, open_count: 0, machine_open_count: 2 });
    expect(after[ids.mixed]).toMatchObject({ opened_at: at(t2), open_count: 1, machine_open_count: 1 });
    expect(after[ids.machineThenClick]).toMatchObject({ opened_at: at(t3), open_count: 0, machine_open_count: 1 });
    expect(after[ids.person]).toMatchObject({ opened_at: at(t2), open_count: 1, machine_open_count: 0 });
  });

  it('refuses a second delivery row for the same (enrollment, step)', async () => {
    const { contactId, sequenceId, stepId } = await seed();
    const enrollment = await pool.query(
      `INSERT INTO enrollments (contact_id, sequence_id, start_at) VALUES ($1, $2, now()) RETURNING id`,
      [contactId, sequenceId],
    );
    const insert = () =>
      pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status) VALUES ($1, $2, $3, $4, 'pending')`,
        [contactId, enrollment.rows[0].id, sequenceId, stepId],
      );
    await insert();
    await expect(insert()).rejects.toMatchObject({ code: '23505', constraint: 'deliveries_once_key' });
  });

  it('allows one active enrollment per (contact, sequence), and a new one after the first ended', async () => {
    const { contactId, sequenceId } = await seed();
    const enroll = () =>
      pool.query(`INSERT INTO enrollments (contact_id, sequence_id, start_at) VALUES ($1, $2, now()) RETURNING id`, [
        contactId,
        sequenceId,
      ]);
    const first = await enroll();
    await expect(enroll()).rejects.toMatchObject({ code: '23505', constraint: 'enrollments_one_active_key' });
    await pool.query(`UPDATE enrollments SET status = 'completed' WHERE id = $1`, [first.rows[0].id]);
    await expect(enroll()).resolves.toBeDefined();
  });

  it('treats e-mail addresses as unique regardless of case', async () => {
    await pool.query(`INSERT INTO contacts (email) VALUES ('Case.Test@Example.com')`);
    await expect(pool.query(`INSERT INTO contacts (email) VALUES ('case.test@example.COM')`)).rejects.toMatchObject({
      code: '23505',
      constraint: 'contacts_email_lower_key',
    });
  });

  it('requires a reason on failed, skipped, deferred and unknown delivery rows', async () => {
    const { contactId, sequenceId, stepId } = await seed();
    const enrollment = await pool.query(
      `INSERT INTO enrollments (contact_id, sequence_id, start_at) VALUES ($1, $2, now()) RETURNING id`,
      [contactId, sequenceId],
    );
    await expect(
      pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status) VALUES ($1, $2, $3, $4, 'skipped')`,
        [contactId, enrollment.rows[0].id, sequenceId, stepId],
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('lets the claim the engine runs walk the due-time partial index instead of scanning enrollments', async () => {
    // The repository's own statement (CLAIM_SQL), EXPLAINed with the parameters it is run with; on one connection,
    // in a transaction rolled back, so the setting reaches no other test.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query(`EXPLAIN ${CLAIM_SQL}`, [
        'explain-owner',
        new Date('2026-11-24T10:00:00Z'),
        new Date('2026-11-24T10:05:00Z'),
        100,
        [],
      ]);
      const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).toContain('enrollments_due_idx');
      expect(text).toMatch(/LockRows/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
