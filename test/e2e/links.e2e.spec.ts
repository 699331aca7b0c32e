import { DomUtils, parseDocument } from 'htmlparser2';
import { pass } from '../support/pass.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * Links as the reader sees them (API.md v1.1): whether typed in the HTML, produced by a variable or by the
 * shipped `button` partial, a click on the received email redirects to exactly the URL the email shows.
 * And templates whose cost is bounded: a render over budget fails that one delivery (and its preview says so).
 */
describe('links and bounded templates, over a real SMTP server', () => {
  let t: DeliveryTestApp;
  const post = (path: string, body: unknown) =>
    t
      .http()
      .post(path)
      .set(t.auth)
      .send(body as object);

  const UTM = 'https://school.example/start?lang=ro&utm_source=touchpoint&utm_campaign=day0';
  const FROM_VARIABLE = 'https://school.example/course?id=7&ref=mail&note=a+b';
  const LITERAL = 'https://school.example/literal?a=1&b=2';
  const LONG = `https://school.example/long?${'x'.repeat(3_900)}&end=1`; // over 3,000: a dead link before
  const TOO_LONG_FROM_VARIABLE = `https://school.example/huge?${'y'.repeat(6_000)}`;

  /** The `<a href>` targets of the received HTML, read by htmlparser2's DOM (entities decoded). */
  const hrefs = (html: string) =>
    DomUtils.findAll((element) => element.name === 'a', parseDocument(html).children).map((a) => a.attribs.href);

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await post('/v1/templates', {
      key: 'links',
      name: 'Links',
      variants: [
        {
          locale: 'ro',
          subject: 'Ziua 0',
          html:
            `{{> button url="${UTM}" label="Începe"}}` +
            '<p><a href="{{contact.attributes.course}}">Cursul tău</a> ' +
            `<a href='${LITERAL.replace('&', '&amp;')}'>Literal</a> <a href="${LONG}">Long</a> ` +
            '<a href="mailto:help@school.example">Help</a> <a href="#top">Top</a> ' +
            '{{#if contact.attributes.huge}}<a href="{{contact.attributes.huge}}">Huge</a>{{/if}}</p>',
        },
      ],
    }).expect(201);
    await post('/v1/templates', {
      key: 'grows',
      name: 'Grows with the data',
      variants: [
        {
          locale: 'en',
          subject: 'Hi',
          html: '<p>Hi</p>{{#each contact.attributes.a}}{{#each @root.contact.attributes.a}}x{{/each}}{{/each}}',
        },
      ],
    }).expect(201);
    for (const key of ['links', 'grows']) {
      await post('/v1/sequences', {
        key,
        name: key,
        triggerEvent: `${key}_signup`,
        steps: [{ key: 'day0', dayOffset: 0, template: key }],
      }).expect(201);
      await post(`/v1/sequences/${key}/activate`, {}).expect(200);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('redirects every tracked link to exactly the URL the received email shows, however it was written', async () => {
    for (const [email, huge] of [
      ['ion@example.md', undefined],
      ['ana@example.md', TOO_LONG_FROM_VARIABLE],
    ] as const) {
      await post('/v1/events', {
        email,
        name: 'links_signup',
        occurredAt: '2026-11-24T09:00:00Z',
        contact: { locale: 'ro', attributes: { course: FROM_VARIABLE, ...(huge ? { huge } : {}) } },
      }).expect(202);
    }
    expect(await pass(t, '2026-11-24T10:00:00Z')).toMatchObject({ sent: 2 });

    const ion = hrefs(String(t.sink.to('ion@example.md')[0].parsed.html));
    const tracked = ion.filter((href) => href.startsWith('http://touchpoint.test/t/c/'));
    expect(tracked).toHaveLength(4);
    const targets: string[] = [];
    for (const link of tracked) {
      const click = await t.http().get(new URL(link).pathname).expect(302);
      targets.push(click.headers.location);
    }
    expect(targets).toEqual([UTM, FROM_VARIABLE, LITERAL, LONG]);
    // Left as written: mail, in-page anchors and the unsubscribe link (which is not a click).
    expect(ion).toEqual(expect.arrayContaining(['mailto:help@school.example', '#top']));
    expect(ion.filter((href) => href.startsWith('http://touchpoint.test/u/'))).toHaveLength(1);

    // A link a variable makes too long for a token arrives untracked, and so still works.
    const ana = hrefs(String(t.sink.to('ana@example.md')[0].parsed.html));
    expect(ana).toContain(TOO_LONG_FROM_VARIABLE);
    expect(ana.filter((href) => href.startsWith('http://touchpoint.test/t/c/'))).toHaveLength(4);
  });

  it('refuses, when the template is saved, a link too long to be tracked, naming it', async () => {
    const tooLong = `https://school.example/x?${'z'.repeat(5_000)}`;
    for (const html of [`<a href="${tooLong}">x</a>`, `{{> button url="${tooLong}" label="x"}}`]) {
      const response = await post('/v1/templates', {
        key: 'too-long',
        name: 'Too long',
        variants: [{ locale: 'en', subject: 'x', html }],
      }).expect(422);
      expect(response.body.message).toEqual([
        expect.stringMatching(
          /^variants\.0\.html: the link https:\/\/school\.example\/x\?z+… is 5,025 characters long/,
        ),
      ]);
    }
    expect((await t.pool.query(`SELECT count(*)::int n FROM templates WHERE key = 'too-long'`)).rows[0].n).toBe(0);
  });

  it('answers a preview whose rendering grows without bound with a 422 naming the problem', async () => {
    const a = Array.from({ length: 7_000 }, () => 1);
    const response = await post('/v1/templates/grows/preview', { contact: { attributes: { a } } }).expect(422);
    expect(response.body.message).toEqual([
      expect.stringContaining('variants.0: rendering stopped after 100,000 steps'),
    ]);
    await post('/v1/templates/grows/preview', { contact: { attributes: { a: [1, 2] } } }).expect(200);
  });

  it('fails that one delivery with the reason, and sends the other contact’s email of the same pass', async () => {
    const a = Array.from({ length: 7_000 }, () => 1);
    for (const [email, list] of [
      ['big@example.com', a],
      ['small@example.com', [1, 2, 3]],
    ] as const) {
      await post('/v1/events', {
        email,
        name: 'grows_signup',
        occurredAt: '2026-11-25T09:00:00Z',
        contact: { locale: 'en', attributes: { a: list } },
      }).expect(202);
    }
    expect(await pass(t, '2026-11-25T10:00:00Z')).toMatchObject({ sent: 1 });
    expect(t.sink.to('small@example.com')).toHaveLength(1);
    expect(t.sink.to('big@example.com')).toHaveLength(0);
    const failed = await t.http().get('/v1/deliveries?status=failed').set(t.auth).expect(200);
    expect(failed.body.items).toEqual([
      expect.objectContaining({
        email: 'big@example.com',
        reason: expect.stringContaining('rendering stopped after 100,000 steps'),
      }),
    ]);
  });

  it('refuses the log helper and oversized parts when a template is saved, naming the field', async () => {
    const log = await post('/v1/templates', {
      key: 'logs',
      name: 'Logs',
      variants: [{ locale: 'en', subject: 'x', html: '<p>{{log contact.email}}</p>' }],
    }).expect(422);
    expect(log.body.message).toEqual(['variants.0.html: the log helper is not available in templates']);
    const big = await post('/v1/templates', {
      key: 'big',
      name: 'Big',
      variants: [{ locale: 'en', subject: 'x', html: `<p>${'a'.repeat(262_145)}</p>` }],
    }).expect(400);
    expect(big.body.message).toEqual([
      expect.stringContaining('variants.0.html must be shorter than or equal to 262144'),
    ]);
  });
});
