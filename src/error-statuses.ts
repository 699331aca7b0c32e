import { HttpStatus } from '@nestjs/common';
import { CommonErrorCode } from './common/domain-exception.js';
import { ContactErrorCode } from './contacts/contact.exception.js';
import { DeliveryErrorCode } from './delivery/delivery.exception.js';
import { ReturnsErrorCode } from './returns/returns.exception.js';
import { EnrollmentErrorCode } from './enrollments/enrollment.exception.js';
import { ExperimentErrorCode } from './experiments/experiment.exception.js';
import { SegmentErrorCode } from './segments/segment.exception.js';
import { SequenceErrorCode } from './sequences/sequence.exception.js';
import { TemplateErrorCode } from './templates/template.exception.js';
import { TrackingErrorCode } from './tracking/tracking.exception.js';

export type ErrorCode =
  | CommonErrorCode
  | ContactErrorCode
  | SegmentErrorCode
  | TemplateErrorCode
  | SequenceErrorCode
  | EnrollmentErrorCode
  | DeliveryErrorCode
  | TrackingErrorCode
  | ReturnsErrorCode
  | ExperimentErrorCode;

/**
 * The HTTP status of every error code, read by AllExceptionsFilter. Typed over every code: a code added to a
 * feature's enum without a status here does not compile. It lives at the root, beside the app module, because
 * it names every feature and common/ (where the filter is) knows none. The statuses are API.md's: fixed.
 */
export const ERROR_STATUSES: Readonly<Record<ErrorCode, HttpStatus>> = {
  [CommonErrorCode.VALIDATION]: HttpStatus.BAD_REQUEST,
  [CommonErrorCode.UNAUTHORIZED]: HttpStatus.UNAUTHORIZED,
  [CommonErrorCode.FORBIDDEN]: HttpStatus.FORBIDDEN,
  [CommonErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [CommonErrorCode.CONFLICT]: HttpStatus.CONFLICT,
  [CommonErrorCode.PAYLOAD_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [CommonErrorCode.UNSUPPORTED_MEDIA_TYPE]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [CommonErrorCode.UNPROCESSABLE]: HttpStatus.UNPROCESSABLE_ENTITY,
  [CommonErrorCode.TOO_MANY_REQUESTS]: HttpStatus.TOO_MANY_REQUESTS,
  [CommonErrorCode.INTERNAL]: HttpStatus.INTERNAL_SERVER_ERROR,
  [CommonErrorCode.UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [CommonErrorCode.DATABASE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [CommonErrorCode.DATABASE_TIMEOUT]: HttpStatus.SERVICE_UNAVAILABLE,
  [CommonErrorCode.DATABASE_OUT_OF_SPACE]: HttpStatus.INSUFFICIENT_STORAGE,
  [CommonErrorCode.ERROR]: HttpStatus.INTERNAL_SERVER_ERROR,

  [ContactErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ContactErrorCode.EMAIL_TAKEN]: HttpStatus.CONFLICT,
  [ContactErrorCode.IMPORT_INVALID]: HttpStatus.BAD_REQUEST,
  [ContactErrorCode.IMPORT_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ContactErrorCode.IMPORT_UNSUPPORTED]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,

  [SegmentErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [SegmentErrorCode.KEY_TAKEN]: HttpStatus.CONFLICT,
  [SegmentErrorCode.RULE_INVALID]: HttpStatus.BAD_REQUEST,
  [SegmentErrorCode.IN_USE]: HttpStatus.CONFLICT,

  [TemplateErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [TemplateErrorCode.KEY_TAKEN]: HttpStatus.CONFLICT,
  [TemplateErrorCode.LOCALE_REPEATED]: HttpStatus.BAD_REQUEST,
  [TemplateErrorCode.NOT_COMPILING]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TemplateErrorCode.RENDER_FAILED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TemplateErrorCode.IN_USE]: HttpStatus.CONFLICT,

  [SequenceErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [SequenceErrorCode.KEY_TAKEN]: HttpStatus.CONFLICT,
  [SequenceErrorCode.ARCHIVED]: HttpStatus.CONFLICT,
  [SequenceErrorCode.ILLEGAL_STATE_CHANGE]: HttpStatus.CONFLICT,
  [SequenceErrorCode.STEPS_INVALID]: HttpStatus.BAD_REQUEST,

  [EnrollmentErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [EnrollmentErrorCode.TARGET_INVALID]: HttpStatus.BAD_REQUEST,
  [EnrollmentErrorCode.SEQUENCE_NOT_ENROLLABLE]: HttpStatus.CONFLICT,
  [EnrollmentErrorCode.CONTACT_NOT_ENROLLABLE]: HttpStatus.CONFLICT,
  [EnrollmentErrorCode.ALREADY_ACTIVE]: HttpStatus.CONFLICT,
  [EnrollmentErrorCode.REENTRY_REFUSED]: HttpStatus.CONFLICT,
  [EnrollmentErrorCode.REENTRY_COOLDOWN]: HttpStatus.CONFLICT,
  [EnrollmentErrorCode.NOT_ACTIVE]: HttpStatus.CONFLICT,
  [EnrollmentErrorCode.NOT_ENROLLED]: HttpStatus.NOT_FOUND,

  [DeliveryErrorCode.TEST_CLOCK_DISABLED]: HttpStatus.FORBIDDEN,
  [DeliveryErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DeliveryErrorCode.NOT_RESENDABLE]: HttpStatus.CONFLICT,
  [DeliveryErrorCode.CONTACT_NOT_ACTIVE]: HttpStatus.CONFLICT,
  [DeliveryErrorCode.STEP_REMOVED]: HttpStatus.CONFLICT,

  [TrackingErrorCode.LINK_INVALID]: HttpStatus.NOT_FOUND,

  [ReturnsErrorCode.WEBHOOK_UNAUTHORIZED]: HttpStatus.UNAUTHORIZED,
  [ReturnsErrorCode.WEBHOOK_UNKNOWN_PROVIDER]: HttpStatus.NOT_FOUND,
  [ReturnsErrorCode.WEBHOOK_MALFORMED]: HttpStatus.BAD_REQUEST,
  [ReturnsErrorCode.WEBHOOK_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,

  [ExperimentErrorCode.STEP_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ExperimentErrorCode.NO_VARIANTS]: HttpStatus.BAD_REQUEST,
  [ExperimentErrorCode.VARIANT_UNKNOWN]: HttpStatus.BAD_REQUEST,
};
