import type { DeferralKind } from './pacing.js';

/** The rows the delivery engine reads and writes, as the repository passes them. */

export interface ClaimedEnrollment {
  enrollment_id: string;
  contact_id: string;
  sequence_id: string;
  start_at: Date;
  next_step_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  contact_status: string;
  /** Held out of the sequence (its holdout group): sent nothing, still converts. */
  holdout: boolean;
  /** The event that started the enrollment (templates' `event.*`); null when a marketer or a segment enrolled. */
  event_name: string | null;
  event_properties: Record<string, unknown> | null;
}

export interface ExistingDelivery {
  enrollment_id: string;
  step_id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
}

/** A delivery row written without sending: skipped or deferred. */
export interface NoteRow {
  contact_id: string;
  enrollment_id: string;
  sequence_id: string;
  step_id: string;
  status: 'skipped' | 'deferred';
  reason: string;
  due_at: string;
  next_attempt_at: string | null;
  /** A deferral's kind (window, quiet-date, frequency): the metrics' reason; not a column. */
  deferral?: DeferralKind;
}

export interface PendingRow {
  contact_id: string;
  enrollment_id: string;
  sequence_id: string;
  step_id: string;
  due_at: string;
  /** The A/B variant this send uses (src/experiments/variant-choice.ts); null for a plain step. */
  variant?: string | null;
}

export interface OutcomeRow {
  id: string;
  contact_id: string;
  status: 'sent' | 'retrying' | 'failed';
  reason: string | null;
  message_id: string | null;
  smtp_response: string | null;
  sent_at: string | null;
  next_attempt_at: string | null;
  locale: string | null;
}

/** An enrollment to park: where it stood and why it could not be processed. */
export interface ParkedRow {
  contact_id: string;
  enrollment_id: string;
  step_id: string | null;
  reason: string;
}

export interface EnrollmentUpdate {
  id: string;
  contact_id: string;
  next_step_id: string | null;
  next_due_at: string | null;
  status: string;
  exit_reason: string | null;
  /** The last step sent; undefined or null: unchanged. */
  last_sent_step_id?: string | null;
}

/**
 * One array per column, in the order given: the parameters of an `unnest($1::…[], $2::…[], …)`. An absent
 * optional field goes as NULL (pg writes undefined array elements as NULL).
 */
export function columns<T, K extends keyof T>(rows: T[], keys: K[]): Array<Array<T[K]>> {
  return keys.map((key) => rows.map((row) => row[key]));
}
