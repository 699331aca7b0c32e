import { endForContactStatus } from '../lifecycle/enrollment-lifecycle.js';
import { DEFAULT_TIMEZONE, dueAt } from '../sequences/schedule.js';
import type { SequenceRow, StepRow } from '../sequences/sequence.repository.js';
import type { ClaimedEnrollment, EnrollmentUpdate, NoteRow } from './delivery-rows.js';
import { pastLastStep } from './completion.js';
import { planEnrollment } from './delivery-planner.js';
import type { DeferralKind } from './pacing.js';

/** A send the batch decided on, for the send stage. */
export interface SendJob {
  claimed: ClaimedEnrollment;
  sequence: SequenceRow;
  step: StepRow;
  zone: string;
  dueAt: Date;
}

/** An enrollment the engine could not process: parked with its reason, never retried blindly with the others. */
export interface Poisoned {
  claimed: ClaimedEnrollment;
  /** The step it was at, for the `failed` row ops see in the delivery log; null when there is none. */
  stepId: string | null;
  reason: string;
}

export interface BatchInput {
  now: Date;
  claimed: ClaimedEnrollment[];
  sequences: Map<string, SequenceRow>;
  /** Delivery rows of the claimed enrollments, by enrollment and step. */
  existing: Map<string, Map<string, { status: string; next_attempt_at: Date | null }>>;
  /** Members among the batch's contacts of each step segment. */
  membership: Map<string, Set<string>>;
  /** Settings' quiet dates, as read once for the pass. */
  quietDates: ReadonlySet<string>;
}

export interface BatchPlan {
  notes: NoteRow[];
  updates: EnrollmentUpdate[];
  jobs: SendJob[];
  poisoned: Poisoned[];
  /** The last step each enrollment was sent, from the delivery log (repairs an update a crash lost). */
  lastSent: Map<string, string>;
}

/**
 * What a claimed batch does, decided without the database: per enrollment the planner's outcome becomes
 * delivery notes (skips, deferrals), an enrollment update, or a send job. An enrollment whose planning
 * throws (a date no calendar can hold, a zone no one knows) is poisoned on its own; the others go on.
 */
export function planBatch(input: BatchInput): BatchPlan {
  const plan: BatchPlan = { notes: [], updates: [], jobs: [], poisoned: [], lastSent: new Map() };
  for (const row of input.claimed) {
    const sequence = input.sequences.get(row.sequence_id)!;
    try {
      planOne(input, row, sequence, plan);
    } catch (error) {
      plan.poisoned.push({ claimed: row, stepId: row.next_step_id, reason: describe(error) });
    }
  }
  return plan;
}

function planOne(input: BatchInput, row: ClaimedEnrollment, sequence: SequenceRow, plan: BatchPlan): void {
  const { now } = input;
  const existing = input.existing.get(row.enrollment_id) ?? new Map();
  const sent = sequence.steps.findLast((step) => existing.get(step.id)?.status === 'sent');
  if (sent) plan.lastSent.set(row.enrollment_id, sent.id);
  const zone = row.timezone ?? sequence.default_timezone ?? DEFAULT_TIMEZONE;
  if (row.holdout) {
    plan.updates.push(holdOut(row, sequence, zone, now));
    return;
  }
  const decision = planEnrollment({
    now,
    startAt: row.start_at,
    zone,
    window: sequence.send_window,
    steps: sequence.steps,
    currentStepId: row.next_step_id,
    contactStatus: row.contact_status,
    existing,
    inSegment: (segmentId) => input.membership.get(segmentId)?.has(row.contact_id) ?? false,
    quietDates: input.quietDates,
    transactional: sequence.transactional,
  });
  // Built apart and added at the end, so a throw half-way leaves nothing of this enrollment in the plan.
  const notes: NoteRow[] = [];
  const note = (
    step: StepRow,
    status: NoteRow['status'],
    reason: string,
    due: Date,
    until: Date | null = null,
    deferral?: DeferralKind,
  ) =>
    notes.push({
      contact_id: row.contact_id,
      enrollment_id: row.enrollment_id,
      sequence_id: row.sequence_id,
      step_id: step.id,
      status,
      reason,
      due_at: due.toISOString(),
      next_attempt_at: until?.toISOString() ?? null,
      ...(deferral && { deferral }),
    });
  const update = (step: StepRow | null, due: Date | null, status = 'active', reason: string | null = null) => ({
    id: row.enrollment_id,
    contact_id: row.contact_id,
    next_step_id: step?.id ?? null,
    next_due_at: due?.toISOString() ?? null,
    status,
    exit_reason: reason,
  });
  for (const skip of decision.skips) note(skip.step, 'skipped', skip.reason, skip.dueAt);
  const outcome = decision.outcome;
  let move: EnrollmentUpdate | undefined;
  switch (outcome.kind) {
    case 'send':
      outcome.dueAt.toISOString(); // throws here, for this enrollment alone, on a time no calendar holds
      plan.jobs.push({ claimed: row, sequence, step: outcome.step, zone, dueAt: outcome.dueAt });
      break;
    case 'defer':
      note(outcome.step, 'deferred', outcome.deferral.reason, outcome.dueAt, outcome.until, outcome.deferral.kind);
      move = update(outcome.step, outcome.until);
      break;
    case 'wait':
      move = update(outcome.step, outcome.until);
      break;
    case 'end':
      if (outcome.step) note(outcome.step, 'skipped', outcome.reason, now);
      move = update(null, null, outcome.status, outcome.reason);
      break;
    case 'complete': {
      // Claimed with no step: its conversion window is over. With one: it just went past its last step.
      const past = pastLastStep(sequence, now, row.next_step_id === null);
      move = update(null, past.next_due_at ? new Date(past.next_due_at) : null, past.status);
      break;
    }
  }
  plan.notes.push(...notes);
  if (move) plan.updates.push(move);
}

/**
 * A held-out enrollment gets no email and so no delivery row: it stays running until its last step's due time, so
 * a conversion meanwhile ends it as `converted` (the holdout group's conversions measure the sequence's lift), then
 * completes. A contact who can no longer be reached ends as for everyone.
 */
function holdOut(row: ClaimedEnrollment, sequence: SequenceRow, zone: string, now: Date): EnrollmentUpdate {
  const last = sequence.steps.at(-1);
  const due = last ? dueAt(row.start_at, zone, last.day_offset, last.at_time) : now;
  const exit = endForContactStatus(row.contact_status);
  const base = { id: row.enrollment_id, contact_id: row.contact_id };
  if (exit) return { ...base, next_step_id: null, next_due_at: null, status: exit, exit_reason: row.contact_status };
  if (due > now)
    return { ...base, next_step_id: last!.id, next_due_at: due.toISOString(), status: 'active', exit_reason: null };
  // Past its last step as of that step's due time, as a treated enrollment is past it when the step is sent.
  return { ...base, ...pastLastStep(sequence, due, row.next_step_id === null), exit_reason: null };
}

/** An error as ops read it in the delivery log: its message, without a stack. */
export function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `could not be processed: ${message.replaceAll('\0', '').slice(0, 500)}`;
}
