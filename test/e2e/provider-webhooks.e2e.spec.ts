import { readFileSync } from 'node:fs';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * Provider webhooks over HTTP, each provider with the payload shapes it documents (test/fixtures/webhooks/):
 * a hard bounce and a complaint act on the contact and its enrollments, a soft bounce is recorded only, and a
 * malformed body, a wrong token or an unknown provider change nothing.
 */

const TOKEN = 'webhook-token-0123456789';
const PROVIDERS = ['ses', 'postmark', 'sendgrid', 'mailgun', 'generic'] as const;
const KINDS = ['hard', 'soft', 'complaint'] as const;
/** Providers whose fixtures carry our Message-ID (Postmark's MessageID is its own): the delivery row is marked. */
const NAMES_MESSAGE = new Set(['ses', 'sendgrid', 'mailgun', 'generic']);
const addressOf = (provider: string, kind: string) => `${provider}-${kind}@example.com`;

describe('provider webhooks', () => {
  let t: DeliveryTestApp;

  beforeAll(async () => {
    t = await startDeliveryTestApp({ WEBHOOK_TOKEN: TOKEN, MAIL_FROM: 'School <hello@school.test>' });
    await t
      .post('/v1/templates', {
        key: 'mail',
        name: 'Mail',
        variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }],
      })
      .expect(201);
    await t
      .post('/v1/segments', {
        key: 'all',
        name: 'All',
        rule: { all: [{ field: 'email', op: 'contains', value: '@example.com' }] },
      })
      .expect(201);
    await t
      .post('/v1/sequences', {
        key: 'course',
        name: 'Course',
        steps: [
          { key: 'day0', dayOffset: 0, template: 'mail' },
          { key: 'day7', dayOffset: 7, template: 'mail' },
        ],
      })
      .expect(201);
    await t.post('/v1/sequences/course/activate', {}).expect(200);
    const emails = PROVIDERS.flatMap((provider) => KINDS.map((kind) => ({ email: addressOf(provider, kind) })));
    await t.post('/v1/contacts/import', emails).expect(200);
    await t.post('/v1/sequences/course/enrollments', { segment: 'all', startAt: '2026-11-24T09:59:00Z' }).expect(200);
    await t.post('/v1/scheduler/run', {}).expect(200);
    await t.sink.waitForCount(emails.length);
  });
  afterAll(() => t?.close());

  const hook = (provider: string, token: string | null = TOKEN) =>
    t
      .http()
      .post(`/hooks/email-events/${provider}`)
      .query(token === null ? {} : { token })
      .set('Content-Type', provider === 'ses' ? 'text/plain; charset=UTF-8' : 'application/json');

  /** A fixture as the provider would post it about this contact's email (its Message-ID filled in). */
  const fixture = async (provider: string, name: string, email: string) => {
    const row = await t.pool.query(
      `SELECT d.message_id FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE c.email = $1`,
      [email],
    );
    const messageId: string = row.rows[0].message_id;
    return readFileSync(new URL(`../fixtures/webhooks/${provider}/${name}.json`, import.meta.url), 'utf8')
      .replaceAll('__MESSAGE_ID__', messageId)
      .replaceAll('__MESSAGE_ID_BARE__', messageId.replace(/^<|>$/g, ''));
  };

  const stateOf = async (email: string) =>
    (
      await t.pool.query(
        `SELECT c.status AS contact, e.status AS enrollment, d.bounced_at, d.complained_at, d.soft_bounced_at,
                d.feedback, (SELECT array_agg(f.source || ':' || f.kind ORDER BY f.kind) FROM mail_feedback f
                             WHERE f.contact_id = c.id) AS reports
         FROM contacts c JOIN enrollments e ON e.contact_id = c.id JOIN deliveries d ON d.enrollment_id = e.id
         WHERE c.email = $1`,
        [email],
      )
    ).rows[0];
  /** Everything a webhook could write, to show that a refused one wrote nothing. */
  const everything = async () =>
    (
      await t.pool.query(
        `SELECT (SELECT count(*)::int FROM mail_feedback) AS reports,
                (SELECT array_agg(status ORDER BY email) FROM contacts) AS contacts,
                (SELECT array_agg(status ORDER BY id) FROM enrollments) AS enrollments,
                (SELECT count(*)::int FROM deliveries
                 WHERE bounced_at IS NOT NULL OR complained_at IS NOT NULL OR soft_bounced_at IS NOT NULL) AS marked`,
      )
    ).rows[0];

  describe.each(PROVIDERS)('%s', (provider) => {
    it('refuses a malformed body with 400 and writes nothing', async () => {
      const before = await everything();
      const response = await hook(provider).send(await fixture(provider, 'malformed', addressOf(provider, 'hard')));
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('returns.webhook_malformed');
      expect(await everything()).toEqual(before);
    });

    it('a hard bounce bounces the contact and ends its enrollments', async () => {
      const email = addressOf(provider, 'hard');
      const response = await hook(provider).send(await fixture(provider, 'bounce', email));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ recorded: 1, ignored: 0 });
      const state = await stateOf(email);
      expect(state).toMatchObject({ contact: 'bounced', enrollment: 'bounced', reports: [`${provider}:bounce`] });
      if (NAMES_MESSAGE.has(provider)) {
        expect(state.bounced_at).toBeInstanceOf(Date);
        expect(state.feedback).toMatch(/5\.1\.1/);
      } else {
        expect(state.bounced_at).toBeNull();
      }
    });

    it('a soft bounce is recorded and not acted on', async () => {
      const email = addressOf(provider, 'soft');
      const response = await hook(provider).send(await fixture(provider, 'soft-bounce', email));
      expect(response.status).toBe(200);
      const state = await stateOf(email);
      expect(state).toMatchObject({ contact: 'active', enrollment: 'active', bounced_at: null });
      expect(state.reports.length).toBeGreaterThan(0);
      expect(new Set(state.reports)).toEqual(new Set([`${provider}:soft-bounce`]));
    });

    it('a complaint marks the contact complained and ends its enrollments', async () => {
      const email = addressOf(provider, 'complaint');
      const response = await hook(provider).send(await fixture(provider, 'complaint', email));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ recorded: 1, ignored: 0 });
      const state = await stateOf(email);
      expect(state).toMatchObject({
        contact: 'complained',
        enrollment: 'unsubscribed',
        reports: [`${provider}:complaint`],
      });
      if (NAMES_MESSAGE.has(provider)) expect(state.complained_at).toBeInstanceOf(Date);
    });
  });

  it('answers 401 to a missing or wrong token and 404 to an unknown provider, writing nothing', async () => {
    const before = await everything();
    const body = await fixture('generic', 'complaint', addressOf('generic', 'soft'));
    expect((await hook('generic', null).send(body)).status).toBe(401);
    expect((await hook('generic', 'webhook-token-0123456780').send(body)).status).toBe(401);
    expect((await hook('generic', `${TOKEN}x`).send(body)).status).toBe(401);
    for (const provider of ['sparkpost', 'constructor', '__proto__']) {
      const response = await hook(provider).send(body);
      expect(response.status).toBe(404);
    }
    expect((await hook('generic').send('{"not": "json"')).status).toBe(400);
    expect(await everything()).toEqual(before);
  });

  it('ignores events about unknown contacts or messages (200), and logs an SNS subscription without acting', async () => {
    const before = await everything();
    const unknown = [
      { email: 'nobody@example.com', type: 'bounce' },
      {
        email: addressOf('generic', 'soft'),
        type: 'complaint',
        messageId: '<00000000-0000-4000-8000-000000000000@school.test>',
      },
    ];
    expect((await hook('generic').send(unknown)).body).toEqual({ recorded: 0, ignored: 2 });
    const confirmation = await hook('ses').send(
      readFileSync(new URL('../fixtures/webhooks/ses/subscription-confirmation.json', import.meta.url), 'utf8'),
    );
    expect(confirmation.status).toBe(200);
    expect(confirmation.body).toEqual({ recorded: 0, ignored: 0 });
    expect(await everything()).toEqual(before);
  });
});
