import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the studio's reads and deletes need (issue 16).
 *
 * - A sequence's enrollments are listed newest first: without this index every page of a large sequence sorted
 *   all of its enrollments.
 * - A step's A/B variants name their templates inside `sequence_steps.variants` (`[{ key, templateId, weight }]`),
 *   where no foreign key reaches; `template_id` (the first variant's) has one. This trigger is the key for the
 *   others: it takes the same KEY SHARE lock a foreign key check takes, so a template being deleted (locked FOR
 *   UPDATE by DELETE /v1/templates/:key) makes a step naming it wait, then fail with foreign_key_violation, instead
 *   of pointing at a template that is gone. It reads `variants` through to_jsonb(NEW) so that it does not depend
 *   on the column's declaration.
 */
export class StudioLookups1765200000000 implements MigrationInterface {
  name = 'StudioLookups1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX enrollments_sequence_created_idx ON enrollments (sequence_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`
      CREATE FUNCTION touchpoint_step_variant_templates() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        wanted uuid[];
        found integer;
      BEGIN
        SELECT array_agg(DISTINCT (v ->> 'templateId')::uuid) INTO wanted
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(to_jsonb(NEW) -> 'variants') = 'array'
                                       THEN to_jsonb(NEW) -> 'variants' ELSE '[]'::jsonb END) AS v
        WHERE v ->> 'templateId' IS NOT NULL;
        IF wanted IS NULL THEN
          RETURN NEW;
        END IF;
        SELECT count(*) INTO found FROM (SELECT 1 FROM templates WHERE id = ANY (wanted) FOR KEY SHARE) AS locked;
        IF found < cardinality(wanted) THEN
          RAISE EXCEPTION 'a variant of step % names a template that does not exist', NEW.key
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER sequence_steps_variant_templates BEFORE INSERT OR UPDATE ON sequence_steps
      FOR EACH ROW EXECUTE FUNCTION touchpoint_step_variant_templates()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER sequence_steps_variant_templates ON sequence_steps`);
    await queryRunner.query(`DROP FUNCTION touchpoint_step_variant_templates()`);
    await queryRunner.query(`DROP INDEX enrollments_sequence_created_idx`);
  }
}
