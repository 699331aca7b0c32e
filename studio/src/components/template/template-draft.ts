import type { Schemas } from '../../api/client';

/** A variant as the editor holds it: `id` keeps React's keys and the field problems stable while locales change. */
export interface VariantDraft {
  id: number;
  locale: string;
  subject: string;
  html: string;
  text: string;
}

export interface TemplateDraft {
  key: string;
  name: string;
  variants: VariantDraft[];
}

export type VariantField = 'locale' | 'subject' | 'html' | 'text';

let nextId = 1;
export function newVariant(locale: string): VariantDraft {
  return { id: nextId++, locale, subject: '', html: '', text: '' };
}

export function draftOf(template: Schemas['TemplateDto']): TemplateDraft {
  return {
    key: template.key,
    name: template.name,
    variants: template.variants.map((variant) => ({
      ...newVariant(variant.locale),
      ...variant,
      text: variant.text ?? '',
    })),
  };
}

/** The body of POST and PUT: the variants in the editor's order (the first is the fallback), an empty text omitted. */
export function variantsBody(draft: TemplateDraft): Schemas['TemplateVariantDto'][] {
  return draft.variants.map(({ locale, subject, html, text }) => ({
    locale: locale.trim(),
    subject,
    html,
    ...(text.trim() ? { text } : {}),
  }));
}

/**
 * Where a message of the API belongs: `key …`, `name …`, `variants.2.html …` (400 from validation, 422 from the
 * compiler, `variants.1.locale ro repeats variants.0` from the duplicate check), `variants.0: …` (a trial render);
 * anything else above the form. Places are `key`, `name`, `form`, `<variant id>.<field>` and `<variant id>`.
 */
export function placeOf(message: string, draft: TemplateDraft): string {
  const variant = /^variants\.(\d+)(?:\.(locale|subject|html|text))?/.exec(message);
  if (variant) {
    const target = draft.variants[Number(variant[1])];
    if (!target) return 'form';
    return variant[2] ? `${target.id}.${variant[2]}` : `${target.id}.html`;
  }
  const field = /^(key|name)\b/.exec(message)?.[1];
  return field ?? 'form';
}

export function placeAll(messages: string[], draft: TemplateDraft): Map<string, string[]> {
  const placed = new Map<string, string[]>();
  for (const message of messages) {
    const place = placeOf(message, draft);
    placed.set(place, [...(placed.get(place) ?? []), message]);
  }
  return placed;
}

/** A BCP 47 tag's shape, checked before it becomes a variant (the server checks it properly). */
export const LOCALE_SHAPE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const COMMON_LOCALES = ['ru', 'ro', 'en'];
