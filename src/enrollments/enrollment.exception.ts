import { DomainException } from '../common/domain-exception.js';

export enum EnrollmentErrorCode {
  NOT_FOUND = 'enrollment.not_found',
  /** Not exactly one of contactId, email or segment (enrollments), or of email and contactId (events). */
  TARGET_INVALID = 'enrollment.target_invalid',
  SEQUENCE_NOT_ENROLLABLE = 'enrollment.sequence_not_enrollable',
  CONTACT_NOT_ENROLLABLE = 'enrollment.contact_not_enrollable',
  ALREADY_ACTIVE = 'enrollment.already_active',
  NOT_ACTIVE = 'enrollment.not_active',
  NOT_ENROLLED = 'enrollment.not_enrolled',
}

export class EnrollmentException extends DomainException<EnrollmentErrorCode> {
  constructor(code: EnrollmentErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
