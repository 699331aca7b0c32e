import { createHash } from 'node:crypto';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/** The studio's template and segment endpoints: a test send over the real SMTP sink, and an unsaved rule's count. */
describe('template test send and segment preview', () => {
  let t: DeliveryTestApp;
  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await t
      .post('/v1/templates', {
        key: 'lesson',
        name: 'Lesson',
        variants: [
          {
            locale: 'en',
            subject: 'Your {{event.properties.course}} lesson, {{default contact.firstName "friend"}}',
            html: '<p>Hi {{contact.firstName}}, see <a href="https://school.example/start?lang=en">the start</a>. <a href="{{unsubscribeUrl}}">Unsubscribe</a></p>',
          },
          { locale: 'ro', subject: 'Lecția {{event.properties.course}}', html: '<p>Salut {{contact.firstName}}</p>' },
        ],
      })
      .expect(201);
    await t.post('/v1/contacts', { email: 'real@example.com', firstName: 'Real', locale: 'ro' }).expect(201);
  });
  afterAll(() => t?.close());

  it('sends the rendered template to the address, marked as a test, untracked, with nothing written', async () => {
    const reply = await t
      .post('/v1/templates/lesson/test-send', {
        email: 'Marketer@School.example',
        contact: { firstName: 'Ana', locale: 'en' },
        event: { name: 'lesson_booked', properties: { course: 'Python' } },
      })
      .expect(200);
    expect(reply.body).toMatchObject({
      to: 'Marketer@School.example',
      subject: '[test] Your Python lesson, Ana',
      locale: 'en',
    });
    await t.sink.waitForCount(1);
    const [message] = t.sink.to('marketer@school.example');
    expect(message.parsed.subject).toBe('[test] Your Python lesson, Ana');
    expect(message.parsed.messageId).toBe(reply.body.messageId);
    const html = String(message.parsed.html);
    // Links as written: no click token, no open pixel; the unsubscribe link carries no token.
    expect(html).toContain('href="https://school.example/start?lang=en"');
    expect(html).not.toContain('/t/c/');
    expect(html).not.toContain('/t/o/');
    expect(html).toContain('href="http://touchpoint.test/u/preview"');
    expect(message.parsed.text).toContain('Hi Ana');
    expect(message.parsed.headers.get('list-unsubscribe')).toBeUndefined();
    expect(message.parsed.headers.get('list-unsubscribe-post')).toBeUndefined();
    expect(message.parsed.headers.get('x-touchpoint-test')).toBe('lesson');
    const written = await t.pool.query(`SELECT count(*)::int AS n FROM deliveries`);
    expect(written.rows[0].n).toBe(0);
  });

  it('renders for a stored contact, in its locale, to the given address (never to the contact)', async () => {
    const contact = await t.http().get('/v1/contacts?email=real@example.com').set(t.auth).expect(200);
    const before = t.sink.messages.length;
    await t
      .post('/v1/templates/lesson/test-send', {
        email: 'qa@school.example',
        contactId: contact.body.items[0].id,
        event: { properties: { course: 'Excel' } },
      })
      .expect(200)
      .expect((r) => expect(r.body).toMatchObject({ subject: '[test] Lecția Excel', locale: 'ro' }));
    await t.sink.waitForCount(before + 1);
    expect(t.sink.to('real@example.com')).toEqual([]);
    expect(String(t.sink.to('qa@school.example')[0].parsed.html)).toContain('Salut Real');
  });

  it('refuses a bad address (400), an unknown template (404), and past the budget (429)', async () => {
    const bad = await t.post('/v1/templates/lesson/test-send', { email: 'not-an-address', extra: 1 }).expect(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining(['email must be an email address', 'property extra should not exist']),
    );
    await t.post('/v1/templates/nothing/test-send', { email: 'qa@school.example' }).expect(404);
    // Two sent above; the clock does not move, so the minute's budget runs out here.
    for (let i = 2; i < 10; i++)
      await t.post('/v1/templates/lesson/test-send', { email: 'qa@school.example' }).expect(200);
    const refused = await t.post('/v1/templates/lesson/test-send', { email: 'qa@school.example' }).expect(429);
    expect(refused.body.message).toContain('at most 10 test sends a minute');
    t.clock.advance(61_000);
    await t.post('/v1/templates/lesson/test-send', { email: 'qa@school.example' }).expect(200);
  });

  it('counts and samples the members of an unsaved, nested rule; an invalid rule is a 400 naming its path', async () => {
    await t
      .http()
      .post('/v1/contacts/import')
      .set(t.auth)
      .send([
        { email: 'a@example.com', locale: 'ro', attributes: { plan: 'free', visits: 5 } },
        { email: 'b@example.com', locale: 'ru', attributes: { plan: 'pro', visits: 1 } },
        { email: 'c@example.com', locale: 'en', attributes: { plan: 'free', visits: 9 } },
        { email: 'd@example.com', locale: 'ro', attributes: { plan: 'pro', visits: 7 } },
      ])
      .expect(200);
    const rule = {
      all: [
        { field: 'locale', op: 'in', value: ['ro', 'ru'] },
        {
          any: [
            { field: 'attributes.plan', op: 'eq', value: 'free' },
            { field: 'attributes.visits', op: 'gte', value: 7 },
          ],
        },
      ],
    };
    const reply = await t.post('/v1/segments/preview', { rule, sample: 1 }).expect(200);
    expect(reply.body.total).toBe(2);
    expect(reply.body.sample).toHaveLength(1);
    expect(['a@example.com', 'd@example.com']).toContain(reply.body.sample[0].email);
    const all = await t.post('/v1/segments/preview', { rule }).expect(200);
    expect(all.body.sample.map((c: { email: string }) => c.email).sort()).toEqual(['a@example.com', 'd@example.com']);

    const invalid = await t
      .post('/v1/segments/preview', { rule: { all: [{ field: 'plan', op: 'like', value: 1 }] } })
      .expect(400);
    expect(invalid.body.message.join(' ')).toContain('rule.all.0.field');
    expect(invalid.body.message.join(' ')).toContain('rule.all.0.op');
    // Nothing is saved: a preview is not a segment.
    expect((await t.http().get('/v1/segments').set(t.auth).expect(200)).body.items).toEqual([]);
  });

  it('previews unsaved variants as the saved preview would, checking them as a save does; nothing is stored', async () => {
    const variants = [
      {
        locale: 'en',
        subject: 'Hi {{default contact.firstName "friend"}}',
        html: '<p>{{event.properties.course}}</p>',
      },
      { locale: 'ru', subject: 'Привет, {{contact.firstName}}', html: '<p>Курс {{event.properties.course}}</p>' },
    ];
    const ru = await t
      .post('/v1/templates/preview', {
        variants,
        contact: { firstName: 'Олег', locale: 'ru-MD' },
        event: { properties: { course: 'Python' } },
      })
      .expect(200);
    expect(ru.body).toMatchObject({ subject: 'Привет, Олег', locale: 'ru' });
    // The text part derived from the HTML, the layout's footer in the variant's language.
    expect(ru.body.text).toMatch(/^Курс Python\n[\s\S]*Отписаться/);
    const fallback = await t.post('/v1/templates/preview', { variants, locale: 'ro' }).expect(200);
    expect(fallback.body).toMatchObject({ subject: 'Hi Alex', locale: 'en' });
    // As a save: a bad field is a 400 naming it, a variant that does not compile a 422 naming it.
    const bad = await t.post('/v1/templates/preview', { variants: [{ locale: 'en', subject: '' }] }).expect(400);
    expect(bad.body.message.join(' ')).toContain('variants.0.subject');
    const broken = await t
      .post('/v1/templates/preview', { variants: [{ locale: 'en', subject: 'x', html: '<p>{{#if a}}</p>' }] })
      .expect(422);
    expect(broken.body.message.join(' ')).toContain('variants.0');
    const stored = await t.pool.query(`SELECT count(*)::int AS n FROM templates`);
    expect(stored.rows[0].n).toBe(1);
    // The saved template's own preview is unchanged by the refactor.
    const saved = await t
      .post('/v1/templates/lesson/preview', { contact: { firstName: 'Ana' }, event: { properties: { course: 'C' } } })
      .expect(200);
    expect(saved.body).toMatchObject({ subject: 'Your C lesson, Ana', locale: 'en' });
  });

  it('serves the preview frame with a CSP of its own: its one script by hash, inline styles and images, framed by the studio only', async () => {
    const frame = await t.http().get('/studio/preview-frame').expect(200).expect('Content-Type', /html/);
    const csp = String(frame.headers['content-security-policy']);
    const script = /<script>([\s\S]*?)<\/script>/.exec(frame.text)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    // The email goes into an inner frame with every sandbox restriction.
    expect(script).toContain("setAttribute('sandbox', '')");
    // The studio page itself keeps its own strict policy.
    const studio = await t.http().get('/');
    expect(String(studio.headers['content-security-policy'])).toContain("style-src 'self';");
  });
});
