import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the funnel reads (measured in `npm run bench`, docs/funnel.md).
 *
 * `enrollments.last_sent_step_id`: the last step (by position) the enrollment was actually sent. The funnel
 * attributes each bad ending (unsubscribed, bounced, exited) to it; looking it up in the delivery log per
 * ended enrollment cost 1.3 s of the 2 s funnel over 1M delivery rows where half the enrollments ended badly
 * (BENCHMARKS.md). The scheduler writes it in the enrollment update it already makes after each send, so it
 * costs the engine no extra write. The delivery log stays the truth: each claim recomputes it from there.
 * No foreign key: its check would take a share lock on the step's row with every send, and steps are only
 * ever deleted with their sequence, whose enrollments go with it.
 *
 * `contacts_language_stats`: statistics on the language the per-locale funnel groups by. Without them the
 * planner guesses 0.5% of contacts for any language and walks the delivery log by index once per enrollment
 * (3.4 s for a language of 200,000 enrollments, 0.9 s with the statistics). Gathered by ANALYZE; no write cost.
 */
export class FunnelReadPath1764300000000 implements MigrationInterface {
  name = 'FunnelReadPath1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE enrollments ADD COLUMN last_sent_step_id uuid`);
    await queryRunner.query(
      `UPDATE enrollments e SET last_sent_step_id = last_sent.step_id
       FROM (SELECT DISTINCT ON (d.enrollment_id) d.enrollment_id, d.step_id
             FROM deliveries d JOIN sequence_steps st ON st.id = d.step_id
             WHERE d.status = 'sent'
             ORDER BY d.enrollment_id, st.position DESC) last_sent
       WHERE e.id = last_sent.enrollment_id`,
    );
    // The expression must stay the one ReportsService groups by, or the planner will not use these.
    await queryRunner.query(
      `CREATE STATISTICS contacts_language_stats ON (COALESCE(split_part(lower(locale), '-', 1), '')) FROM contacts`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP STATISTICS contacts_language_stats`);
    await queryRunner.query(`ALTER TABLE enrollments DROP COLUMN last_sent_step_id`);
  }
}
