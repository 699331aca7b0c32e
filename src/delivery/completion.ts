import type { SequenceRow } from '../sequences/sequence.repository.js';
import type { EnrollmentUpdate } from './delivery-rows.js';

const DAY_MS = 86_400_000;

/**
 * Where an enrollment goes once it is past its last step (sent, skipped or failed; or, held out, its last step's
 * due time): completed — or, with the sequence's `conversionWindowDays`, still running with no step until the
 * window ends, so that a conversion meanwhile ends it as `converted` and is the sequence's. An enrollment claimed at
 * that end (running, past its last step, no step: `inWindow`) completes. Every way out of the last step comes here.
 */
export function pastLastStep(
  sequence: Pick<SequenceRow, 'conversion_window_days'>,
  reachedAt: Date,
  inWindow: boolean,
): Pick<EnrollmentUpdate, 'next_step_id' | 'next_due_at' | 'status'> {
  const days = sequence.conversion_window_days;
  if (inWindow || !days) return { next_step_id: null, next_due_at: null, status: 'completed' };
  return {
    next_step_id: null,
    next_due_at: new Date(reachedAt.getTime() + days * DAY_MS).toISOString(),
    status: 'active',
  };
}
