import type { Schemas } from './client';

/*
 * Two fields whose OpenAPI description is looser than what the server sends (their DTO decorators lack a `type`),
 * read here in one place, checked at run time, until the DTOs say it (src/sequences/sequence.dto.ts):
 * SequenceDto.tracking is documented as an empty object, SendWindowDto.days as strings (they are ISO weekday numbers).
 */
export interface Tracking {
  opens: boolean;
  clicks: boolean;
}

export function trackingOf(sequence: Schemas['SequenceDto']): Tracking {
  const value: unknown = sequence.tracking;
  const field = (name: 'opens' | 'clicks') =>
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[name] === true;
  return { opens: field('opens'), clicks: field('clicks') };
}

export function weekdaysOf(window: Schemas['SendWindowDto']): number[] | undefined {
  return window.days?.map(Number).filter((day) => Number.isInteger(day));
}

/** The send window as the API takes it back: `days` are numbers on the wire whatever the description says. */
export function sendWindowBody(window: Schemas['SendWindowDto']): Schemas['SendWindowDto'] {
  const days = weekdaysOf(window);
  return { from: window.from, to: window.to, ...(days ? { days: days as unknown as string[] } : {}) };
}
