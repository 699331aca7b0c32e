import { DomainException } from '../common/domain-exception.js';

export enum DeliveryErrorCode {
  /** `now` given to POST /v1/scheduler/run without SCHEDULER_TEST_CLOCK=true. */
  TEST_CLOCK_DISABLED = 'scheduler.test_clock_disabled',
}

export class DeliveryException extends DomainException<DeliveryErrorCode> {
  constructor(code: DeliveryErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
