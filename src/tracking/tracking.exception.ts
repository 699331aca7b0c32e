import { DomainException } from '../common/domain-exception.js';

export enum TrackingErrorCode {
  /** A /t or /u link whose token is forged, damaged or of another kind. */
  LINK_INVALID = 'tracking.link_invalid',
}

export class TrackingException extends DomainException<TrackingErrorCode> {
  constructor(code: TrackingErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
