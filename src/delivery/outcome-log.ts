import type { Logger } from '@nestjs/common';
import type { OutcomeRow } from './delivery-rows.js';
import { BREAKER_CODE, SendError } from './mail-transport-contract.js';
import type { SendAttempt } from './outcome-settlement.js';

/**
 * What ops may read in a log line about a send that did not go out: the ids to find the row and the kind of
 * failure. Never the address or the content: an SMTP reply often quotes the recipient (`550 5.1.1 <a@b>: …`)
 * and a template error its text, so only the reply's codes are kept; the row's reason has the rest.
 */
export function outcomeFacts(attempt: SendAttempt): Record<string, string | number> {
  if (!('error' in attempt)) return {};
  const error = attempt.error;
  if (!(error instanceof SendError)) return { cause: 'message' };
  if (error.code === BREAKER_CODE) return { cause: 'breaker' };
  const enhanced = /\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(error.response)?.[0];
  return {
    cause: 'smtp',
    ...(error.responseCode !== undefined ? { smtpCode: error.responseCode } : {}),
    ...(enhanced ? { smtpStatus: enhanced } : {}),
    ...(error.code ? { errorCode: error.code } : {}),
  };
}

/** A failed or retrying send, at warn, by its delivery, contact and enrollment ids. A sent one is not logged. */
export function warnUnsent(
  logger: Logger,
  outcome: OutcomeRow,
  context: { enrollmentId: string; attempts: number; attempt: SendAttempt },
): void {
  if (outcome.status === 'sent') return;
  logger.warn(
    {
      deliveryId: outcome.id,
      contactId: outcome.contact_id,
      enrollmentId: context.enrollmentId,
      status: outcome.status,
      attempts: context.attempts,
      ...(outcome.next_attempt_at ? { nextAttemptAt: outcome.next_attempt_at } : {}),
      ...outcomeFacts(context.attempt),
    },
    outcome.status === 'failed' ? 'delivery failed' : 'delivery not sent yet; it will be retried',
  );
}
