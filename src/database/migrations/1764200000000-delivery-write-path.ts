import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery log's write path, measured in `npm run bench` (docs in BENCHMARKS.md):
 * - The pending index's predicate gains `next_attempt_at IS NOT NULL` (every pending row has its lease
 *   there). The outcome update's guard `status = 'pending'` then no longer implies it, so the update goes
 *   by primary key instead of a bitmap scan of the partial index — which also visited every row that was
 *   pending since the last vacuum (bitmap scans do not prune dead index entries): a cost that grew with
 *   each send of a pass. The lease scan (`status = 'pending' AND next_attempt_at < $1`) still uses it.
 * - `deliveries_contact_idx` goes: `deliveries_once_key` (contact_id, enrollment_id, step_id) already
 *   serves lookups and cascading erasure by contact, and every index is written twice per send.
 */
export class DeliveryWritePath1764200000000 implements MigrationInterface {
  name = 'DeliveryWritePath1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX deliveries_pending_idx`);
    await queryRunner.query(
      `CREATE INDEX deliveries_pending_idx ON deliveries (next_attempt_at) WHERE status = 'pending' AND next_attempt_at IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX deliveries_contact_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX deliveries_contact_idx ON deliveries (contact_id)`);
    await queryRunner.query(`DROP INDEX deliveries_pending_idx`);
    await queryRunner.query(
      `CREATE INDEX deliveries_pending_idx ON deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
  }
}
