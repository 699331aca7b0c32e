import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Journey rules (issue 15, API.md v1.1): re-entry, transactional sequences, A/B variants with their experiment and
 * winner, holdout groups, the event that started an enrollment, and the frequency cap's per-contact ledger.
 *
 * - `enrollments.once` marks an enrollment of a sequence whose re-entry is `never`; the partial unique index makes
 *   a second such enrollment of the contact impossible, however many trigger events arrive at once.
 * - A step with variants keeps the first variant's template in `template_id`, so every join that names a step's
 *   template keeps working; `variants` holds `[{ key, templateId, weight }]`.
 * - `contact_pacing.sends` holds the contact's send times of the last seven days: the cap is checked and reserved
 *   on that one row (its lock serialises two instances racing for the contact), never by scanning the delivery log.
 * - `conversion_window_days`: how long an enrollment keeps running after its last step, so that a conversion
 *   then is still the sequence's (and a holdout group is measured over the same span).
 * - `trigger_event_id` points at the event by the contact-keyed composite key (issue 13's distribution keys) and
 *   is set null by column when the event is erased.
 */
export class JourneyRules1765100000000 implements MigrationInterface {
  name = 'JourneyRules1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE sequences
        ADD COLUMN reentry text NOT NULL DEFAULT 'after-completion'
          CHECK (reentry IN ('never', 'after-completion', 'always')),
        ADD COLUMN reentry_cooldown_days integer CHECK (reentry_cooldown_days >= 0),
        ADD COLUMN transactional boolean NOT NULL DEFAULT false,
        ADD COLUMN holdout_percent integer NOT NULL DEFAULT 0 CHECK (holdout_percent BETWEEN 0 AND 50),
        ADD COLUMN conversion_window_days integer NOT NULL DEFAULT 0
          CHECK (conversion_window_days BETWEEN 0 AND 365)`);
    await queryRunner.query(`
      ALTER TABLE sequence_steps
        ADD COLUMN variants jsonb CHECK (variants IS NULL OR jsonb_typeof(variants) = 'array'),
        ADD COLUMN experiment jsonb,
        ADD COLUMN winner jsonb`);
    await queryRunner.query(`
      ALTER TABLE enrollments
        ADD COLUMN holdout boolean NOT NULL DEFAULT false,
        ADD COLUMN once boolean NOT NULL DEFAULT false,
        ADD COLUMN trigger_event_id uuid,
        ADD CONSTRAINT enrollments_trigger_event_id_fkey FOREIGN KEY (contact_id, trigger_event_id)
          REFERENCES events (contact_id, id) ON DELETE SET NULL (trigger_event_id)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX enrollments_once_key ON enrollments (contact_id, sequence_id) WHERE once`,
    );
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN variant text`);
    await queryRunner.query(`
      CREATE TABLE contact_pacing (
        contact_id uuid PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
        sends timestamptz[] NOT NULL DEFAULT '{}',
        updated_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE contact_pacing`);
    await queryRunner.query(`ALTER TABLE deliveries DROP COLUMN variant`);
    await queryRunner.query(`DROP INDEX enrollments_once_key`);
    await queryRunner.query(
      `ALTER TABLE enrollments DROP CONSTRAINT enrollments_trigger_event_id_fkey,
         DROP COLUMN trigger_event_id, DROP COLUMN once, DROP COLUMN holdout`,
    );
    await queryRunner.query(
      `ALTER TABLE sequence_steps DROP COLUMN variants, DROP COLUMN experiment, DROP COLUMN winner`,
    );
    await queryRunner.query(
      `ALTER TABLE sequences DROP COLUMN reentry, DROP COLUMN reentry_cooldown_days, DROP COLUMN transactional,
         DROP COLUMN holdout_percent, DROP COLUMN conversion_window_days`,
    );
  }
}
