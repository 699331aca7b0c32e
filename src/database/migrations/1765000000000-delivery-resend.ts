import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An operator's resend of a `failed` or `unknown` delivery (POST /v1/deliveries/:id/retry) is recorded on its row:
 * how many were asked for, when the last one was, by which admin key (a fingerprint, never the key) and in which
 * request (its id joins the row to the access log). The row's attempts count the resend's send as any other.
 */
export class DeliveryResend1765000000000 implements MigrationInterface {
  name = 'DeliveryResend1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE deliveries ADD COLUMN resend_count integer NOT NULL DEFAULT 0,
                              ADD COLUMN resend_requested_at timestamptz,
                              ADD COLUMN resend_requested_by text,
                              ADD COLUMN resend_request_id text`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE deliveries DROP COLUMN resend_count, DROP COLUMN resend_requested_at,
                              DROP COLUMN resend_requested_by, DROP COLUMN resend_request_id`,
    );
  }
}
