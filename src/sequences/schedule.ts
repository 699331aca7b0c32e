import { DateTime } from 'luxon';

/** A sequence's send window: local `from`–`to` on the listed ISO weekdays (1 = Monday … 7 = Sunday; 0 also means Sunday). */
export interface SendWindow {
  from: string;
  to: string;
  days?: number[];
}

export const DEFAULT_TIMEZONE = 'UTC';

function parseClock(value: string): { hour: number; minute: number } {
  const [hour, minute] = value.split(':').map(Number);
  return { hour, minute };
}

/**
 * When step `dayOffset` is due: calendar day `dayOffset` after day 0 in the contact's zone, at `at` when
 * given, else at day 0's wall-clock time. Calendar arithmetic (not 24 h multiples) keeps the local time
 * across daylight-saving changes. The same rule is `touchpoint_due_at()` in SQL (see the migration).
 */
export function dueAt(startAt: Date, zone: string, dayOffset: number, at?: string | null): Date {
  let local = DateTime.fromJSDate(startAt, { zone }).setZone('UTC', { keepLocalTime: true }).plus({ days: dayOffset });
  if (at) local = local.set({ ...parseClock(at), second: 0, millisecond: 0 });
  return new Date(wallClockToInstant(local.toMillis(), zone));
}

/**
 * The instant a wall-clock time (given as if it were UTC) names in `zone`, resolved as PostgreSQL's `AT TIME ZONE`
 * does, so that dueAt() and touchpoint_due_at() agree: a time repeated by a fall-back change takes the offset in
 * force after the change (the later instant), a time skipped by a spring-forward change the offset before it.
 * (luxon keeps whatever offset the arithmetic started from, which disagreed an hour for an `at` in the repeated hour.)
 */
function wallClockToInstant(wall: number, zone: string): number {
  const offsetAt = (instant: number) => DateTime.fromMillis(instant, { zone }).offset * 60_000;
  const before = offsetAt(wall - 86_400_000);
  const after = offsetAt(wall + 86_400_000);
  const candidates = [wall - after, wall - before].filter((instant) => wall - offsetAt(instant) === instant);
  return candidates.length > 0 ? Math.max(...candidates) : wall - before;
}

/** The window's open intervals that could contain or follow `from`, in order. */
function* windowIntervals(from: DateTime, window: SendWindow): Generator<{ open: DateTime; close: DateTime }> {
  const open = parseClock(window.from);
  const close = parseClock(window.to);
  const crossesMidnight = window.to <= window.from;
  const days = new Set((window.days ?? [1, 2, 3, 4, 5, 6, 7]).map((day) => (day === 0 ? 7 : day)));
  // Start a day early: a window crossing midnight may have opened yesterday and still be open.
  for (let offset = -1; offset <= 8; offset++) {
    const day = from.startOf('day').plus({ days: offset });
    if (!days.has(day.weekday)) continue;
    const start = day.set({ ...open, second: 0, millisecond: 0 });
    const end = day.plus({ days: crossesMidnight ? 1 : 0 }).set({ ...close, second: 0, millisecond: 0 });
    yield { open: start, close: end };
  }
}

/** `time` itself when inside the window, else the window's next opening (in the contact's zone). */
export function moveIntoWindow(time: Date, zone: string, window: SendWindow | null | undefined): Date {
  if (!window) return time;
  const local = DateTime.fromJSDate(time, { zone });
  for (const { open, close } of windowIntervals(local, window)) {
    if (local >= open && local < close) return time;
    if (open > local) return open.toJSDate();
  }
  // Only reachable with an empty list of days, which validation refuses.
  return time;
}

/** The planned send time of a step: due time moved into the send window. */
export function plannedAt(
  startAt: Date,
  zone: string,
  step: { dayOffset: number; at?: string | null },
  window?: SendWindow | null,
): Date {
  return moveIntoWindow(dueAt(startAt, zone, step.dayOffset, step.at), zone, window);
}
