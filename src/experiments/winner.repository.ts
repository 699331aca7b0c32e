import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../database/sql.js';
import type { StepExperiment, StepWinner } from '../sequences/sequence.repository.js';
import type { VariantCounts } from './winner-rule.js';

/** A step whose experiment has no winner yet, with its counts per variant (variants that sent nothing are absent). */
export interface OpenExperiment {
  step_id: string;
  step_key: string;
  sequence_key: string;
  variants: Array<{ key: string }>;
  experiment: StepExperiment;
  counts: Record<string, VariantCounts>;
}

/**
 * The open experiments of active sequences and their counts, in one statement for all of them: per step and
 * variant, the sent deliveries (index deliveries_sequence_step_idx), those a person clicked (clicked_at, which only
 * a person's click sets, as the funnel counts), and those whose enrollment converted at or after the send
 * (conversions_enrollment_key). EXPLAIN in docs/experiments.md.
 */
export const OPEN_EXPERIMENTS_SQL = `
  WITH open AS (
    SELECT st.id, st.key, st.sequence_id, s.key AS sequence_key, st.variants, st.experiment
    FROM sequence_steps st
    JOIN sequences s ON s.id = st.sequence_id
    WHERE s.status = 'active' AND st.removed_at IS NULL AND st.experiment IS NOT NULL AND st.variants IS NOT NULL
      AND st.winner IS NULL
  ), arms AS (
    SELECT d.step_id, d.variant, count(*)::int AS sends, count(d.clicked_at)::int AS clicks,
           count(v.id)::int AS conversions
    FROM open o
    JOIN deliveries d ON d.sequence_id = o.sequence_id AND d.step_id = o.id AND d.status = 'sent'
    LEFT JOIN conversions v ON v.contact_id = d.contact_id AND v.enrollment_id = d.enrollment_id
                           AND v.occurred_at >= d.sent_at
    WHERE d.variant IS NOT NULL
    GROUP BY d.step_id, d.variant
  )
  SELECT o.id AS step_id, o.key AS step_key, o.sequence_key, o.variants, o.experiment,
         COALESCE((SELECT jsonb_object_agg(a.variant, jsonb_build_object('sends', a.sends, 'clicks', a.clicks,
                                                                        'conversions', a.conversions))
                   FROM arms a WHERE a.step_id = o.id), '{}'::jsonb) AS counts
  FROM open o
  ORDER BY o.sequence_key, o.key`;

/** The SQL of experiments' winners: the counts to decide on, and the winner written once. */
@Injectable()
export class WinnerRepository {
  constructor(private readonly dataSource: DataSource) {}

  openExperiments(): Promise<OpenExperiment[]> {
    return queryRows<OpenExperiment>(this.dataSource, OPEN_EXPERIMENTS_SQL, []);
  }

  /**
   * Writes an automatic winner unless the step has one: of two instances deciding after the same pass, the second
   * matches nothing (false), so a winner is recorded, and logged, once.
   */
  async decide(stepId: string, winner: StepWinner): Promise<boolean> {
    const row = await queryOne<{ id: string }>(
      this.dataSource,
      `UPDATE sequence_steps SET winner = $2::jsonb WHERE id = $1 AND winner IS NULL AND removed_at IS NULL RETURNING id`,
      [stepId, JSON.stringify(winner)],
    );
    return row !== undefined;
  }

  /** A marketer's pin replaces whatever winner the step had. */
  async pin(stepId: string, winner: StepWinner): Promise<void> {
    await this.dataSource.query(`UPDATE sequence_steps SET winner = $2::jsonb WHERE id = $1`, [
      stepId,
      JSON.stringify(winner),
    ]);
  }
}
