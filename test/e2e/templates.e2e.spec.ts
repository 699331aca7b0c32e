import { startTestApp, type TestApp } from '../support/test-app.js';

describe('templates API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const welcome = {
    key: 'welcome',
    name: 'Welcome',
    variants: [
      {
        locale: 'en',
        subject: 'Welcome, {{default contact.firstName "friend"}}',
        html: '<p>Hi {{contact.firstName}}, plan {{contact.attributes.plan}}</p>',
      },
      {
        locale: 'ro',
        subject: 'Bun venit, {{default contact.firstName "prietene"}}',
        html: '<p>Salut {{contact.firstName}}</p>',
      },
      {
        locale: 'ru',
        subject: 'Добро пожаловать, {{default contact.firstName "друг"}}',
        html: '<p>Привет, {{contact.firstName}}</p>',
        text: 'Привет, {{contact.firstName}}',
      },
    ],
  };

  it('creates, reads, lists and updates a template (version bumps)', async () => {
    const created = await t.http().post('/v1/templates').set(t.auth).send(welcome).expect(201);
    expect(created.body).toMatchObject({ key: 'welcome', version: 1 });
    expect(created.body.variants.map((v: { locale: string }) => v.locale)).toEqual(['en', 'ro', 'ru']);
    await t
      .http()
      .post('/v1/templates')
      .set(t.auth)
      .send(welcome)
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('template.key_taken'));
    await t.http().get('/v1/templates/welcome').set(t.auth).expect(200);
    const list = await t.http().get('/v1/templates').set(t.auth).expect(200);
    expect(list.body.items.map((x: { key: string }) => x.key)).toContain('welcome');
    const updated = await t
      .http()
      .put('/v1/templates/welcome')
      .set(t.auth)
      .send({ name: 'Welcome v2', variants: [{ locale: 'en', subject: 'Hello v2', html: '<p>v2</p>' }] })
      .expect(200);
    expect(updated.body).toMatchObject({ name: 'Welcome v2', version: 2 });
    const preview = await t.http().post('/v1/templates/welcome/preview').set(t.auth).send({}).expect(200);
    expect(preview.body.subject).toBe('Hello v2');
    await t.http().put('/v1/templates/welcome').set(t.auth).send(welcome).expect(400); // key is not a PUT field
    await t
      .http()
      .put('/v1/templates/welcome')
      .set(t.auth)
      .send({ name: welcome.name, variants: welcome.variants })
      .expect(200);
  });

  it('previews in the contact’s language, with fallbacks, HTML escaped and text derived', async () => {
    const contact = await t
      .http()
      .post('/v1/contacts')
      .set(t.auth)
      .send({ email: 'ana@example.md', firstName: '<b>Ana</b>', locale: 'ro-MD' })
      .expect(201);
    const ro = await t
      .http()
      .post('/v1/templates/welcome/preview')
      .set(t.auth)
      .send({ contactId: contact.body.id })
      .expect(200);
    expect(ro.body.locale).toBe('ro');
    expect(ro.body.subject).toBe('Bun venit, <b>Ana</b>');
    expect(ro.body.html).toContain('Salut &lt;b&gt;Ana&lt;/b&gt;');
    expect(ro.body.html).toContain('Dezabonare');
    expect(ro.body.text).toContain('Salut <b>Ana</b>');

    const ru = await t
      .http()
      .post('/v1/templates/welcome/preview')
      .set(t.auth)
      .send({ contact: { firstName: 'Олег' }, locale: 'ru' })
      .expect(200);
    expect(ru.body).toMatchObject({ locale: 'ru', subject: 'Добро пожаловать, Олег', text: 'Привет, Олег' });
    const fallback = await t
      .http()
      .post('/v1/templates/welcome/preview')
      .set(t.auth)
      .send({ contact: { locale: 'de' } })
      .expect(200);
    expect(fallback.body).toMatchObject({ locale: 'en', subject: 'Welcome, friend' });
    await t
      .http()
      .post('/v1/templates/welcome/preview')
      .set(t.auth)
      .send({ contactId: '6f1c1b7e-1111-4111-8111-111111111111' })
      .expect(404);
    await t.http().post('/v1/templates/nope/preview').set(t.auth).send({}).expect(404);
  });

  it('keeps subjects on one line whatever the data holds', async () => {
    await t
      .http()
      .post('/v1/templates')
      .set(t.auth)
      .send({
        key: 'subject-attr',
        name: 'S',
        variants: [{ locale: 'en', subject: 'Hi {{contact.attributes.note}}', html: '<p>x</p>' }],
      })
      .expect(201);
    const preview = await t
      .http()
      .post('/v1/templates/subject-attr/preview')
      .set(t.auth)
      .send({ contact: { attributes: { note: 'a\r\nBcc: victim@example.com' } } })
      .expect(200);
    expect(preview.body.subject).toBe('Hi a Bcc: victim@example.com');
  });

  it('refuses templates that do not compile, or use unknown helpers or partials, with 422 naming the variant', async () => {
    const response = await t
      .http()
      .post('/v1/templates')
      .set(t.auth)
      .send({
        key: 'broken',
        name: 'Broken',
        variants: [
          { locale: 'en', subject: 'Hi {{#if}}', html: '<p>{{shout contact.firstName}}</p>' },
          { locale: 'ro', subject: 'ok', html: '{{> nowhere}}' },
        ],
      })
      .expect(422);
    expect(response.body.code).toBe('template.not_compiling');
    expect(response.body.message).toEqual([
      expect.stringMatching(/^variants\.0\.subject: /),
      expect.stringMatching(/^variants\.0\.html: .*shout/),
      expect.stringMatching(/^variants\.1\.html: unknown partial "nowhere"/),
    ]);
    await t.http().get('/v1/templates/broken').set(t.auth).expect(404);
  });

  it('refuses bad input with 400 naming fields, and duplicate locales', async () => {
    const bad = await t
      .http()
      .post('/v1/templates')
      .set(t.auth)
      .send({ key: 'X!', name: '', variants: [{ locale: '!!', subject: '' }] })
      .expect(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^key must be a key/),
        expect.stringMatching(/^variants\.0\.html/),
        expect.stringMatching(/^variants\.0\.locale/),
      ]),
    );
    const nested = await t
      .http()
      .post('/v1/templates')
      .set(t.auth)
      .send({ key: 'nested', name: 'N', variants: [[]] })
      .expect(400);
    expect(nested.body.message).toContain('each value in variants must be an object');
    const dup = await t
      .http()
      .post('/v1/templates')
      .set(t.auth)
      .send({
        key: 'dup',
        name: 'D',
        variants: [
          { locale: 'ro', subject: 'a', html: 'a' },
          { locale: 'RO', subject: 'b', html: 'b' },
        ],
      })
      .expect(400);
    expect(dup.body.message).toEqual(['variants.1.locale ro repeats variants.0']);
    expect((await t.pool.query(`SELECT count(*)::int n FROM templates WHERE key IN ('dup', 'X!')`)).rows[0].n).toBe(0);
    await t
      .http()
      .put('/v1/templates/nope')
      .set(t.auth)
      .send({ name: 'x', variants: [{ locale: 'en', subject: 'a', html: 'a' }] })
      .expect(404);
  });
});
