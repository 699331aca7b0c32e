import type { Schemas } from '../api/client';

export interface DraftVariant {
  id: string;
  key: string;
  template: string;
  weight: string;
}

export interface DraftExperiment {
  metric: 'click' | 'conversion';
  minPerVariant: string;
  probabilityToBeat: string;
}

/** A step as the editor holds it: the form's strings; `variants` empty for a step with one template. */
export interface DraftStep {
  id: string;
  key: string;
  dayOffset: string;
  at: string;
  template: string;
  segment: string;
  maxLatenessHours: string;
  variants: DraftVariant[];
  experiment: DraftExperiment | null;
}

let nextId = 0;
export const draftId = (): string => `step-${++nextId}`;

export function draftOf(step: Schemas['SequenceStepViewDto']): DraftStep {
  return {
    id: draftId(),
    key: step.key,
    dayOffset: String(step.dayOffset),
    at: step.at ?? '',
    template: step.template,
    segment: step.segment ?? '',
    maxLatenessHours: String(step.maxLatenessHours),
    variants: (step.variants ?? []).map((variant) => ({
      id: draftId(),
      key: variant.key,
      template: variant.template,
      weight: String(variant.weight),
    })),
    experiment: step.experiment
      ? {
          metric: step.experiment.metric,
          minPerVariant: String(step.experiment.minPerVariant),
          probabilityToBeat: String(step.experiment.probabilityToBeat),
        }
      : null,
  };
}

/** An empty form field is left out (the API's default); a number field is sent as a number, or as null to be named. */
function stepBody(step: DraftStep): Schemas['StepDto'] {
  const number = (text: string) => (text.trim() === '' ? (null as unknown as number) : Number(text));
  return {
    key: step.key.trim(),
    dayOffset: number(step.dayOffset),
    ...(step.at.trim() ? { at: step.at.trim() } : {}),
    ...(step.variants.length > 0
      ? {
          variants: step.variants.map((variant) => ({
            key: variant.key.trim(),
            template: variant.template,
            weight: number(variant.weight),
          })),
          ...(step.experiment
            ? {
                experiment: {
                  metric: step.experiment.metric,
                  minPerVariant: number(step.experiment.minPerVariant),
                  probabilityToBeat: number(step.experiment.probabilityToBeat),
                },
              }
            : {}),
        }
      : { template: step.template }),
    ...(step.segment.trim() ? { segment: step.segment.trim() } : {}),
    ...(step.maxLatenessHours.trim() ? { maxLatenessHours: number(step.maxLatenessHours) } : {}),
  };
}

/**
 * PUT replaces the whole definition, so everything the page shows is sent back as it is, with the edited steps in
 * day order (the API wants them ordered; a stable sort keeps same-day steps as the marketer placed them). `order`
 * maps each position sent to the draft it came from, to put the API's `steps.N…` messages at their fields.
 * Tracking goes back as the values in effect: a sequence that followed the server's default now keeps it.
 */
export function definitionOf(
  sequence: Schemas['SequenceDto'],
  drafts: DraftStep[],
): { body: Schemas['UpdateSequenceDto']; order: string[] } {
  const ordered = drafts
    .map((draft, index) => ({ draft, index, day: Number(draft.dayOffset) }))
    .sort((a, b) => (Number.isFinite(a.day) && Number.isFinite(b.day) ? a.day - b.day : 0) || a.index - b.index)
    .map(({ draft }) => draft);
  return {
    order: ordered.map((draft) => draft.id),
    body: {
      name: sequence.name,
      ...(sequence.triggerEvent ? { triggerEvent: sequence.triggerEvent } : {}),
      ...(sequence.conversionEvent ? { conversionEvent: sequence.conversionEvent } : {}),
      ...(sequence.audienceSegment ? { audienceSegment: sequence.audienceSegment } : {}),
      ...(sequence.sendWindow ? { sendWindow: sequence.sendWindow } : {}),
      ...(sequence.timezone ? { timezone: sequence.timezone } : {}),
      tracking: sequence.tracking,
      reentry: sequence.reentry,
      ...(sequence.reentryCooldownDays !== null ? { reentryCooldownDays: sequence.reentryCooldownDays } : {}),
      transactional: sequence.transactional,
      holdoutPercent: sequence.holdoutPercent,
      conversionWindowDays: sequence.conversionWindowDays,
      steps: ordered.map(stepBody),
    },
  };
}

/** The API's 400 messages by where they belong: a draft's field (`steps.2.dayOffset …`), a draft, or the form. */
export function placeMessages(messages: string[], order: string[]): { fields: Map<string, string[]>; form: string[] } {
  const fields = new Map<string, string[]>();
  const form: string[] = [];
  for (const message of messages) {
    // steps.2.dayOffset …, steps.0.variants.1.weight …, steps.0.experiment.metric …, steps.1: give a template …
    const match = /^steps\.(\d+)(?:\.(\w+)(?:\.(\d+)\.(\w+))?)?/.exec(message);
    const id = match ? order[Number(match[1])] : undefined;
    if (!match || id === undefined) {
      form.push(message);
      continue;
    }
    const [, , part = '', variant, variantField] = match;
    const field =
      part === 'variants' && variant !== undefined
        ? `${id}.variants.${variant}.${variantField}`
        : ['key', 'dayOffset', 'at', 'template', 'segment', 'maxLatenessHours', 'variants', 'experiment'].includes(part)
          ? `${id}.${part}`
          : id;
    fields.set(field, [...(fields.get(field) ?? []), message]);
  }
  return { fields, form };
}
