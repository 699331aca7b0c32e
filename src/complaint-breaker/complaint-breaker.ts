/** Sends in 24 h below which the complaint rate is not judged: a handful of emails says nothing yet. */
export const MIN_SENT = 300;
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Whether `complaints` out of `sent` emails reach the limit (a share, 0.003 = 0.3 %), pure. The comparison is
 * multiplied out, with a margin for binary fractions: 3 complaints in 1,000 sends reach 0.003.
 */
export function reachesLimit(sent: number, complaints: number, limit: number): boolean {
  return sent >= MIN_SENT && complaints > 0 && complaints >= limit * sent - 1e-9;
}

/**
 * How many sends to count to decide: past this many, the complaints cannot reach the limit (or, under MIN_SENT,
 * the rate is not judged), so the count can stop there.
 */
export function sendsWorthCounting(complaints: number, limit: number): number {
  const most = limit > 0 ? Math.floor(complaints / limit + 1e-9) + 1 : Number.MAX_SAFE_INTEGER;
  return Math.max(MIN_SENT, Math.min(most, Number.MAX_SAFE_INTEGER));
}
