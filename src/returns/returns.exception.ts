import { DomainException } from '../common/domain-exception.js';

export enum ReturnsErrorCode {
  /** A provider webhook called without WEBHOOK_TOKEN, or with another token. */
  WEBHOOK_UNAUTHORIZED = 'returns.webhook_unauthorized',
  /** A provider we do not read, or webhooks switched off (no WEBHOOK_TOKEN). */
  WEBHOOK_UNKNOWN_PROVIDER = 'returns.webhook_unknown_provider',
  /** A body that is not the provider's documented shape: nothing of it is written. */
  WEBHOOK_MALFORMED = 'returns.webhook_malformed',
  /** A body over the webhooks' limit. */
  WEBHOOK_TOO_LARGE = 'returns.webhook_too_large',
}

export class ReturnsException extends DomainException<ReturnsErrorCode> {
  constructor(code: ReturnsErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}
