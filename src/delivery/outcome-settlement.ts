import type { StepRow } from '../sequences/sequence.repository.js';
import type { EnrollmentUpdate, OutcomeRow } from './delivery-rows.js';
import { pastLastStep } from './completion.js';
import { nextStep, retryDelayMs } from './delivery-planner.js';
import type { SendJob } from './batch-planner.js';
import { BREAKER_CODE, SendError, type SendResult } from './mail-transport-contract.js';

/** How one gated send ended at the SMTP server (or before it, while the message was built). */
export type SendAttempt = { ok: SendResult; locale: string | null } | { error: unknown; locale: string | null };

export interface SettlementPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  random?: () => number;
}

export interface Settlement {
  outcome: OutcomeRow;
  /** How the enrollment moves on; an Error when its next step cannot be planned (it is then parked). */
  update: EnrollmentUpdate | Error;
  /** A hard bounce: the contact is to be marked bounced and its enrollments ended. */
  bounced: boolean;
}

/**
 * Settles one send, pure: the SMTP result becomes the delivery row's outcome (sent, retrying with backoff,
 * or failed with its reason) and the enrollment's move (to the next step, or back to this one for a retry).
 */
export function settle(
  job: SendJob,
  gate: { id: string; attempts: number },
  attempt: SendAttempt,
  now: Date,
  policy: SettlementPolicy,
): Settlement {
  const { claimed, step } = job;
  const outcome: OutcomeRow = {
    id: gate.id,
    contact_id: claimed.contact_id,
    status: 'sent',
    reason: null,
    message_id: null,
    smtp_response: null,
    sent_at: null,
    next_attempt_at: null,
    locale: attempt.locale,
  };
  const stay = (until: Date): EnrollmentUpdate => ({
    id: claimed.enrollment_id,
    contact_id: claimed.contact_id,
    next_step_id: step.id,
    next_due_at: until.toISOString(),
    status: 'active',
    exit_reason: null,
  });
  if ('ok' in attempt) {
    Object.assign(outcome, {
      message_id: clean(attempt.ok.messageId),
      smtp_response: clean(attempt.ok.response),
      sent_at: now.toISOString(),
    });
    return { outcome, update: moveOn(job, step, true, now), bounced: false };
  }
  const error = attempt.error;
  // A send the SMTP breaker refused never reached a server: it waits out the outage however long, instead of
  // using up the step's attempts (with the defaults, an outage of ~15 minutes would fail every due step).
  const heldByBreaker = error instanceof SendError && error.code === BREAKER_CODE;
  if (error instanceof SendError && error.transient && (heldByBreaker || gate.attempts < policy.maxAttempts)) {
    const retryAt = new Date(now.getTime() + retryDelayMs(gate.attempts, policy.retryBaseMs, policy.random));
    Object.assign(outcome, {
      status: 'retrying',
      reason: clean(error.response),
      smtp_response: clean(error.response),
      next_attempt_at: retryAt.toISOString(),
    });
    return { outcome, update: stay(retryAt), bounced: false };
  }
  const reason =
    error instanceof SendError
      ? error.transient
        ? `gave up after ${gate.attempts} attempts: ${error.response}`
        : error.response
      : `could not build the message: ${error instanceof Error ? error.message : String(error)}`;
  Object.assign(outcome, {
    status: 'failed',
    reason: clean(reason),
    smtp_response: error instanceof SendError ? clean(error.response) : null,
  });
  return {
    outcome,
    update: moveOn(job, step, false, now),
    bounced: error instanceof SendError && error.hardBounce,
  };
}

/**
 * The enrollment after this step: the next one and its due time, or past the last (pastLastStep). The outcome is
 * settled whatever happens here: the message has left, and the row must say so.
 */
function moveOn(job: SendJob, step: StepRow, sent: boolean, now: Date): EnrollmentUpdate | Error {
  let next: ReturnType<typeof nextStep>;
  try {
    next = nextStep(job.sequence.steps, step, job.claimed.start_at, job.zone);
    next?.dueAt.toISOString();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  return {
    id: job.claimed.enrollment_id,
    contact_id: job.claimed.contact_id,
    ...(next
      ? { next_step_id: next.step.id, next_due_at: next.dueAt.toISOString(), status: 'active' }
      : pastLastStep(job.sequence, now, false)),
    exit_reason: null,
    ...(sent ? { last_sent_step_id: step.id } : {}),
  };
}

/** A remote server's words go into text columns: PostgreSQL refuses NUL there, and one reply must not cost a row. */
function clean(text: string): string {
  return text.replaceAll('\0', '');
}
