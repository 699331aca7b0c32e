import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../database/sql.js';

export interface VariantRow {
  locale: string;
  subject: string;
  html: string;
  text: string | null;
}

export interface TemplateRow {
  id: string;
  key: string;
  name: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  variants: VariantRow[];
}

/** A template with its variants in position order, as one row. */
const SELECT_TEMPLATE = `
  SELECT t.id, t.key, t.name, t.version, t.created_at, t.updated_at,
         COALESCE((SELECT jsonb_agg(jsonb_build_object('locale', v.locale, 'subject', v.subject, 'html', v.html, 'text', v.text)
                                    ORDER BY v.position)
                   FROM template_variants v WHERE v.template_id = t.id), '[]') AS variants
  FROM templates t`;

@Injectable()
export class TemplateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Undefined when the key is taken. Template and variants are written together or not at all. */
  insert(key: string, name: string, variants: VariantRow[]): Promise<TemplateRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const created = await queryOne<{ id: string }>(
        manager,
        `INSERT INTO templates (key, name) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING id`,
        [key, name],
      );
      if (!created) return undefined;
      await this.insertVariants(manager, created.id, variants);
      return queryOne<TemplateRow>(manager, `${SELECT_TEMPLATE} WHERE t.id = $1`, [created.id]);
    });
  }

  /** Replaces name and variants and bumps the version, which invalidates compiled copies. */
  update(key: string, name: string, variants: VariantRow[]): Promise<TemplateRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const updated = await queryOne<{ id: string }>(
        manager,
        `UPDATE templates SET name = $2, version = version + 1, updated_at = now() WHERE key = $1 RETURNING id`,
        [key, name],
      );
      if (!updated) return undefined;
      await manager.query(`DELETE FROM template_variants WHERE template_id = $1`, [updated.id]);
      await this.insertVariants(manager, updated.id, variants);
      return queryOne<TemplateRow>(manager, `${SELECT_TEMPLATE} WHERE t.id = $1`, [updated.id]);
    });
  }

  private async insertVariants(manager: DataSource['manager'], templateId: string, variants: VariantRow[]) {
    await manager.query(
      `INSERT INTO template_variants (template_id, position, locale, subject, html, text)
       SELECT $1, v.position, v.locale, v.subject, v.html, v.text
       FROM jsonb_to_recordset($2::jsonb) AS v(position int, locale text, subject text, html text, text text)`,
      [templateId, JSON.stringify(variants.map((variant, position) => ({ ...variant, position })))],
    );
  }

  findByKey(key: string): Promise<TemplateRow | undefined> {
    return queryOne<TemplateRow>(this.dataSource, `${SELECT_TEMPLATE} WHERE t.key = $1`, [key]);
  }

  findById(id: string): Promise<TemplateRow | undefined> {
    return queryOne<TemplateRow>(this.dataSource, `${SELECT_TEMPLATE} WHERE t.id = $1`, [id]);
  }

  findIdsByKeys(keys: string[]): Promise<Array<{ id: string; key: string }>> {
    return queryRows(this.dataSource, `SELECT id, key FROM templates WHERE key = ANY($1::text[])`, [keys]);
  }

  findPage(limit: number, afterKey?: string): Promise<TemplateRow[]> {
    return queryRows<TemplateRow>(
      this.dataSource,
      `${SELECT_TEMPLATE} WHERE ($1::text IS NULL OR t.key > $1) ORDER BY t.key LIMIT $2`,
      [afterKey ?? null, limit + 1],
    );
  }
}
