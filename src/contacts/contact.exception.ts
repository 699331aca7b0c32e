import { DomainException } from '../common/domain-exception.js';

export enum ContactErrorCode {
  NOT_FOUND = 'contact.not_found',
  EMAIL_TAKEN = 'contact.email_taken',
  IMPORT_INVALID = 'contact.import_invalid',
  IMPORT_TOO_LARGE = 'contact.import_too_large',
  IMPORT_UNSUPPORTED = 'contact.import_unsupported',
}

export class ContactException extends DomainException<ContactErrorCode> {
  constructor(code: ContactErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
