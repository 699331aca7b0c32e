import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sequence's tracking options (API.md v1.1): whether its emails carry an open-tracking image and whether
 * their links are rewritten to click-tracking redirects. NULL follows the server's default (TRACK_OPENS,
 * TRACK_CLICKS), so existing sequences keep behaving as they did and a changed default reaches every
 * sequence that never chose.
 */
export class SequenceTracking1764800000000 implements MigrationInterface {
  name = 'SequenceTracking1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sequences ADD COLUMN track_opens boolean, ADD COLUMN track_clicks boolean`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sequences DROP COLUMN track_opens, DROP COLUMN track_clicks`);
  }
}
