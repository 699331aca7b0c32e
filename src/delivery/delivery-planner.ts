import { endForContactStatus, FINISHED_DELIVERY } from '../lifecycle/enrollment-lifecycle.js';
import { DEFAULT_TIMEZONE, dueAt, moveIntoWindow, type SendWindow } from '../sequences/schedule.js';
import type { StepRow } from '../sequences/sequence.repository.js';
import { calendarDeferral, type Deferral } from './pacing.js';

const FINISHED: ReadonlySet<string> = FINISHED_DELIVERY;
const NO_DATES: ReadonlySet<string> = new Set();

export interface PlannerInput {
  now: Date;
  startAt: Date;
  zone: string;
  window: SendWindow | null;
  steps: StepRow[];
  /** The enrollment's current step, if it is still a step of the sequence. */
  currentStepId: string | null;
  contactStatus: string;
  existing: Map<string, { status: string; next_attempt_at: Date | null }>;
  /** Whether the contact is in a step's segment. */
  inSegment: (segmentId: string) => boolean;
  /** Settings' quiet dates (local `YYYY-MM-DD`); a transactional sequence ignores them. */
  quietDates: ReadonlySet<string>;
  transactional: boolean;
}

export interface Skip {
  step: StepRow;
  reason: string;
  dueAt: Date;
}

export type Outcome =
  | { kind: 'send'; step: StepRow; dueAt: Date }
  | { kind: 'defer'; step: StepRow; dueAt: Date; until: Date; deferral: Deferral }
  | { kind: 'wait'; step: StepRow; until: Date }
  | { kind: 'end'; status: string; reason: string; step: StepRow | undefined }
  | { kind: 'complete' };

export interface Plan {
  skips: Skip[];
  outcome: Outcome;
}

/**
 * Decides what one claimed enrollment does in this pass — pure, so the rules are unit-tested apart from
 * the database. Late and out-of-segment steps are skipped (and logged) and the walk goes on to the next
 * step; it stops at the first step that is sent, deferred (to the send window, or past a quiet date), not yet
 * due, or in flight. So at most one step is sent per enrollment per pass, and a backlog after downtime is
 * skipped, not blasted. Lateness counts from the step's planned time, or from the time a deferral moved it to:
 * a wait the rules imposed (a quiet date, the frequency cap) is not lateness.
 */
export function planEnrollment(input: PlannerInput): Plan {
  const { now, steps } = input;
  const skips: Skip[] = [];
  let index = steps.findIndex((step) => step.id === input.currentStepId);
  if (index < 0) index = steps.findIndex((step) => !FINISHED.has(input.existing.get(step.id)?.status ?? ''));
  if (index < 0) return { skips, outcome: { kind: 'complete' } };

  const exit = endForContactStatus(input.contactStatus);
  if (exit) return { skips, outcome: { kind: 'end', status: exit, reason: input.contactStatus, step: steps[index] } };

  for (; index < steps.length; index++) {
    const step = steps[index];
    const existing = input.existing.get(step.id);
    if (existing && FINISHED.has(existing.status)) continue;
    if (existing?.status === 'pending') {
      return { skips, outcome: { kind: 'wait', step, until: existing.next_attempt_at ?? now } };
    }
    const due = dueAt(input.startAt, input.zone || DEFAULT_TIMEZONE, step.day_offset, step.at_time);
    const retrying = existing?.status === 'retrying';
    if (retrying && existing.next_attempt_at && existing.next_attempt_at > now) {
      return { skips, outcome: { kind: 'wait', step, until: existing.next_attempt_at } };
    }
    if (!retrying && due > now) return { skips, outcome: { kind: 'wait', step, until: due } };
    const planned = Math.max(
      moveIntoWindow(due, input.zone, input.window).getTime(),
      existing?.status === 'deferred' ? (existing.next_attempt_at?.getTime() ?? 0) : 0,
    );
    if (!retrying && now.getTime() - planned > step.max_lateness_hours * 3_600_000) {
      skips.push({ step, reason: 'late', dueAt: due });
      continue;
    }
    if (step.segment_id && !input.inSegment(step.segment_id)) {
      skips.push({ step, reason: 'segment', dueAt: due });
      continue;
    }
    const deferral = calendarDeferral(now, {
      zone: input.zone,
      window: input.window,
      quietDates: input.transactional ? NO_DATES : input.quietDates,
    });
    if (deferral) return { skips, outcome: { kind: 'defer', step, dueAt: due, until: deferral.until, deferral } };
    return { skips, outcome: { kind: 'send', step, dueAt: due } };
  }
  return { skips, outcome: { kind: 'complete' } };
}

/** The step after `step` and its due time, or undefined after the last one. */
export function nextStep(
  steps: StepRow[],
  step: StepRow,
  startAt: Date,
  zone: string,
): { step: StepRow; dueAt: Date } | undefined {
  const index = steps.findIndex((candidate) => candidate.id === step.id);
  const next = steps[index + 1];
  return next ? { step: next, dueAt: dueAt(startAt, zone, next.day_offset, next.at_time) } : undefined;
}

/** Exponential backoff with ±50% jitter, so retries of many messages do not arrive in lockstep. */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(exponential, 6 * 3_600_000);
  return Math.round(capped * (0.5 + random()));
}
