import { DateTime } from 'luxon';
import { moveIntoWindow, type SendWindow } from '../sequences/schedule.js';
import type { FrequencyCap } from '../settings/journey-settings.js';

/**
 * The journey rules a send must pass (API.md, Settings), as pure functions: the send window, the quiet dates and
 * the frequency cap. Each refusal is a deferral to the first moment the rules allow, with its reason; never a drop.
 * The cap's "allowed now?" is also checked in SQL where it is reserved (pacing.repository.ts): the same three
 * comparisons, on the contact's ledger row, so that two instances cannot both pass it.
 */
export type DeferralKind = 'window' | 'quiet-date' | 'frequency';

export interface Deferral {
  kind: DeferralKind;
  until: Date;
  /** The delivery row's reason: it starts with the kind (except the window's, kept as it always read). */
  reason: string;
}

/** The settings as a pass applies them. */
export interface JourneyRules {
  cap: FrequencyCap | null;
  quietDates: ReadonlySet<string>;
}

/** Where and when a contact may receive a sequence's email: its zone, the sequence's window, the quiet dates. */
export interface SendCalendar {
  zone: string;
  window: SendWindow | null;
  quietDates: ReadonlySet<string>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function localDate(time: Date, zone: string): string {
  return DateTime.fromJSDate(time, { zone }).toISODate()!;
}

/** A time as the contact reads it: local, with the offset, to the second. */
export function localTime(time: Date, zone: string): string {
  return DateTime.fromJSDate(time, { zone }).toISO({ suppressMilliseconds: true })!;
}

/**
 * The first moment at or after `from` inside the send window and not on a quiet date (local), with the first quiet
 * date that was passed over. A quiet date moves the time to the start of the next local day, then into the window.
 */
export function nextOpening(from: Date, calendar: SendCalendar): { at: Date; quietDate: string | null } {
  const { zone, window, quietDates } = calendar;
  let at = moveIntoWindow(from, zone, window);
  let quietDate: string | null = null;
  // Each turn passes a quiet date later than the one before, so there are at most as many turns as quiet dates.
  for (let turn = 0; turn <= quietDates.size; turn++) {
    const date = localDate(at, zone);
    if (!quietDates.has(date)) break;
    quietDate ??= date;
    const nextDay = DateTime.fromJSDate(at, { zone }).plus({ days: 1 }).startOf('day').toJSDate();
    at = moveIntoWindow(nextDay, zone, window);
  }
  return { at, quietDate };
}

/** Whether a send at `now` must wait for the window or a quiet date, and until when; undefined: send now. */
export function calendarDeferral(now: Date, calendar: SendCalendar): Deferral | undefined {
  const { at, quietDate } = nextOpening(now, calendar);
  if (at.getTime() <= now.getTime()) return undefined;
  if (quietDate) {
    return {
      kind: 'quiet-date',
      until: at,
      reason: `quiet-date: ${quietDate} in ${calendar.zone}; next allowed ${localTime(at, calendar.zone)}`,
    };
  }
  return { kind: 'window', until: at, reason: `outside the send window; next opening ${at.toISOString()}` };
}

/**
 * When the cap next allows a send to a contact whose ledger holds `sends`, and the rule that holds it back;
 * undefined when it allows one at `now`. The windows are rolling: a send at s counts in the 24 h window until
 * s + 24 h. Sends only leave the windows as time passes, so the latest of the rules' times satisfies all of them.
 */
export function capHold(
  sends: readonly Date[],
  cap: FrequencyCap | null,
  now: Date,
): { until: Date; rule: string } | undefined {
  if (!cap) return undefined;
  const times = sends.map((send) => send.getTime()).sort((a, b) => a - b);
  const holds: Array<{ until: number; rule: string }> = [];
  const perWindow = (max: number | undefined, spanMs: number, name: string) => {
    if (max === undefined) return;
    const inWindow = times.filter((time) => time > now.getTime() - spanMs);
    // Allowed once fewer than `max` remain: when the (count - max + 1)-th oldest of them has left the window.
    if (inWindow.length >= max) holds.push({ until: inWindow[inWindow.length - max] + spanMs, rule: `${name} ${max}` });
  };
  perWindow(cap.maxPerDay, DAY_MS, 'maxPerDay');
  perWindow(cap.maxPerWeek, 7 * DAY_MS, 'maxPerWeek');
  if (cap.minHoursBetween !== undefined && times.length > 0) {
    const last = times[times.length - 1];
    if (last > now.getTime() - cap.minHoursBetween * HOUR_MS) {
      holds.push({ until: last + cap.minHoursBetween * HOUR_MS, rule: `minHoursBetween ${cap.minHoursBetween}` });
    }
  }
  if (holds.length === 0) return undefined;
  const until = Math.max(...holds.map((hold) => hold.until));
  return { until: new Date(until), rule: holds.map((hold) => hold.rule).join(', ') };
}

/**
 * The deferral of a send the cap refused: to the first moment the cap allows, then past the window and quiet
 * dates. `sends` is the ledger as it stood when the reservation was refused.
 */
export function frequencyDeferral(
  sends: readonly Date[],
  cap: FrequencyCap | null,
  now: Date,
  calendar: SendCalendar,
): Deferral {
  const hold = capHold(sends, cap, now);
  // A ledger that allows a send now (a reservation released since the refusal) is tried again at the next pass.
  const { at } = nextOpening(hold?.until ?? now, calendar);
  const rule = hold?.rule ?? 'the cap was reached at the reservation';
  return {
    kind: 'frequency',
    until: at,
    reason: `frequency: ${rule}; next allowed ${localTime(at, calendar.zone)}`,
  };
}
