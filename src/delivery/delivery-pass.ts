import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { compileRule, type Rule } from '../segments/segment-rule.js';
import { SegmentRepository } from '../segments/segment.repository.js';
import { SequenceRepository, type SequenceRow } from '../sequences/sequence.repository.js';
import { describe, planBatch, type Poisoned } from './batch-planner.js';
import { DeliveryRepository } from './delivery.repository.js';
import type { ClaimedEnrollment, EnrollmentUpdate } from './delivery-rows.js';
import { PacingGate } from './pacing-gate.js';
import { leaseUntil, type PassState } from './pass-state.js';
import { writeIsolated } from './row-isolation.js';
import { SchedulerMetrics } from './scheduler-metrics.js';
import { SendStage } from './send-stage.js';

/** A pass stops claiming after this many enrollments; the rest waits for the next pass. */
const MAX_PER_PASS = 200_000;

/**
 * One scheduling pass: mark expired in-flight sends `unknown`, then claim due enrollments in batches under a
 * lease, plan each batch, write its notes, send, and move the enrollments on. Batches overlap: one loads and
 * plans while the one before it sends. An enrollment the database refuses is parked alone (poison isolation).
 */
@Injectable()
export class DeliveryPass {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly sequences: SequenceRepository,
    private readonly segments: SegmentRepository,
    private readonly sendStage: SendStage,
    private readonly metrics: SchedulerMetrics,
    private readonly pacing: PacingGate,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get sendConcurrency(): number {
    return this.sendStage.concurrency;
  }

  async run(state: PassState, stopping: () => boolean): Promise<void> {
    const { now, result } = state;
    result.unknown = await this.repository.expireInFlight(now);
    if (result.unknown > 0) {
      this.metrics.deliveries.inc({ status: 'unknown', reason: 'interrupted' }, result.unknown);
      this.logger.warn(`${result.unknown} interrupted send(s) marked unknown; they are not resent`);
    }
    // Enrollments handled in this pass are not claimed again in it: one step per contact and sequence per pass.
    const seen: string[] = [];
    let previous: Promise<void> = Promise.resolve();
    while (seen.length < MAX_PER_PASS && !stopping()) {
      const claimed = await this.repository.claim(
        state.owner,
        now,
        leaseUntil(state, this.config.schedulerLeaseMs),
        this.config.schedulerBatchSize,
        seen,
      );
      if (claimed.length === 0) break;
      const ids = claimed.map((row) => row.id);
      seen.push(...ids);
      result.claimed += ids.length;
      this.metrics.claimed.inc(ids.length);
      // Two batches overlap: this one loads and plans while the one before sends its last messages, and
      // the next claim runs while this one sends, so the SMTP connections do not idle between batches.
      const current = this.batch(state, ids);
      current.catch(() => undefined); // awaited below, after the batch before it
      try {
        await previous;
      } catch (error) {
        await current.catch(() => undefined);
        throw error;
      }
      previous = current;
    }
    await previous;
  }

  private async batch(state: PassState, ids: string[]): Promise<void> {
    const { now } = state;
    const claimed = await this.repository.loadClaimed(ids);
    const existing = new Map<string, Map<string, { status: string; next_attempt_at: Date | null }>>();
    for (const row of await this.repository.existingDeliveries(ids)) {
      if (!existing.has(row.enrollment_id)) existing.set(row.enrollment_id, new Map());
      existing.get(row.enrollment_id)!.set(row.step_id, row);
    }
    for (const row of claimed) await this.sequence(state, row.sequence_id);
    const membership = await this.segmentMembership(state, claimed);
    const { quietDates } = await this.pacing.rules(state);
    const plan = planBatch({ now, claimed, sequences: state.sequences, existing, membership, quietDates });
    const poisoned = [...plan.poisoned];
    const byId = new Map(claimed.map((row) => [row.enrollment_id, row]));
    const refuse = (refused: Map<string, unknown>, stepOf: (id: string) => string | null) => {
      for (const [id, error] of refused)
        poisoned.push({ claimed: byId.get(id)!, stepId: stepOf(id), reason: describe(error) });
    };

    refuse(
      await writeIsolated(
        plan.notes,
        (note) => note.enrollment_id,
        (rows) => this.repository.writeNotes(rows, now),
      ),
      (id) => byId.get(id)!.next_step_id,
    );
    const parkedIds = new Set(poisoned.map((entry) => entry.claimed.enrollment_id));
    for (const note of plan.notes) {
      if (parkedIds.has(note.enrollment_id)) continue;
      state.result[note.status]++;
      this.metrics.deliveries.inc({ status: note.status, reason: note.deferral ?? note.reason });
    }
    const jobs = plan.jobs.filter((job) => !parkedIds.has(job.claimed.enrollment_id));
    const sent = await this.sendStage.send(state, jobs);
    poisoned.push(...sent.poisoned);
    const updates: EnrollmentUpdate[] = [...plan.updates, ...sent.updates].filter(
      (update) => !parkedIds.has(update.id),
    );
    for (const update of updates) update.last_sent_step_id ??= plan.lastSent.get(update.id) ?? null;
    refuse(
      await writeIsolated(
        updates,
        (update) => update.id,
        (rows) => this.repository.updateEnrollments(state.owner, rows, now),
      ),
      () => null,
    );
    await this.park(state, poisoned);
  }

  /** Poisoned enrollments end with reason `error`, each logged with its id: the batch's others are unharmed. */
  private async park(state: PassState, poisoned: Poisoned[]): Promise<void> {
    if (poisoned.length === 0) return;
    for (const entry of poisoned) {
      this.logger.error(
        { enrollmentId: entry.claimed.enrollment_id, contactId: entry.claimed.contact_id, reason: entry.reason },
        'enrollment parked: the engine could not process it',
      );
    }
    await this.repository.park(
      state.owner,
      poisoned.map((entry) => ({
        contact_id: entry.claimed.contact_id,
        enrollment_id: entry.claimed.enrollment_id,
        step_id: entry.stepId,
        reason: entry.reason,
      })),
      state.now,
    );
    state.result.failed += poisoned.length;
    this.metrics.parked.inc(poisoned.length);
    this.metrics.deliveries.inc({ status: 'failed', reason: 'error' }, poisoned.length);
  }

  private async sequence(state: PassState, id: string): Promise<SequenceRow> {
    let sequence = state.sequences.get(id);
    if (!sequence) {
      sequence = (await this.sequences.findById(id))!;
      state.sequences.set(id, sequence);
    }
    return sequence;
  }

  /** Members among the batch's contacts of every segment the batch's steps are conditioned on. */
  private async segmentMembership(state: PassState, claimed: ClaimedEnrollment[]): Promise<Map<string, Set<string>>> {
    const segmentIds = new Set<string>();
    for (const row of claimed) {
      for (const step of state.sequences.get(row.sequence_id)!.steps)
        if (step.segment_id) segmentIds.add(step.segment_id);
    }
    const contactIds = claimed.map((row) => row.contact_id);
    const membership = new Map<string, Set<string>>();
    for (const segmentId of segmentIds) {
      if (!state.rules.has(segmentId)) {
        const segment = await this.segments.findById(segmentId);
        state.rules.set(segmentId, segment ? compileRule(segment.rule as Rule, 'c') : undefined);
      }
      const rule = state.rules.get(segmentId);
      membership.set(segmentId, rule ? await this.repository.segmentMembers(contactIds, rule) : new Set());
    }
    return membership;
  }
}
