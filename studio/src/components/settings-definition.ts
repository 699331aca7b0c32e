import type { Schemas } from '../api/client';
import { definitionOf, draftOf } from './calendar-definition';

/** The settings editor's form state and the PUT body it becomes (SettingsEditor.tsx draws it). */
export type Sequence = Schemas['SequenceDto'];
export type Reentry = Sequence['reentry'];
export const WEEK = [1, 2, 3, 4, 5, 6, 7];

export interface Form {
  triggerEvent: string;
  conversionEvent: string;
  audienceSegment: string;
  windowOn: boolean;
  from: string;
  to: string;
  days: number[];
  timezone: string;
  reentry: Reentry;
  reentryCooldownDays: string;
  transactional: boolean;
  holdoutPercent: string;
  opens: boolean;
  clicks: boolean;
}

export function formOf(sequence: Sequence): Form {
  const tracking = sequence.tracking;
  const days = sequence.sendWindow?.days;
  return {
    triggerEvent: sequence.triggerEvent ?? '',
    conversionEvent: sequence.conversionEvent ?? '',
    audienceSegment: sequence.audienceSegment ?? '',
    windowOn: sequence.sendWindow !== null,
    from: sequence.sendWindow?.from ?? '09:00',
    to: sequence.sendWindow?.to ?? '20:00',
    days: days && days.length > 0 ? days.map((day) => (day === 0 ? 7 : day)) : WEEK,
    timezone: sequence.timezone ?? '',
    reentry: sequence.reentry,
    reentryCooldownDays: sequence.reentryCooldownDays === null ? '' : String(sequence.reentryCooldownDays),
    transactional: sequence.transactional,
    holdoutPercent: String(sequence.holdoutPercent),
    opens: tracking.opens,
    clicks: tracking.clicks,
  };
}

/** The whole definition with these settings and the calendar as it is (PUT replaces everything). */
export function bodyOf(sequence: Sequence, form: Form): Schemas['UpdateSequenceDto'] {
  const { body } = definitionOf(sequence, sequence.steps.map(draftOf));
  const text = (value: string) => (value.trim() ? value.trim() : undefined);
  const number = (value: string) => (value.trim() === '' ? undefined : Number(value));
  return {
    name: body.name,
    steps: body.steps,
    triggerEvent: text(form.triggerEvent),
    conversionEvent: text(form.conversionEvent),
    audienceSegment: text(form.audienceSegment),
    sendWindow: form.windowOn ? { from: form.from, to: form.to, days: form.days } : undefined,
    timezone: text(form.timezone),
    reentry: form.reentry,
    reentryCooldownDays: number(form.reentryCooldownDays),
    transactional: form.transactional,
    holdoutPercent: number(form.holdoutPercent),
    tracking: { opens: form.opens, clicks: form.clicks },
  };
}

/** A 400 message's field: the API names it first (`holdoutPercent must…`, `sendWindow.from …`). */
export function fieldOf(message: string): string {
  return /^(\w+)/.exec(message)?.[1] ?? 'form';
}
