import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CompiledRule } from '../segments/segment-rule.js';
import { Conditions, queryOne, queryRows } from '../database/sql.js';

export interface ContactRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  status: string;
  created_at: Date;
  updated_at: Date;
}

export interface ContactInput {
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  locale?: string | null;
  timezone?: string | null;
  attributes?: Record<string, unknown> | null;
}

const COLUMNS = 'id, email, first_name, last_name, locale, timezone, attributes, status, created_at, updated_at';

/**
 * Upsert from a JSON array of inputs in one statement. Given fields overwrite, absent ones keep their
 * value; attributes merge and a null attribute value removes the key. Status is never touched, so an
 * import cannot resubscribe anyone. `xmax = 0` tells an inserted row from an updated one.
 */
const UPSERT = `
  INSERT INTO contacts (email, first_name, last_name, locale, timezone, attributes)
  SELECT x.email, x.first_name, x.last_name, x.locale, x.timezone, jsonb_strip_nulls(COALESCE(x.attributes, '{}'))
  FROM jsonb_to_recordset($1::jsonb)
    AS x(email text, first_name text, last_name text, locale text, timezone text, attributes jsonb)
  ON CONFLICT (lower(email)) DO UPDATE SET
    first_name = COALESCE(EXCLUDED.first_name, contacts.first_name),
    last_name  = COALESCE(EXCLUDED.last_name, contacts.last_name),
    locale     = COALESCE(EXCLUDED.locale, contacts.locale),
    timezone   = COALESCE(EXCLUDED.timezone, contacts.timezone),
    attributes = jsonb_strip_nulls(contacts.attributes || EXCLUDED.attributes),
    updated_at = now()`;

@Injectable()
export class ContactRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsertOne(
    input: ContactInput,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ row: ContactRow; inserted: boolean }> {
    const row = await queryOne<ContactRow & { inserted: boolean }>(
      manager,
      `${UPSERT} RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
      [JSON.stringify([input])],
    );
    const { inserted, ...contact } = row!;
    return { row: contact, inserted };
  }

  async upsertMany(inputs: ContactInput[]): Promise<{ created: number; updated: number }> {
    if (inputs.length === 0) return { created: 0, updated: 0 };
    const counts = await queryOne<{ created: number; updated: number }>(
      this.dataSource,
      `WITH upserted AS (${UPSERT} RETURNING (xmax = 0) AS inserted)
       SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM upserted`,
      [JSON.stringify(inputs)],
    );
    return counts!;
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<ContactRow | undefined> {
    return queryOne<ContactRow>(manager, `SELECT ${COLUMNS} FROM contacts WHERE id = $1 AND status <> 'erased'`, [id]);
  }

  async findByEmail(email: string): Promise<ContactRow | undefined> {
    return queryOne<ContactRow>(this.dataSource, `SELECT ${COLUMNS} FROM contacts WHERE lower(email) = lower($1)`, [
      email,
    ]);
  }

  /** A page in creation order (index contacts_created_at_id_idx), optionally only a segment's members. */
  async findPage(options: {
    limit: number;
    after?: [string, string];
    email?: string;
    rule?: CompiledRule;
  }): Promise<ContactRow[]> {
    const where = new Conditions(options.rule?.params).add(`c.status <> 'erased'`);
    if (options.rule) where.add(options.rule.sql);
    if (options.email) where.add('lower(c.email) = lower(?)', options.email);
    if (options.after)
      where.add('(c.created_at, c.id) > (?::timestamptz, ?::uuid)', options.after[0], options.after[1]);
    const limit = where.bind(options.limit + 1);
    return queryRows<ContactRow>(
      this.dataSource,
      `SELECT ${COLUMNS.split(', ')
        .map((column) => `c.${column}`)
        .join(', ')}
       FROM contacts c ${where.where()}
       ORDER BY c.created_at, c.id LIMIT ${limit}`,
      where.params,
    );
  }

  async countMatching(rule: CompiledRule, condition = `c.status <> 'erased'`): Promise<number> {
    const row = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM contacts c WHERE ${condition} AND ${rule.sql}`,
      rule.params,
    );
    return row!.total;
  }

  /** Applies a partial update; returns undefined when the contact does not exist (or was erased). */
  async update(id: string, patch: ContactInput | Partial<ContactInput>): Promise<ContactRow | undefined> {
    return queryOne<ContactRow>(
      this.dataSource,
      `UPDATE contacts SET
         email      = COALESCE($2, email),
         first_name = COALESCE($3, first_name),
         last_name  = COALESCE($4, last_name),
         locale     = COALESCE($5, locale),
         timezone   = COALESCE($6, timezone),
         attributes = jsonb_strip_nulls(attributes || COALESCE($7::jsonb, '{}')),
         updated_at = now()
       WHERE id = $1 AND status <> 'erased'
       RETURNING ${COLUMNS}`,
      [
        id,
        patch.email ?? null,
        patch.first_name ?? null,
        patch.last_name ?? null,
        patch.locale ?? null,
        patch.timezone ?? null,
        patch.attributes ? JSON.stringify(patch.attributes) : null,
      ],
    );
  }

  /**
   * Erasure: personal data goes, the row stays (anonymous) so delivery and conversion counts keep their
   * contact_id. Running enrollments end; event payloads and user agents, which may hold personal data, go.
   */
  async erase(id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const erased = await queryRows(
        manager,
        `UPDATE contacts SET email = NULL, first_name = NULL, last_name = NULL, attributes = '{}',
           status = 'erased', status_changed_at = now(), erased_at = now(), updated_at = now()
         WHERE id = $1 AND status <> 'erased' RETURNING id`,
        [id],
      );
      if (erased.length === 0) return false;
      await manager.query(
        `UPDATE enrollments SET status = 'exited', exit_reason = 'erased', ended_at = now(), next_due_at = NULL, updated_at = now()
         WHERE contact_id = $1 AND status = 'active'`,
        [id],
      );
      await manager.query(`UPDATE events SET properties = '{}' WHERE contact_id = $1`, [id]);
      await manager.query(`UPDATE tracking_events SET user_agent = NULL, url = NULL WHERE contact_id = $1`, [id]);
      await manager.query(`UPDATE deliveries SET smtp_response = NULL WHERE contact_id = $1`, [id]);
      return true;
    });
  }
}
