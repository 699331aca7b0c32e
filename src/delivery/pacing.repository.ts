import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql.js';
import { LEDGER_DAYS, type FrequencyCap } from '../settings/journey-settings.js';

/**
 * The reservation statement (exported so docs/frequency-cap.md's plan is of this very text). $1 contact ids (each
 * at most once), $2 now, $3 the exempt (transactional) ones among them, $4 maxPerDay, $5 maxPerWeek,
 * $6 minHoursBetween (NULL: no such limit). A contact's row is locked by the first instance to reach it; a
 * concurrent one waits, and PostgreSQL then re-evaluates the DO UPDATE's WHERE on the row as that instance left it
 * (READ COMMITTED): so two instances serialise on the contact and the second sees the first one's send.
 * The WHERE is the cap's "allowed now" of pacing.ts capHold, over the same rolling windows.
 */
export const RESERVE_SQL = `INSERT INTO contact_pacing AS p (contact_id, sends, updated_at)
       SELECT x.contact_id, ARRAY[$2::timestamptz], $2
       FROM unnest($1::uuid[]) AS x(contact_id)
       JOIN contacts c ON c.id = x.contact_id
       ORDER BY x.contact_id
       ON CONFLICT (contact_id) DO UPDATE SET
         sends = ARRAY(SELECT s FROM unnest(p.sends) AS s
                       WHERE s > $2::timestamptz - interval '${LEDGER_DAYS} days' ORDER BY s) || $2::timestamptz,
         updated_at = $2
       WHERE p.contact_id = ANY($3::uuid[])
          OR (($4::int IS NULL
               OR (SELECT count(*) FROM unnest(p.sends) AS s WHERE s > $2::timestamptz - interval '24 hours') < $4)
              AND ($5::int IS NULL
               OR (SELECT count(*) FROM unnest(p.sends) AS s WHERE s > $2::timestamptz - interval '7 days') < $5)
              AND ($6::int IS NULL
               OR NOT EXISTS (SELECT 1 FROM unnest(p.sends) AS s WHERE s > $2::timestamptz - make_interval(hours => $6))))
       RETURNING contact_id`;

/**
 * The frequency cap's per-contact ledger, contact_pacing: each row holds the contact's send times of the last
 * seven days. The cap is checked and reserved on that one row by primary key, never by reading the delivery log.
 * Every statement is autocommit and short: a row lock is held for one statement, never across an SMTP call.
 */
@Injectable()
export class PacingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a send at `now` for each contact the cap allows (or that is exempt) and returns those contacts. Rows
   * are locked in contact order, so two instances reserving overlapping sets cannot deadlock. A contact may appear
   * only once: a statement cannot update a row twice, nor see its own first update.
   */
  async reserve(contactIds: string[], exempt: string[], cap: FrequencyCap | null, now: Date): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const rows = await queryRows<{ contact_id: string }>(this.dataSource, RESERVE_SQL, [
      contactIds,
      now,
      exempt,
      cap?.maxPerDay ?? null,
      cap?.maxPerWeek ?? null,
      cap?.minHoursBetween ?? null,
    ]);
    return new Set(rows.map((row) => row.contact_id));
  }

  /** The ledgers of `contactIds` as they stand (for the time a refused send may go). */
  async ledgers(contactIds: string[]): Promise<Map<string, Date[]>> {
    const rows = await queryRows<{ contact_id: string; sends: Date[] }>(
      this.dataSource,
      `SELECT contact_id, sends FROM contact_pacing WHERE contact_id = ANY($1::uuid[])`,
      [contactIds],
    );
    return new Map(rows.map((row) => [row.contact_id, row.sends.map((send) => new Date(send))]));
  }

  /**
   * Takes back one reservation at `at` per contact (a send that did not go out: refused at the gate, failed, or
   * retrying later). Each contact at most once per call, as for reserve.
   */
  async release(contactIds: string[], at: Date, now: Date): Promise<void> {
    if (contactIds.length === 0) return;
    await this.dataSource.query(
      `UPDATE contact_pacing p
       SET sends = p.sends[:array_position(p.sends, $2::timestamptz) - 1]
                   || p.sends[array_position(p.sends, $2::timestamptz) + 1:],
           updated_at = $3
       WHERE p.contact_id = ANY($1::uuid[]) AND array_position(p.sends, $2::timestamptz) IS NOT NULL`,
      [contactIds, at, now],
    );
  }
}
