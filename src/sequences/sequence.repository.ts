import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { queryOne, queryRows } from '../database/sql.js';
import { endRunningEnrollments } from '../lifecycle/enrollment-lifecycle.repository.js';
import type { ReentryRule } from './journey.dto.js';
import type { SendWindow } from './schedule.js';
import { REPLAN_ENROLLMENTS, SELECT_SEQUENCE } from './sequence-sql.js';

export interface StepVariantRow {
  key: string;
  template_id: string;
  template_key: string;
  weight: number;
}

export interface StepExperiment {
  metric: 'click' | 'conversion';
  minPerVariant: number;
  probabilityToBeat: number;
}

export interface StepWinner {
  variant: string;
  /** Its probability to beat every other variant when decided; null when a marketer pinned it. */
  probability: number | null;
  decidedAt: string;
  by: 'auto' | 'pinned';
}

export interface StepRow {
  id: string;
  key: string;
  position: number;
  day_offset: number;
  at_time: string | null;
  template_id: string;
  template_key: string;
  segment_id: string | null;
  segment_key: string | null;
  max_lateness_hours: number;
  /** A/B variants instead of one template (template_id is then the first variant's); null for a plain step. */
  variants: StepVariantRow[] | null;
  experiment: StepExperiment | null;
  winner: StepWinner | null;
}

export interface SequenceRow {
  id: string;
  key: string;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  /** Why a paused sequence is paused when it was not a marketer: `complaint-rate` (the complaint breaker). */
  paused_reason: string | null;
  trigger_event: string | null;
  conversion_event: string | null;
  audience_segment_id: string | null;
  audience_segment_key: string | null;
  send_window: SendWindow | null;
  default_timezone: string | null;
  /** NULL: the server's default (TRACK_OPENS, TRACK_CLICKS). */
  track_opens: boolean | null;
  track_clicks: boolean | null;
  reentry: ReentryRule;
  reentry_cooldown_days: number | null;
  /** Exempt from the frequency cap and quiet dates. */
  transactional: boolean;
  holdout_percent: number;
  /** Days an enrollment keeps running after its last step, so a conversion then still counts. */
  conversion_window_days: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  /** Current steps in order; removed ones are not listed. */
  steps: StepRow[];
}

/** The values a create or update writes; template and segment keys already resolved to ids. */
export interface SequenceInput {
  name: string;
  triggerEvent: string | null;
  conversionEvent: string | null;
  audienceSegmentId: string | null;
  sendWindow: SendWindow | null;
  timezone: string | null;
  tracking: { opens: boolean | null; clicks: boolean | null };
  reentry: ReentryRule;
  reentryCooldownDays: number | null;
  transactional: boolean;
  holdoutPercent: number;
  conversionWindowDays: number;
  steps: Array<{
    key: string;
    dayOffset: number;
    at: string | null;
    templateId: string;
    variants: Array<{ key: string; templateId: string; weight: number }> | null;
    experiment: StepExperiment | null;
    segmentId: string | null;
    maxLatenessHours: number;
  }>;
}

@Injectable()
export class SequenceRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  insert(key: string, input: SequenceInput): Promise<SequenceRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const created = await queryOne<{ id: string }>(
        manager,
        `INSERT INTO sequences (key, name, trigger_event, conversion_event, audience_segment_id, send_window, default_timezone,
                                track_opens, track_clicks, reentry, reentry_cooldown_days, transactional, holdout_percent,
                                conversion_window_days)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (key) DO NOTHING RETURNING id`,
        [key, ...this.sequenceValues(input)],
      );
      if (!created) return undefined;
      await this.writeSteps(manager, created.id, input);
      return this.findById(created.id, manager);
    });
  }

  /**
   * Steps are matched by key: a kept key keeps its step id (and so its delivery history), a new key is
   * a new step, a missing key is marked removed. Running enrollments are then re-planned in the same
   * transaction, so none of them can see a half-edited calendar.
   */
  update(key: string, input: SequenceInput): Promise<SequenceRow | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const updated = await queryOne<{ id: string }>(
        manager,
        `UPDATE sequences SET name = $2, trigger_event = $3, conversion_event = $4, audience_segment_id = $5,
           send_window = $6, default_timezone = $7, track_opens = $8, track_clicks = $9, reentry = $10,
           reentry_cooldown_days = $11, transactional = $12, holdout_percent = $13, conversion_window_days = $14,
           version = version + 1,
           updated_at = now()
         WHERE key = $1 RETURNING id`,
        [key, ...this.sequenceValues(input)],
      );
      if (!updated) return undefined;
      await this.writeSteps(manager, updated.id, input);
      await manager.query(REPLAN_ENROLLMENTS, [updated.id, this.clock.now()]);
      return this.findById(updated.id, manager);
    });
  }

  private sequenceValues(input: SequenceInput): unknown[] {
    return [
      input.name,
      input.triggerEvent,
      input.conversionEvent,
      input.audienceSegmentId,
      input.sendWindow ? JSON.stringify(input.sendWindow) : null,
      input.timezone,
      input.tracking.opens,
      input.tracking.clicks,
      input.reentry,
      input.reentryCooldownDays,
      input.transactional,
      input.holdoutPercent,
      input.conversionWindowDays,
    ];
  }

  private async writeSteps(manager: EntityManager, sequenceId: string, input: SequenceInput): Promise<void> {
    const steps = input.steps.map((step, position) => ({ ...step, position }));
    await manager.query(
      // A winner survives an edit only while its variant is still one of the step's variants.
      `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, at_time, template_id, variants, experiment,
                                  segment_id, max_lateness_hours)
       SELECT $1, x.key, x.position, x."dayOffset", x.at, x."templateId", x.variants, x.experiment, x."segmentId",
              x."maxLatenessHours"
       FROM jsonb_to_recordset($2::jsonb)
         AS x(key text, position int, "dayOffset" int, at text, "templateId" uuid, variants jsonb, experiment jsonb,
              "segmentId" uuid, "maxLatenessHours" int)
       ON CONFLICT (sequence_id, key) DO UPDATE SET
         position = EXCLUDED.position, day_offset = EXCLUDED.day_offset, at_time = EXCLUDED.at_time,
         template_id = EXCLUDED.template_id, variants = EXCLUDED.variants, experiment = EXCLUDED.experiment,
         winner = CASE WHEN EXCLUDED.variants @> jsonb_build_array(jsonb_build_object('key', sequence_steps.winner->>'variant'))
                       THEN sequence_steps.winner END,
         segment_id = EXCLUDED.segment_id, max_lateness_hours = EXCLUDED.max_lateness_hours, removed_at = NULL`,
      [sequenceId, JSON.stringify(steps)],
    );
    await manager.query(
      `UPDATE sequence_steps SET removed_at = now() WHERE sequence_id = $1 AND removed_at IS NULL AND NOT (key = ANY($2::text[]))`,
      [sequenceId, steps.map((step) => step.key)],
    );
  }

  /** Moves the status from one of `from` to `to`; undefined when the sequence was in another state. */
  transition(key: string, from: string[], to: string): Promise<{ id: string } | undefined> {
    return queryOne<{ id: string }>(
      this.dataSource,
      // Any move by a marketer clears the breaker's reason: activate resumes a sequence the breaker paused.
      `UPDATE sequences SET status = $3, paused_reason = NULL, updated_at = now()
       WHERE key = $1 AND status = ANY($2::text[]) RETURNING id`,
      [key, from, to],
    );
  }

  /** Archiving ends every running enrollment of the sequence. */
  archive(key: string, from: string[]): Promise<{ id: string } | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const archived = await queryOne<{ id: string }>(
        manager,
        `UPDATE sequences SET status = 'archived', paused_reason = NULL, updated_at = now()
         WHERE key = $1 AND status = ANY($2::text[]) RETURNING id`,
        [key, from],
      );
      if (archived) {
        await endRunningEnrollments(
          manager,
          { sequenceId: archived.id },
          { status: 'exited', reason: 'archived' },
          this.clock.now(),
        );
      }
      return archived;
    });
  }

  findByKey(key: string): Promise<SequenceRow | undefined> {
    return queryOne<SequenceRow>(this.dataSource, `${SELECT_SEQUENCE} WHERE s.key = $1`, [key]);
  }

  findById(id: string, db: DataSource | EntityManager = this.dataSource): Promise<SequenceRow | undefined> {
    return queryOne<SequenceRow>(db, `${SELECT_SEQUENCE} WHERE s.id = $1`, [id]);
  }

  findPage(limit: number, afterKey?: string): Promise<SequenceRow[]> {
    return queryRows<SequenceRow>(
      this.dataSource,
      `${SELECT_SEQUENCE} WHERE ($1::text IS NULL OR s.key > $1) ORDER BY s.key LIMIT $2`,
      [afterKey ?? null, limit + 1],
    );
  }

  /**
   * Live sequences started by an event (index sequences_trigger_event_idx). A paused sequence still takes
   * enrollments — pausing stops sending, it must not lose the people who signed up meanwhile.
   */
  findLiveByTrigger(event: string, db: DataSource | EntityManager = this.dataSource): Promise<SequenceRow[]> {
    return queryRows<SequenceRow>(
      db,
      `${SELECT_SEQUENCE} WHERE s.status IN ('active', 'paused') AND s.trigger_event = $1`,
      [event],
    );
  }
}
