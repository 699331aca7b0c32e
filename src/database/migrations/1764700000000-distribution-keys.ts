import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys that keep the schema distributable by contact_id (Citus), settled while it is cheap (issue 13, item 6;
 * DESIGN.md, Scale-out). Checked against the live catalog by test/integration/distribution-keys.spec.ts.
 *
 * Foreign keys between contact-keyed tables become composite `(contact_id, x_id)` over a UNIQUE (contact_id, id)
 * of the parent: a distributed database enforces only keys whose rows live on one shard. The parents keep their
 * primary key on id (the open pixel and the claim still find rows by id alone), so each gains one index; the
 * ON DELETE rules stay. A conversion's event is set null by column (`SET NULL (event_id)`, PostgreSQL 15+):
 * a plain SET NULL would null contact_id too, which is NOT NULL, and deleting an event would fail.
 *
 * `touchpoint_due_at` becomes IMMUTABLE (a distributed write may only call immutable functions): `at` is parsed
 * with make_time instead of the text-to-time cast, which is only STABLE. Same results: `at` is always 'HH:MM'
 * (the column's CHECK), and both give that time of day. Nothing indexes it, so CREATE OR REPLACE suffices.
 */
const FOREIGN_KEYS = [
  { table: 'deliveries', column: 'enrollment_id', parent: 'enrollments', onDelete: 'CASCADE' },
  { table: 'conversions', column: 'enrollment_id', parent: 'enrollments', onDelete: 'CASCADE' },
  { table: 'conversions', column: 'event_id', parent: 'events', onDelete: 'SET NULL' },
  { table: 'tracking_events', column: 'delivery_id', parent: 'deliveries', onDelete: 'CASCADE' },
] as const;

const PARENTS = ['enrollments', 'deliveries', 'events'] as const;

const dueAt = (volatility: 'IMMUTABLE' | 'STABLE', atTime: string) => `
  CREATE OR REPLACE FUNCTION touchpoint_due_at(start_at timestamptz, zone text, day_offset integer, at_time text)
  RETURNS timestamptz LANGUAGE sql ${volatility} AS $$
    SELECT CASE WHEN at_time IS NULL
      THEN ((start_at AT TIME ZONE zone) + make_interval(days => day_offset)) AT TIME ZONE zone
      ELSE (date_trunc('day', start_at AT TIME ZONE zone) + make_interval(days => day_offset) + ${atTime})
           AT TIME ZONE zone
    END
  $$`;

export class DistributionKeys1764700000000 implements MigrationInterface {
  name = 'DistributionKeys1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const parent of PARENTS) {
      await queryRunner.query(
        `ALTER TABLE ${parent} ADD CONSTRAINT ${parent}_contact_id_id_key UNIQUE (contact_id, id)`,
      );
    }
    for (const { table, column, parent, onDelete } of FOREIGN_KEYS) {
      const action = onDelete === 'SET NULL' ? `SET NULL (${column})` : onDelete;
      await queryRunner.query(
        `ALTER TABLE ${table} DROP CONSTRAINT ${table}_${column}_fkey,
           ADD CONSTRAINT ${table}_${column}_fkey FOREIGN KEY (contact_id, ${column})
             REFERENCES ${parent} (contact_id, id) ON DELETE ${action}`,
      );
    }
    await queryRunner.query(
      dueAt('IMMUTABLE', `make_time(split_part(at_time, ':', 1)::int, split_part(at_time, ':', 2)::int, 0)`),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(dueAt('STABLE', 'at_time::time'));
    for (const { table, column, parent, onDelete } of FOREIGN_KEYS) {
      await queryRunner.query(
        `ALTER TABLE ${table} DROP CONSTRAINT ${table}_${column}_fkey,
           ADD CONSTRAINT ${table}_${column}_fkey FOREIGN KEY (${column}) REFERENCES ${parent} (id) ON DELETE ${onDelete}`,
      );
    }
    for (const parent of PARENTS) {
      await queryRunner.query(`ALTER TABLE ${parent} DROP CONSTRAINT ${parent}_contact_id_id_key`);
    }
  }
}
