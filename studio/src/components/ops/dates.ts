/*
 * Date-range fields (<input type="date">) are days in the viewer's zone; the API takes instants. `since` is the
 * start of its day, `until` the start of the day after (so the "until" day is included, as a reader expects).
 */
export function sinceOf(day: string): string | undefined {
  return day ? new Date(`${day}T00:00`).toISOString() : undefined;
}

export function untilOf(day: string): string | undefined {
  if (!day) return undefined;
  const next = new Date(`${day}T00:00`);
  next.setDate(next.getDate() + 1);
  return next.toISOString();
}
