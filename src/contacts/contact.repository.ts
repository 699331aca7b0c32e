import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Conditions, queryOne, queryRows, type SqlFragment } from '../database/sql.js';
import { END_BY_CONTACT_STATUS } from '../lifecycle/enrollment-lifecycle.js';
import { endRunningEnrollments } from '../lifecycle/enrollment-lifecycle.repository.js';
import { AddressHasher, normaliseAddress } from './address-hasher.js';
import { isSuppressing, SuppressionRepository } from './suppression.repository.js';

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
 * import cannot resubscribe anyone; a new contact whose address is on the suppression list (joined by the
 * input's keyed hash, so a whole import is one join) is born with the recorded status and is kept out of
 * every enrollment and send by the status checks that already exist. `xmax = 0` tells an inserted row from
 * an updated one.
 */
const UPSERT = `
  INSERT INTO contacts (email, first_name, last_name, locale, timezone, attributes, status, status_changed_at)
  SELECT x.email, x.first_name, x.last_name, x.locale, x.timezone, jsonb_strip_nulls(COALESCE(x.attributes, '{}')),
         COALESCE(sp.status, 'active'), CASE WHEN sp.status IS NOT NULL THEN $2::timestamptz END
  FROM jsonb_to_recordset($1::jsonb)
    AS x(email text, first_name text, last_name text, locale text, timezone text, attributes jsonb, email_hash text)
  LEFT JOIN suppressions sp ON sp.email_hash = x.email_hash
  ON CONFLICT (lower(email)) DO UPDATE SET
    first_name = COALESCE(EXCLUDED.first_name, contacts.first_name),
    last_name  = COALESCE(EXCLUDED.last_name, contacts.last_name),
    locale     = COALESCE(EXCLUDED.locale, contacts.locale),
    timezone   = COALESCE(EXCLUDED.timezone, contacts.timezone),
    attributes = jsonb_strip_nulls(contacts.attributes || EXCLUDED.attributes),
    updated_at = $2`;

/**
 * Anything shaped like an address in a free-text column (an SMTP reply quotes the recipient, in whatever case or
 * form the remote server chose), for erasure to blank out.
 */
const ADDRESS_LIKE = `[^[:space:]<>()"',;:]+@[^[:space:]<>()"',;:]+`;

@Injectable()
export class ContactRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: AddressHasher,
    private readonly suppressions: SuppressionRepository,
    private readonly clock: Clock,
  ) {}

  private hashed(inputs: ContactInput[]): string {
    return JSON.stringify(inputs.map((input) => ({ ...input, email_hash: this.hasher.hash(input.email) })));
  }

  async upsertOne(
    input: ContactInput,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ row: ContactRow; inserted: boolean }> {
    const row = await queryOne<ContactRow & { inserted: boolean }>(
      manager,
      `${UPSERT} RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
      [this.hashed([input]), this.clock.now()],
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
      [this.hashed(inputs), this.clock.now()],
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

  /**
   * A page in creation order (index contacts_created_at_id_idx), optionally only a segment's members, or those
   * whose address or names contain `search` (ILIKE, wildcards taken literally). The search walks that index and
   * filters, stopping at a page of matches: no index serves a substring. A pg_trgm GIN index would, and the native
   * embedded PostgreSQL and Debian's server ship it (PGlite has it as a contrib to load at start), but an extension
   * belongs to a database, not a schema: DATABASE_SCHEMA users (the tests' schemas on one server) would share it,
   * and dropping the schema it landed in would take every other schema's index with it.
   */
  async findPage(options: {
    limit: number;
    after?: [string, string];
    email?: string;
    search?: string;
    rule?: SqlFragment;
  }): Promise<Array<ContactRow & { cursor_at: string }>> {
    const where = new Conditions().add(`c.status <> 'erased'`);
    if (options.rule) where.add(options.rule);
    if (options.email) where.add('lower(c.email) = lower(?)', options.email);
    if (options.search) {
      const pattern = `%${options.search.trim().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      where.add(
        `(c.email ILIKE ? OR c.first_name ILIKE ? OR c.last_name ILIKE ? OR concat_ws(' ', c.first_name, c.last_name) ILIKE ?)`,
        pattern,
        pattern,
        pattern,
        pattern,
      );
    }
    if (options.after)
      where.add('(c.created_at, c.id) > (?::timestamptz, ?::uuid)', options.after[0], options.after[1]);
    const limit = where.bind(options.limit + 1);
    // The cursor's time is the database's, to the microsecond (JSON's rendering, whatever the DateStyle): one
    // made from a JavaScript Date dropped them, so the next page began again at the same row.
    return queryRows<ContactRow & { cursor_at: string }>(
      this.dataSource,
      `SELECT ${COLUMNS.split(', ')
        .map((column) => `c.${column}`)
        .join(', ')}, to_json(c.created_at) #>> '{}' AS cursor_at
       FROM contacts c ${where.where()}
       ORDER BY c.created_at, c.id LIMIT ${limit}`,
      where.params,
    );
  }

  async countMatching(rule: SqlFragment, condition = `c.status <> 'erased'`): Promise<number> {
    const where = new Conditions().add(condition).add(rule);
    const row = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM contacts c ${where.where()}`,
      where.params,
    );
    return row!.total;
  }

  /**
   * Applies a partial update; returns undefined when the contact does not exist (or was erased). A new address
   * that is suppressed makes an active contact take the recorded status; an unsubscribed, bounced or complained
   * contact that moves to a new address leaves the old one suppressed, since its owner's wish stays with it.
   */
  async update(id: string, patch: ContactInput | Partial<ContactInput>): Promise<ContactRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const current = await queryOne<{ email: string; status: string }>(
        manager,
        `SELECT email, status FROM contacts WHERE id = $1 AND status <> 'erased' FOR UPDATE`,
        [id],
      );
      if (!current) return undefined;
      const now = this.clock.now();
      const moved = patch.email !== undefined && normaliseAddress(patch.email) !== normaliseAddress(current.email);
      if (moved && isSuppressing(current.status)) {
        await this.suppressions.suppress(manager, this.hasher.hash(current.email), current.status, now);
      }
      return queryOne<ContactRow>(
        manager,
        `WITH suppressed AS (SELECT status FROM suppressions WHERE email_hash = $8)
         UPDATE contacts SET
           email      = COALESCE($2, email),
           first_name = COALESCE($3, first_name),
           last_name  = COALESCE($4, last_name),
           locale     = COALESCE($5, locale),
           timezone   = COALESCE($6, timezone),
           attributes = jsonb_strip_nulls(attributes || COALESCE($7::jsonb, '{}')),
           status     = CASE WHEN status = 'active' THEN COALESCE((SELECT status FROM suppressed), status) ELSE status END,
           status_changed_at = CASE WHEN status = 'active' AND EXISTS (SELECT 1 FROM suppressed) THEN $9::timestamptz
                                    ELSE status_changed_at END,
           updated_at = $9
         WHERE id = $1
         RETURNING ${COLUMNS}`,
        [
          id,
          patch.email ?? null,
          patch.first_name ?? null,
          patch.last_name ?? null,
          patch.locale ?? null,
          patch.timezone ?? null,
          patch.attributes ? JSON.stringify(patch.attributes) : null,
          moved ? this.hasher.hash(patch.email!) : null,
          now,
        ],
      );
    });
  }

  /**
   * Erasure, within the caller's transaction: personal data goes, the row stays (anonymous) so delivery and
   * conversion counts keep their contact_id. An unsubscribed, bounced or complained address is first put on the
   * suppression list (as a keyed hash), so the person is never mailed again should the address come back.
   * Running enrollments end; event payloads and idempotency keys, tracking user agents and URLs, and SMTP replies
   * (which quote the recipient) go. Returns the contact's delivery ids (their outbox files are the caller's), or
   * undefined when there was no such contact.
   */
  async erase(manager: EntityManager, id: string): Promise<{ deliveryIds: string[] } | undefined> {
    const contact = await queryOne<{ email: string; status: string }>(
      manager,
      `SELECT email, status FROM contacts WHERE id = $1 AND status <> 'erased' FOR UPDATE`,
      [id],
    );
    if (!contact) return undefined;
    const now = this.clock.now();
    if (isSuppressing(contact.status)) {
      await this.suppressions.suppress(manager, this.hasher.hash(contact.email), contact.status, now);
    }
    await manager.query(
      `UPDATE contacts SET email = NULL, first_name = NULL, last_name = NULL, attributes = '{}',
         status = 'erased', status_changed_at = $2, erased_at = $2, updated_at = $2
       WHERE id = $1`,
      [id, now],
    );
    await endRunningEnrollments(
      manager,
      { contactIds: [id] },
      { status: END_BY_CONTACT_STATUS.erased, reason: 'erased' },
      now,
    );
    // The key is the client's text and often names the person (`signup-ion@example.md`); it can never match
    // again, since a later event for the address creates a new contact.
    await manager.query(`UPDATE events SET properties = '{}', idempotency_key = NULL WHERE contact_id = $1`, [id]);
    await manager.query(`UPDATE tracking_events SET user_agent = NULL, url = NULL WHERE contact_id = $1`, [id]);
    const deliveries = await queryRows<{ id: string }>(
      manager,
      `UPDATE deliveries SET smtp_response = NULL, reason = regexp_replace(reason, $2, '[address erased]', 'g')
       WHERE contact_id = $1 RETURNING id`,
      [id, ADDRESS_LIKE],
    );
    return { deliveryIds: deliveries.map((row) => row.id) };
  }
}
