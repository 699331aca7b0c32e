/** Anything that can POST to the API: a TestApp (supertest) or a ServerProcess (fetch). */
export type Poster = (path: string, body: unknown) => PromiseLike<{ status: number; body: unknown }>;

export interface CampaignOptions {
  /** Key of the template, segment and sequence created. */
  key: string;
  /** Contacts are `<prefix><i>@<domain>`; the segment is everyone at the domain. */
  domain: string;
  prefix: string;
  contacts: number;
  steps: Array<{ key: string; dayOffset: number }>;
  /** Day 0 of every enrollment. */
  startAt: string;
  subject?: string;
}

/**
 * The setup the delivery and fault tests share: one template, a segment of a domain's contacts, an active
 * sequence of the given steps, the contacts imported (10,000 per call, the API's limit) and all enrolled.
 */
export async function seedCampaign(post: Poster, options: CampaignOptions): Promise<void> {
  const call = async (path: string, body: unknown, expected: number) => {
    const response = await post(path, body);
    if (response.status !== expected) {
      throw new Error(`${path}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as Record<string, unknown>;
  };
  const { key, domain } = options;
  await call(
    '/v1/templates',
    {
      key,
      name: key,
      variants: [
        { locale: 'en', subject: options.subject ?? 'Step {{step.key}}', html: '<p>Hello {{contact.firstName}}</p>' },
      ],
    },
    201,
  );
  await call(
    '/v1/segments',
    { key, name: key, rule: { all: [{ field: 'email', op: 'contains', value: `@${domain}` }] } },
    201,
  );
  await call(
    '/v1/sequences',
    { key, name: key, steps: options.steps.map((step) => ({ ...step, template: key })) },
    201,
  );
  await call(`/v1/sequences/${key}/activate`, {}, 200);
  const contacts = Array.from({ length: options.contacts }, (_, i) => ({
    email: `${options.prefix}${i}@${domain}`,
    firstName: `${options.prefix.toUpperCase()}${i}`,
  }));
  for (let from = 0; from < contacts.length; from += 10_000) {
    await call('/v1/contacts/import', contacts.slice(from, from + 10_000), 200);
  }
  const enrolled = await call(`/v1/sequences/${key}/enrollments`, { segment: key, startAt: options.startAt }, 200);
  if (enrolled.enrolled !== options.contacts) {
    throw new Error(`enrolled ${String(enrolled.enrolled)} of ${options.contacts} contacts`);
  }
}
