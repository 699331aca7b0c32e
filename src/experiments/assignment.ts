import { createHash } from 'node:crypto';

export interface Weighted {
  key: string;
  weight: number;
}

/**
 * A number in [0, 1) fixed by the enrollment and the step: the first 48 bits of SHA-256 of "enrollment:step".
 * Nothing in it depends on the process, the instance or the time, so an enrollment keeps its variant across
 * restarts, retries and instances; and the step key in it makes each step's draw independent of the others'.
 */
export function assignmentPoint(enrollmentId: string, stepKey: string): number {
  const digest = createHash('sha256').update(`${enrollmentId}:${stepKey}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The variant of an enrollment for a step, in proportion to the integer weights: the point falls in one of the
 * consecutive slices [0, w1), [w1, w1 + w2), … of the total weight. Changing a variant's weight moves only the
 * enrollments near the slices' edges, and only for enrollments not yet sent (a sent row keeps its `variant`).
 */
export function assignVariant(enrollmentId: string, stepKey: string, variants: readonly Weighted[]): string {
  if (variants.length === 0) throw new RangeError(`step ${stepKey} has no variants to choose from`);
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  let point = assignmentPoint(enrollmentId, stepKey) * total;
  for (const variant of variants) {
    if (point < variant.weight) return variant.key;
    point -= variant.weight;
  }
  // Only rounding can get here; the last slice is the one the point was at the edge of.
  return variants[variants.length - 1].key;
}
