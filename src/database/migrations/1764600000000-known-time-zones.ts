import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Zones that the API accepted before zones were checked against the database (`US/Pacific-New`,
 * `Canada/East-Saskatchewan`: luxon knows them, PostgreSQL does not) made every due-time computation of
 * their contact or sequence fail: a trigger event answered 500 and lost the signup. Such a zone is cleared,
 * so the contact falls back to its sequence's zone or UTC, as a contact without a zone always has. The
 * names are compared without case, as PostgreSQL and luxon both do.
 *
 * CET, EET, MET and WET are zones with daylight saving in tzdata (and for luxon), but PostgreSQL's AT TIME ZONE
 * reads them as fixed-offset abbreviations: their due times were an hour off all summer. They become the zones
 * tzdata links them to (2024b), which keep their meaning and which both sides read alike.
 *
 * There is nothing to restore on the way down: the cleared names never worked, the linked ones mean the same.
 */
export class KnownTimeZones1764600000000 implements MigrationInterface {
  name = 'KnownTimeZones1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const unknown = (column: string) =>
      `${column} IS NOT NULL AND lower(${column}) NOT IN (SELECT lower(name) FROM pg_timezone_names)`;
    await queryRunner.query(`UPDATE contacts SET timezone = NULL WHERE ${unknown('timezone')}`);
    await queryRunner.query(`UPDATE sequences SET default_timezone = NULL WHERE ${unknown('default_timezone')}`);
    const linked = (column: string) =>
      `${column} = CASE upper(${column}) WHEN 'CET' THEN 'Europe/Brussels' WHEN 'MET' THEN 'Europe/Brussels'
         WHEN 'EET' THEN 'Europe/Athens' ELSE 'Europe/Lisbon' END
       WHERE upper(${column}) IN ('CET', 'MET', 'EET', 'WET')`;
    await queryRunner.query(`UPDATE contacts SET ${linked('timezone')}`);
    await queryRunner.query(`UPDATE sequences SET ${linked('default_timezone')}`);
  }

  async down(): Promise<void> {
    // Nothing to undo: see above.
  }
}
