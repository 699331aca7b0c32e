import { DomainException } from '../common/domain-exception.js';

export enum EnrollmentErrorCode {
  NOT_FOUND = 'enrollment.not_found',
  /** Not exactly one of contactId, email or segment (enrollments), or of email and contactId (events). */
  TARGET_INVALID = 'enrollment.target_invalid',
  SEQUENCE_NOT_ENROLLABLE = 'enrollment.sequence_not_enrollable',
  CONTACT_NOT_ENROLLABLE = 'enrollment.contact_not_enrollable',
  ALREADY_ACTIVE = 'enrollment.already_active',
  /** The sequence's re-entry rule refuses the contact (API.md v1.1 "Re-entry"). */
  REENTRY_REFUSED = 'enrollment.reentry_refused',
  /** The contact left the sequence less than its reentryCooldownDays ago. */
  REENTRY_COOLDOWN = 'enrollment.reentry_cooldown',
  NOT_ACTIVE = 'enrollment.not_active',
  NOT_ENROLLED = 'enrollment.not_enrolled',
}

export class EnrollmentException extends DomainException<EnrollmentErrorCode> {
  constructor(code: EnrollmentErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
