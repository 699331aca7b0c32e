import { DomainException } from '../common/domain-exception.js';

export enum DeliveryErrorCode {
  /** `now` given to POST /v1/scheduler/run without SCHEDULER_TEST_CLOCK=true. */
  TEST_CLOCK_DISABLED = 'scheduler.test_clock_disabled',
  /** No delivery row has this id. */
  NOT_FOUND = 'delivery.not_found',
  /** A resend of a row that is not `failed` or `unknown` (sent, in flight, skipped…). */
  NOT_RESENDABLE = 'delivery.not_resendable',
  /** A resend to a contact who is no longer `active` (unsubscribed, bounced, complained, erased). */
  CONTACT_NOT_ACTIVE = 'delivery.contact_not_active',
  /** A resend of a step its sequence no longer has. */
  STEP_REMOVED = 'delivery.step_removed',
}

export class DeliveryException extends DomainException<DeliveryErrorCode> {
  constructor(code: DeliveryErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
