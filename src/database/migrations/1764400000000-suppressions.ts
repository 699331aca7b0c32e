import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `suppressions`: addresses that must never be mailed again, kept after their contact is erased. Only a keyed
 * hash of the normalised address is stored (HMAC-SHA256 with the token secret, see AddressHasher), so the table
 * names nobody; a contact created again with such an address gets the recorded status and stays out of every
 * enrollment and send. No `contact_id`: the record must not lead back to the erased contact's history, and it is
 * keyed (and could be distributed) by the hash alone.
 */
export class Suppressions1764400000000 implements MigrationInterface {
  name = 'Suppressions1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE suppressions (
        email_hash  text PRIMARY KEY,
        status      text NOT NULL CHECK (status IN ('unsubscribed', 'bounced', 'complained')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE suppressions`);
  }
}
