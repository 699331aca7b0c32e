import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../database/sql.js';

/**
 * Which sequences the breaker may pause: those that are not transactional. Issue 15 adds the sequence field
 * `transactional`; until then every sequence is marketing. The seam: once the column exists, this becomes
 * `NOT s.transactional`.
 */
const NOT_TRANSACTIONAL_SQL = 'true';

/** app_settings key: when the breaker last tripped (complaints before it have been acted on). */
const TRIPPED_AT = 'complaint_breaker_tripped_at';

/** The breaker's SQL: the last 24 h's complaints and sends, and the pause of marketing sequences. */
@Injectable()
export class ComplaintBreakerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Contacts who complained in (since, until] (one each, however many reports or sources), and the breaker's
   * last trip. Index mail_feedback_kind_idx.
   */
  async complaints(since: Date, until: Date): Promise<{ complaints: number; trippedAt: Date | null }> {
    const row = await queryOne<{ complaints: number; tripped_at: string | null }>(
      this.dataSource,
      `SELECT (SELECT count(DISTINCT contact_id)::int FROM mail_feedback
               WHERE kind = 'complaint' AND received_at > $1 AND received_at <= $2) AS complaints,
              (SELECT value FROM app_settings WHERE key = $3) AS tripped_at`,
      [since, until, TRIPPED_AT],
    );
    return { complaints: row!.complaints, trippedAt: row!.tripped_at ? new Date(row!.tripped_at) : null };
  }

  /**
   * Emails sent in (since, until], counted up to `atMost`: the breaker needs to know only whether the sends
   * stay under what the complaints allow, so a busy day costs no more than a quiet one (deliveries_sent_at_idx).
   */
  async sent(since: Date, until: Date, atMost: number): Promise<number> {
    const row = await queryOne<{ n: number }>(
      this.dataSource,
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM deliveries WHERE sent_at > $1 AND sent_at <= $2 LIMIT $3
       ) AS sent`,
      [since, until, atMost],
    );
    return row!.n;
  }

  /**
   * Pauses every active marketing sequence with the breaker's reason, and notes the trip when it paused any,
   * in one transaction.
   * Conditional on `status = 'active'`: instances that trip together pause each sequence once. Returns the
   * keys this call paused.
   */
  trip(now: Date): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const paused = await queryRows<{ key: string }>(
        manager,
        `UPDATE sequences s SET status = 'paused', paused_reason = 'complaint-rate', updated_at = $1
         WHERE s.status = 'active' AND ${NOT_TRANSACTIONAL_SQL}
         RETURNING s.key`,
        [now],
      );
      if (paused.length > 0) {
        await manager.query(
          `INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
          [TRIPPED_AT, now.toISOString()],
        );
      }
      return paused.map((row) => row.key).sort();
    });
  }
}
