import type { StepExperiment } from '../sequences/sequence.repository.js';
import { probabilityToBeatAll } from './statistics.js';

/** One variant's counts for a step: sends, and the sends that clicked or were followed by a conversion. */
export interface VariantCounts {
  sends: number;
  clicks: number;
  conversions: number;
}

export interface Decision {
  variant: string;
  /** Its probability to beat every other variant on the experiment's metric. */
  probability: number;
}

/**
 * The automatic winner rule (API.md, "Automatic winner"): no decision until every variant has at least
 * `minPerVariant` sends; then the variant whose rate (clicks or conversions per send) has the highest probability
 * of beating every other one wins if that probability reaches `probabilityToBeat`. A variant missing from `counts`
 * has sent nothing yet. Ties (which only equal counts can produce, below any threshold) go to the first variant.
 */
export function decideWinner(
  variants: ReadonlyArray<{ key: string }>,
  experiment: StepExperiment,
  counts: ReadonlyMap<string, VariantCounts>,
): Decision | null {
  const none: VariantCounts = { sends: 0, clicks: 0, conversions: 0 };
  const arms = variants.map((variant) => counts.get(variant.key) ?? none);
  if (arms.length < 2 || arms.some((arm) => arm.sends < experiment.minPerVariant)) return null;
  const probabilities = probabilityToBeatAll(
    arms.map((arm) => ({
      successes: Math.min(arm.sends, experiment.metric === 'click' ? arm.clicks : arm.conversions),
      trials: arm.sends,
    })),
  );
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
  if (probabilities[best] < experiment.probabilityToBeat) return null;
  return { variant: variants[best].key, probability: probabilities[best] };
}
