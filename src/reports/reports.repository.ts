import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Conditions, queryRows, type SqlFragment } from '../database/sql.js';

export interface FunnelStepRow {
  id: string;
  key: string;
  position: number;
  day_offset: number;
  reached: number;
  sent: number;
  failed: number;
  skipped: number;
  opened: number;
  clicked: number;
  converted_after: number;
  unsubscribed_after: number;
  dropped_after: number;
  /** The step's A/B variants as stored (`[{ key, templateId, weight }]`); null for a plain step. */
  variants: Array<{ key: string }> | null;
}

/** One variant's counts at one step (rows of steps with variants only). */
export interface FunnelVariantRow {
  step_id: string;
  variant: string;
  sent: number;
  opened: number;
  clicked: number;
  converted_after: number;
}

export interface FunnelTotalsRow {
  enrolled: number;
  active: number;
  completed: number;
  converted: number;
  unsubscribed: number;
  bounced: number;
  exited: number;
  /** Held-out enrollments (no email sent) among `enrolled`, and those of them that converted. */
  holdout_enrolled: number;
  holdout_converted: number;
}

export interface ConversionRow {
  id: string;
  contact_id: string;
  email: string | null;
  sequence_key: string;
  event_name: string;
  attributed_step: string | null;
  occurred_at: Date;
}

/**
 * The funnel, set-based in SQL. The cohort is the sequence's enrollments whose day 0 falls in the range.
 * Per current step: how many reached it (a delivery row exists, whatever its status), were sent, failed,
 * skipped, opened, clicked (opened_at / clicked_at, which only a person's open or click sets: machines are
 * counted apart, src/tracking/machine-rules.ts); and, attributed to the last step each enrollment was sent,
 * how many converted, unsubscribed, or dropped out (bounced or exited) after it.
 *
 * Cost (see docs/funnel.md): one pass over the sequence's delivery rows, grouped by step — joined to the
 * cohort only when a range or a breakdown narrows it — and one over its enrollments, grouped by the last
 * step each was sent (`last_sent_step_id`, kept by the scheduler), which gives both the losses per step
 * and the totals. The cohort is inlined, not materialized: the planner then hashes the enrollments and
 * streams the delivery rows past them in parallel (a materialized cohort made it hash the 1M delivery rows
 * instead, 3× slower). Contacts are joined only for a breakdown.
 */
function cohortSql(filter: string): string {
  return `enrollments e ${filter ? 'JOIN contacts c ON c.id = e.contact_id' : ''}
      WHERE e.sequence_id = $1 AND ($2::timestamptz IS NULL OR e.start_at >= $2) AND ($3::timestamptz IS NULL OR e.start_at < $3)
        ${filter}`;
}

function funnelSql(narrowed: boolean, filter: string): string {
  const cohort = cohortSql(filter);
  return `
    WITH per_step AS (
      SELECT d.step_id, count(*)::int AS reached,
             count(*) FILTER (WHERE d.status = 'sent')::int AS sent,
             count(*) FILTER (WHERE d.status = 'failed')::int AS failed,
             count(*) FILTER (WHERE d.status = 'skipped')::int AS skipped,
             count(d.opened_at)::int AS opened,
             count(d.clicked_at)::int AS clicked
      FROM deliveries d ${narrowed ? `WHERE d.enrollment_id IN (SELECT e.id FROM ${cohort}) AND` : 'WHERE'} d.sequence_id = $1
      GROUP BY d.step_id
    ), by_last_sent AS (
      -- People are lost after the last email they actually received.
      SELECT e.last_sent_step_id AS step_id, count(*)::int AS enrolled,
             count(*) FILTER (WHERE e.status = 'active')::int AS active,
             count(*) FILTER (WHERE e.status = 'completed')::int AS completed,
             count(*) FILTER (WHERE e.status = 'converted')::int AS converted,
             count(*) FILTER (WHERE e.status = 'unsubscribed')::int AS unsubscribed,
             count(*) FILTER (WHERE e.status = 'bounced')::int AS bounced,
             count(*) FILTER (WHERE e.status = 'exited')::int AS exited,
             count(*) FILTER (WHERE e.holdout)::int AS holdout_enrolled,
             count(*) FILTER (WHERE e.holdout AND e.status = 'converted')::int AS holdout_converted
      FROM ${cohort}
      GROUP BY e.last_sent_step_id
    ), conversions_after AS (
      SELECT v.attributed_step_id AS step_id, count(*)::int AS converted_after
      FROM conversions v
      WHERE ${narrowed ? `v.enrollment_id IN (SELECT e.id FROM ${cohort}) AND` : ''} v.sequence_id = $1
        AND v.attributed_step_id IS NOT NULL
      GROUP BY v.attributed_step_id
    ), totals AS (
      SELECT COALESCE(sum(enrolled), 0)::int AS enrolled, COALESCE(sum(active), 0)::int AS active,
             COALESCE(sum(completed), 0)::int AS completed, COALESCE(sum(converted), 0)::int AS converted,
             COALESCE(sum(unsubscribed), 0)::int AS unsubscribed, COALESCE(sum(bounced), 0)::int AS bounced,
             COALESCE(sum(exited), 0)::int AS exited, COALESCE(sum(holdout_enrolled), 0)::int AS holdout_enrolled,
             COALESCE(sum(holdout_converted), 0)::int AS holdout_converted
      FROM by_last_sent
    )
    SELECT st.id, st.key, st.position, st.day_offset, st.variants,
           COALESCE(p.reached, 0) AS reached, COALESCE(p.sent, 0) AS sent, COALESCE(p.failed, 0) AS failed,
           COALESCE(p.skipped, 0) AS skipped, COALESCE(p.opened, 0) AS opened, COALESCE(p.clicked, 0) AS clicked,
           COALESCE(v.converted_after, 0) AS converted_after, COALESCE(en.unsubscribed, 0) AS unsubscribed_after,
           COALESCE(en.bounced + en.exited, 0) AS dropped_after,
           (SELECT row_to_json(totals) FROM totals) AS totals
    FROM sequence_steps st
    LEFT JOIN per_step p ON p.step_id = st.id
    LEFT JOIN by_last_sent en ON en.step_id = st.id
    LEFT JOIN conversions_after v ON v.step_id = st.id
    WHERE st.sequence_id = $1 AND st.removed_at IS NULL
    ORDER BY st.position`;
}

@Injectable()
export class ReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async funnel(
    sequenceId: string,
    since: Date | null,
    until: Date | null,
    /** An extra condition on the cohort's contacts (`c`). */
    filter?: SqlFragment,
  ): Promise<{ steps: FunnelStepRow[]; totals: FunnelTotalsRow }> {
    const statement = new Conditions([sequenceId, since, until]);
    const narrowed = since !== null || until !== null || filter !== undefined;
    const sql = funnelSql(narrowed, filter ? `AND ${statement.place(filter)}` : '');
    const params = statement.params;
    type Row = FunnelStepRow & { totals: FunnelTotalsRow };
    const rows = narrowed
      ? await this.dataSource.transaction(async (manager) => {
          // A narrowed cohort is estimated from independent guesses (a language, a segment's rule, a range of
          // day 0 — each correlated with the sequence in ways statistics do not hold). Underestimated, the
          // planner walked the delivery log by index once per enrollment: 2 s and more per group on the
          // bench's data instead of one hashed pass. Without nested loops a small group pays that one pass
          // too (~0.4 s per million delivery rows) where index lookups would have taken milliseconds: a
          // bounded cost rather than one that grows with the planner's error.
          await manager.query('SET LOCAL enable_nestloop = off');
          return queryRows<Row>(manager, sql, params);
        })
      : await queryRows<Row>(this.dataSource, sql, params);
    const totals = rows[0]?.totals ?? {
      enrolled: 0,
      active: 0,
      completed: 0,
      converted: 0,
      unsubscribed: 0,
      bounced: 0,
      exited: 0,
      holdout_enrolled: 0,
      holdout_converted: 0,
    };
    return { steps: rows.map(({ totals: _totals, ...step }) => step), totals };
  }

  /**
   * The A/B variants' counts, for every step of the sequence at once: one pass over its delivery rows that carry a
   * variant (deliveries_sequence_step_idx), grouped by step and variant, each joined to its enrollment's conversion
   * when that conversion is attributed to the step (conversions_enrollment_key) — so a step's variants add up to its
   * convertedAfter. Narrowed to the cohort as the funnel is.
   */
  funnelVariants(sequenceId: string, since: Date | null, until: Date | null): Promise<FunnelVariantRow[]> {
    const narrowed = since !== null || until !== null;
    return queryRows<FunnelVariantRow>(
      this.dataSource,
      `SELECT d.step_id, d.variant, count(*) FILTER (WHERE d.status = 'sent')::int AS sent,
              count(d.opened_at)::int AS opened, count(d.clicked_at)::int AS clicked,
              count(v.id)::int AS converted_after
       FROM deliveries d
       LEFT JOIN conversions v ON v.contact_id = d.contact_id AND v.enrollment_id = d.enrollment_id
                              AND v.attributed_step_id = d.step_id
       WHERE d.sequence_id = $1 AND d.variant IS NOT NULL
         ${narrowed ? `AND d.enrollment_id IN (SELECT e.id FROM ${cohortSql('')})` : ''}
       GROUP BY d.step_id, d.variant
       ORDER BY d.step_id, d.variant`,
      narrowed ? [sequenceId, since, until] : [sequenceId],
    );
  }

  /** Distinct languages of a sequence's enrolled contacts (for the per-locale breakdown). */
  async cohortLanguages(sequenceId: string): Promise<string[]> {
    const rows = await queryRows<{ language: string }>(
      this.dataSource,
      `SELECT DISTINCT COALESCE(split_part(lower(c.locale), '-', 1), '') AS language
       FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE e.sequence_id = $1 ORDER BY 1`,
      [sequenceId],
    );
    return rows.map((row) => row.language);
  }

  /** The conversion log, newest first, keyset-paginated on (occurred_at, id). */
  conversions(filter: {
    sequence?: string;
    since?: Date;
    until?: Date;
    after?: [string, string];
    limit: number;
  }): Promise<ConversionRow[]> {
    const where = new Conditions();
    if (filter.sequence) where.add('s.key = ?', filter.sequence);
    if (filter.since) where.add('v.occurred_at >= ?', filter.since);
    if (filter.until) where.add('v.occurred_at < ?', filter.until);
    if (filter.after) where.add('(v.occurred_at, v.id) < (?::timestamptz, ?::uuid)', filter.after[0], filter.after[1]);
    const limit = where.bind(filter.limit + 1);
    return queryRows<ConversionRow>(
      this.dataSource,
      `SELECT v.id, v.contact_id, c.email, s.key AS sequence_key, v.event_name, st.key AS attributed_step, v.occurred_at
       FROM conversions v
       JOIN contacts c ON c.id = v.contact_id
       JOIN sequences s ON s.id = v.sequence_id
       LEFT JOIN sequence_steps st ON st.id = v.attributed_step_id
       ${where.where()}
       ORDER BY v.occurred_at DESC, v.id DESC
       LIMIT ${limit}`,
      where.params,
    );
  }
}
