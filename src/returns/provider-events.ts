import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { GenericEventDto } from './generic-event.dto.js';
import { ReturnsErrorCode, ReturnsException } from './returns.exception.js';

/** One provider event, in our words. A null kind: an event we do not act on (a delivery, an open…). */
export interface ProviderEvent {
  email: string | null;
  kind: 'bounce' | 'soft-bounce' | 'complaint' | null;
  /** The email's Message-ID when the event carries ours (`<delivery id@domain>`); else matched by address. */
  messageId: string | null;
  diagnostic: string | null;
}

export interface ParsedWebhook {
  events: ProviderEvent[];
  /** An SNS subscription to confirm by hand (logged, never fetched: the server makes no outbound calls). */
  subscribeUrl?: string;
}

type Json = Record<string, unknown>;

/** Refuses the whole body: a webhook that is not the documented shape writes nothing. */
export function malformed(detail: string): never {
  throw new ReturnsException(ReturnsErrorCode.WEBHOOK_MALFORMED, detail);
}

export function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) malformed(`${path} must be an object`);
  return value as Json;
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) malformed(`${path} must be an array`);
  return value;
}

export function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') malformed(`${path} must be a non-empty string`);
  return value;
}

export function optionalText(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') malformed(`${path} must be a string`);
  return String(value);
}

/** An address a provider names: refused unless it looks like one (a typo in a fixture must not match "x"). */
export function address(value: unknown, path: string): string {
  const email = text(value, path).trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) malformed(`${path} must be an email address`);
  return email;
}

const OUR_MESSAGE_ID = /^<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@([^>\s]+)>?$/i;

/** A Message-ID we wrote (`<delivery id@domain>`), normalised, or null for a provider's own ids. */
export function ourMessageId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return OUR_MESSAGE_ID.test(value.trim()) ? normalizeMessageId(value) : null;
}

export function normalizeMessageId(value: string): string {
  return value.trim().replace(/^<|>$/g, '').toLowerCase();
}

/** The delivery id inside one of our Message-IDs, or undefined. */
export function deliveryIdOf(messageId: string): string | undefined {
  return OUR_MESSAGE_ID.exec(messageId.trim())?.[1].toLowerCase();
}

/**
 * The generic format: `[{ email, type: "bounce" | "complaint", permanent?, messageId?, reason? }]`. A bounce is
 * hard unless `permanent: false`. Every bad item is named; none is written then.
 */
export function parseGeneric(body: unknown): ParsedWebhook {
  const items = array(body, 'body');
  if (items.length > 1000) malformed('body may hold at most 1000 events');
  const problems: string[] = [];
  const events = items.map((item, index) => {
    const dto = plainToInstance(GenericEventDto, object(item, `[${index}]`));
    for (const error of validateSync(dto, { whitelist: true })) {
      problems.push(...Object.values(error.constraints ?? {}).map((message) => `[${index}].${message}`));
    }
    return {
      email: dto.email,
      kind: dto.type === 'complaint' ? 'complaint' : dto.permanent === false ? 'soft-bounce' : 'bounce',
      messageId: typeof dto.messageId === 'string' ? normalizeMessageId(dto.messageId) : null,
      diagnostic: dto.reason ?? null,
    } satisfies ProviderEvent;
  });
  if (problems.length > 0) throw new ReturnsException(ReturnsErrorCode.WEBHOOK_MALFORMED, problems);
  return { events };
}
