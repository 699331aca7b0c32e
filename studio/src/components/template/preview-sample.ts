import type { Schemas } from '../../api/client';

/** What the preview renders for: a sample contact as typed, or a stored contact picked by e-mail; and an event. */
export interface PreviewSample {
  contact: { firstName: string; lastName: string; locale: string; timezone: string; attributes: string };
  picked: { id: string; email: string } | null;
  /** '' renders the contact's own locale's variant */
  locale: string;
  event: { name: string; properties: string };
}

export const INITIAL_SAMPLE: PreviewSample = {
  contact: {
    firstName: 'Ana',
    lastName: '',
    locale: 'ro',
    timezone: 'Europe/Chisinau',
    attributes: '{"plan": "free"}',
  },
  picked: null,
  locale: '',
  event: { name: 'lesson_booked', properties: '{"course": "Python", "lessonAt": "2026-12-01T17:00:00Z"}' },
};

export type SampleProblem = 'attributes' | 'properties';

function jsonObject(text: string): Record<string, unknown> | undefined | 'invalid' {
  if (!text.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** The body of preview and test send, or the JSON fields that do not parse as objects. */
export function previewBody(
  sample: PreviewSample,
): { body: Schemas['PreviewTemplateDto'] } | { problems: SampleProblem[] } {
  const attributes = jsonObject(sample.contact.attributes);
  const properties = jsonObject(sample.event.properties);
  const problems: SampleProblem[] = [];
  if (attributes === 'invalid') problems.push('attributes');
  if (properties === 'invalid') problems.push('properties');
  if (problems.length > 0 || attributes === 'invalid' || properties === 'invalid') return { problems };
  const trimmed = (value: string) => (value.trim() ? value.trim() : undefined);
  const { firstName, lastName, locale, timezone } = sample.contact;
  const contact = sample.picked
    ? {}
    : {
        contact: {
          ...(trimmed(firstName) ? { firstName: firstName.trim() } : {}),
          ...(trimmed(lastName) ? { lastName: lastName.trim() } : {}),
          ...(trimmed(locale) ? { locale: locale.trim() } : {}),
          ...(trimmed(timezone) ? { timezone: timezone.trim() } : {}),
          ...(attributes ? { attributes: attributes as Record<string, never> } : {}),
        },
      };
  return {
    body: {
      ...(sample.picked ? { contactId: sample.picked.id } : contact),
      ...(sample.locale ? { locale: sample.locale } : {}),
      event: {
        ...(trimmed(sample.event.name) ? { name: sample.event.name.trim() } : {}),
        ...(properties ? { properties: properties as Record<string, never> } : {}),
      },
    },
  };
}
