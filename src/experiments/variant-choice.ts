import type { StepRow } from '../sequences/sequence.repository.js';
import { assignVariant } from './assignment.js';

/** What one send of a step uses: its variant's key (null for a plain step) and that variant's template. */
export interface VariantChoice {
  variant: string | null;
  templateId: string;
  templateKey: string;
}

type ChoosableStep = Pick<StepRow, 'key' | 'template_id' | 'template_key' | 'variants' | 'winner'>;

function plain(step: ChoosableStep): VariantChoice {
  return { variant: null, templateId: step.template_id, templateKey: step.template_key };
}

/** The choice for a variant key, when the step (still) has that variant. */
export function variantOf(step: ChoosableStep, key: string | null): VariantChoice | undefined {
  if (!step.variants || key === null) return step.variants ? undefined : plain(step);
  const variant = step.variants.find((candidate) => candidate.key === key);
  return variant && { variant: variant.key, templateId: variant.template_id, templateKey: variant.template_key };
}

/**
 * The one rule of which template a send uses: a plain step's template; once the step has a winner (decided or
 * pinned), the winner's for everyone; before that, the variant the enrollment is assigned (assignment.ts), which
 * is the same on every pass, retry and instance. A winner whose variant was since removed from the step counts
 * as no winner.
 */
export function chooseStepVariant(step: ChoosableStep, enrollmentId: string): VariantChoice {
  if (!step.variants || step.variants.length === 0) return plain(step);
  const winner = step.winner ? variantOf(step, step.winner.variant) : undefined;
  return winner ?? variantOf(step, assignVariant(enrollmentId, step.key, step.variants))!;
}
