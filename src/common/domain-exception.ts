/**
 * An error a feature raises in its own words: a code a client can match on (`contact.not_found`) and the
 * message the reply carries. Features know no HTTP; the exception filter gives each code its status.
 */
export abstract class DomainException<Code extends string = string> extends Error {
  protected constructor(
    readonly code: Code,
    /** What the reply's `message` says: one sentence, or every problem found (validation-style). */
    readonly detail: string | string[],
  ) {
    super(Array.isArray(detail) ? detail.join('; ') : detail);
    this.name = new.target.name;
  }
}

/** Codes of errors that no feature raises: validation, authentication, routing, limits, the database. */
export enum CommonErrorCode {
  VALIDATION = 'validation',
  UNAUTHORIZED = 'unauthorized',
  FORBIDDEN = 'forbidden',
  NOT_FOUND = 'not_found',
  CONFLICT = 'conflict',
  PAYLOAD_TOO_LARGE = 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE = 'unsupported_media_type',
  UNPROCESSABLE = 'unprocessable',
  TOO_MANY_REQUESTS = 'too_many_requests',
  INTERNAL = 'internal',
  UNAVAILABLE = 'unavailable',
  DATABASE_UNAVAILABLE = 'database.unavailable',
  DATABASE_TIMEOUT = 'database.timeout',
  DATABASE_OUT_OF_SPACE = 'database.out_of_space',
  ERROR = 'error',
}
