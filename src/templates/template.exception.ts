import { DomainException } from '../common/domain-exception.js';

export enum TemplateErrorCode {
  NOT_FOUND = 'template.not_found',
  KEY_TAKEN = 'template.key_taken',
  LOCALE_REPEATED = 'template.locale_repeated',
  /** A variant does not compile, fails its trial render or writes a link too long to track. */
  NOT_COMPILING = 'template.not_compiling',
  /** The template fails with the preview contact's data (as its send would). */
  RENDER_FAILED = 'template.render_failed',
  /** A sequence's step (or a variant of one) still names the template: it cannot be deleted. */
  IN_USE = 'template.in_use',
}

export class TemplateException extends DomainException<TemplateErrorCode> {
  constructor(code: TemplateErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
