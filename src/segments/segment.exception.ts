import { DomainException } from '../common/domain-exception.js';

export enum SegmentErrorCode {
  NOT_FOUND = 'segment.not_found',
  KEY_TAKEN = 'segment.key_taken',
  RULE_INVALID = 'segment.rule_invalid',
}

export class SegmentException extends DomainException<SegmentErrorCode> {
  constructor(code: SegmentErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
