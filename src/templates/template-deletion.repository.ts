import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../database/sql.js';

/** A step that names a template: directly, or through the listed A/B variants. */
export interface TemplateUserRow {
  sequence: string;
  sequence_status: string;
  step: string;
  /** Removed from the calendar but kept, with its template, for its delivery history. */
  removed: boolean;
  /** Keys of the step's variants that name the template; null for a step without variants. */
  variants: string[] | null;
}

/**
 * Every step naming the template: by `template_id` (a step's template, or its first variant's) or inside
 * `variants`. Removed steps count: their delivery rows still point at them, and their template_id's foreign key
 * would refuse the delete anyway.
 */
const USERS = `
  SELECT s.key AS sequence, s.status AS sequence_status, st.key AS step, st.removed_at IS NOT NULL AS removed,
         CASE WHEN st.variants IS NULL THEN NULL ELSE ARRAY(
           SELECT v ->> 'key' FROM jsonb_array_elements(st.variants) AS v WHERE v ->> 'templateId' = $2::text) END
           AS variants
  FROM sequence_steps st
  JOIN sequences s ON s.id = st.sequence_id
  WHERE st.template_id = $1::uuid
     OR st.variants @> jsonb_build_array(jsonb_build_object('templateId', $2::text))
  ORDER BY s.key, st.position, st.key`;

@Injectable()
export class TemplateDeletionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes the template when nothing names it; undefined when there is no such template, else the steps that
   * name it (none: deleted). The template row is locked first: a step being written that names it (its foreign
   * key, or the variant trigger of migration StudioLookups) has to wait for this transaction, so either this one
   * sees that step and refuses, or the step's write fails because the template is gone. Never both written.
   */
  deleteUnused(key: string): Promise<TemplateUserRow[] | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const template = await queryOne<{ id: string }>(manager, `SELECT id FROM templates WHERE key = $1 FOR UPDATE`, [
        key,
      ]);
      if (!template) return undefined;
      const users = await queryRows<TemplateUserRow>(manager, USERS, [template.id, template.id]);
      if (users.length === 0) await manager.query(`DELETE FROM templates WHERE id = $1`, [template.id]);
      return users;
    });
  }
}
