import type { StepDto } from './sequence.dto.js';

/**
 * What a step's template, variants and experiment must satisfy together, beyond each field's own decorators:
 * exactly one of `template` and `variants`, variant keys unique, and an experiment only among variants.
 */
export function stepJourneyProblems(step: StepDto, index: number): string[] {
  const problems: string[] = [];
  const at = `steps.${index}`;
  if (step.template === undefined && step.variants === undefined) {
    problems.push(`${at}: give a template or variants`);
  }
  if (step.template !== undefined && step.variants !== undefined) {
    problems.push(`${at}: give a template or variants, not both`);
  }
  const keys = new Map<string, number>();
  step.variants?.forEach((variant, position) => {
    const earlier = keys.get(variant.key);
    if (earlier !== undefined) {
      problems.push(`${at}.variants.${position}.key ${variant.key} repeats ${at}.variants.${earlier}.key`);
    }
    keys.set(variant.key, position);
  });
  if (step.experiment && !step.variants) problems.push(`${at}.experiment needs variants to compare`);
  return problems;
}
