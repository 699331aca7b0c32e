import { DomainException } from '../common/domain-exception.js';

export enum SegmentErrorCode {
  NOT_FOUND = 'segment.not_found',
  KEY_TAKEN = 'segment.key_taken',
  RULE_INVALID = 'segment.rule_invalid',
  /** A sequence's audience or step still names the segment: it cannot be deleted. */
  IN_USE = 'segment.in_use',
}

export class SegmentException extends DomainException<SegmentErrorCode> {
  constructor(code: SegmentErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
