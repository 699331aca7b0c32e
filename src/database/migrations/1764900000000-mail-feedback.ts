import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bounces and complaints that arrive after the send (returned mail, provider webhooks):
 * - a delivery row says when its email bounced (hard), was complained about, or soft-bounced, with the
 *   diagnostic (addresses removed: it outlives an erasure);
 * - mail_feedback keeps every report that named a known contact, whatever it was about (a soft bounce is
 *   recorded here and not acted on). The complaint breaker counts the complaints of the last 24 h in it
 *   (index mail_feedback_kind_idx), so a complaint that names no delivery still counts. Its delivery_id is a
 *   plain column, not a foreign key: delivery rows go only with their contact, and so do these, and a key
 *   between two contact-keyed tables would have to be composite (see 1764700000000-distribution-keys.ts);
 * - a sequence paused by the complaint breaker says so (`paused_reason`), until a marketer activates it.
 */
export class MailFeedback1764900000000 implements MigrationInterface {
  name = 'MailFeedback1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE deliveries ADD COLUMN bounced_at timestamptz, ADD COLUMN complained_at timestamptz,
         ADD COLUMN soft_bounced_at timestamptz, ADD COLUMN feedback text`,
    );
    await queryRunner.query(`
      CREATE TABLE mail_feedback (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id   uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        delivery_id  uuid,
        kind         text NOT NULL CHECK (kind IN ('bounce', 'soft-bounce', 'complaint')),
        source       text NOT NULL,
        diagnostic   text,
        received_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX mail_feedback_kind_idx ON mail_feedback (kind, received_at)`);
    await queryRunner.query(`CREATE INDEX mail_feedback_contact_idx ON mail_feedback (contact_id)`);
    await queryRunner.query(`ALTER TABLE sequences ADD COLUMN paused_reason text`);
    // The breaker's count of emails sent in the last 24 h walks this index instead of the whole log.
    await queryRunner.query(`CREATE INDEX deliveries_sent_at_idx ON deliveries (sent_at) WHERE sent_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX deliveries_sent_at_idx`);
    await queryRunner.query(`ALTER TABLE sequences DROP COLUMN paused_reason`);
    await queryRunner.query(`DROP TABLE mail_feedback`);
    await queryRunner.query(
      `ALTER TABLE deliveries DROP COLUMN bounced_at, DROP COLUMN complained_at, DROP COLUMN soft_bounced_at,
         DROP COLUMN feedback`,
    );
  }
}
