import { newcombeDifference } from '../experiments/statistics.js';

export interface RateCounts {
  enrolled: number;
  converted: number;
}

export interface Lift {
  absolute: number;
  relative: number | null;
  interval95: [number, number];
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** converted / enrolled, to four decimals; 0 when nobody enrolled (the funnel's conversionRate). */
export function rate(counts: RateCounts): number {
  return counts.enrolled === 0 ? 0 : round(counts.converted / counts.enrolled);
}

/**
 * What the sequence added to the conversion rate: treated minus held-out rate (`absolute`), that as a share of the
 * held-out rate (`relative`; null when nobody held out converted), and the 95% interval of the difference by
 * Newcombe's hybrid score method (method 10, from the two groups' Wilson intervals). Null while either group is
 * empty: there is nothing to compare.
 */
export function lift(treated: RateCounts, heldOut: RateCounts): Lift | null {
  if (treated.enrolled === 0 || heldOut.enrolled === 0) return null;
  const { difference, interval } = newcombeDifference(
    { successes: treated.converted, trials: treated.enrolled },
    { successes: heldOut.converted, trials: heldOut.enrolled },
  );
  const base = heldOut.converted / heldOut.enrolled;
  return {
    absolute: round(difference),
    relative: base === 0 ? null : round(difference / base),
    interval95: [round(interval[0]), round(interval[1])],
  };
}
