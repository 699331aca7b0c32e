import { DomainException } from '../common/domain-exception.js';

export enum SequenceErrorCode {
  NOT_FOUND = 'sequence.not_found',
  KEY_TAKEN = 'sequence.key_taken',
  ARCHIVED = 'sequence.archived',
  /** activate / pause / resume / archive from a status that does not allow it. */
  ILLEGAL_STATE_CHANGE = 'sequence.illegal_state_change',
  STEPS_INVALID = 'sequence.steps_invalid',
}

export class SequenceException extends DomainException<SequenceErrorCode> {
  constructor(code: SequenceErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
