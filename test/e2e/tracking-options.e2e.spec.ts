import { DomUtils, parseDocument } from 'htmlparser2';
import type { ReceivedMessage } from '../support/smtp-sink.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * A sequence's `tracking: { opens, clicks }` (API.md v1.1), checked on what the SMTP server received: without
 * opens no tracking image, without clicks every link as written; mailto:, tel:, in-page anchors and the
 * unsubscribe link are never rewritten; an omitted choice follows the server's TRACK_OPENS / TRACK_CLICKS.
 */
const WEB = 'https://school.example/start?lang=ro&utm_source=touchpoint';
const HTML =
  `<p><a href="${WEB.replace('&', '&amp;')}">Start</a> <a href="mailto:help@school.example">Mail</a> ` +
  '<a href="tel:+37322000000">Call</a> <a href="#details">Details</a></p><p id="details">More.</p>';

const hrefs = (message: ReceivedMessage) =>
  DomUtils.findAll((element) => element.name === 'a', parseDocument(String(message.parsed.html)).children).map(
    (a) => a.attribs.href,
  );
const images = (message: ReceivedMessage) =>
  DomUtils.findAll((element) => element.name === 'img', parseDocument(String(message.parsed.html)).children).map(
    (img) => img.attribs.src,
  );
const unsubscribeHeader = (message: ReceivedMessage) =>
  /^List-Unsubscribe:\s*<([^>]+)>/m.exec(message.raw.toString().replace(/\r?\n(?=[ \t])/g, ''))![1];

/** Creates the template and one active sequence per tracking choice, each started by its own event. */
async function setUp(t: DeliveryTestApp, sequences: Record<string, object | undefined>) {
  await t
    .post('/v1/templates', { key: 'mail', name: 'Mail', variants: [{ locale: 'en', subject: 'Hello', html: HTML }] })
    .expect(201);
  for (const [key, tracking] of Object.entries(sequences)) {
    await t
      .post('/v1/sequences', {
        key,
        name: key,
        triggerEvent: `${key}_joined`,
        steps: [{ key: 'day0', dayOffset: 0, template: 'mail' }],
        ...(tracking ? { tracking } : {}),
      })
      .expect(201);
    await t.post(`/v1/sequences/${key}/activate`, {}).expect(200);
  }
}

/** One email of each named sequence, sent by one pass; returns them by sequence key. */
async function sendEach(t: DeliveryTestApp, keys: string[]): Promise<Record<string, ReceivedMessage>> {
  for (const key of keys) {
    await t
      .post('/v1/events', { email: `${key}@example.md`, name: `${key}_joined`, occurredAt: '2026-11-24T09:00:00Z' })
      .expect(202);
  }
  const pass = await t.post('/v1/scheduler/run', { now: '2026-11-24T09:30:00Z' }).expect(200);
  expect(pass.body.sent).toBe(keys.length);
  await t.sink.waitForCount(keys.length);
  return Object.fromEntries(keys.map((key) => [key, t.sink.to(`${key}@example.md`)[0]]));
}

/** The links that must stay as written whatever the tracking, and the one unsubscribe link of the footer. */
function expectUntouchedLinks(message: ReceivedMessage) {
  const links = hrefs(message);
  expect(links).toEqual(expect.arrayContaining(['mailto:help@school.example', 'tel:+37322000000', '#details']));
  const unsubscribe = unsubscribeHeader(message);
  expect(unsubscribe).toMatch(/^http:\/\/touchpoint\.test\/u\//);
  expect(links.filter((href) => href.startsWith('http://touchpoint.test/u/'))).toEqual([unsubscribe]);
}

describe('tracking options, on the server defaults (TRACK_OPENS and TRACK_CLICKS unset: both on)', () => {
  let t: DeliveryTestApp;
  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await setUp(t, {
      defaults: undefined,
      none: { opens: false, clicks: false },
      'clicks-only': { opens: false },
      'opens-only': { clicks: false },
    });
  });
  afterAll(() => t.close());

  it('stores each choice and GET shows the tracking in effect', async () => {
    const tracking = async (key: string) =>
      (await t.http().get(`/v1/sequences/${key}`).set(t.auth).expect(200)).body.tracking;
    expect(await tracking('defaults')).toEqual({ opens: true, clicks: true });
    expect(await tracking('none')).toEqual({ opens: false, clicks: false });
    expect(await tracking('clicks-only')).toEqual({ opens: false, clicks: true });
    expect(await tracking('opens-only')).toEqual({ opens: true, clicks: false });
  });

  it('sends what each choice says, and never rewrites mailto:, tel:, in-page anchors or the unsubscribe link', async () => {
    const mail = await sendEach(t, ['defaults', 'none', 'clicks-only', 'opens-only']);
    const pixel = /^http:\/\/touchpoint\.test\/t\/o\//;
    const click = /^http:\/\/touchpoint\.test\/t\/c\//;

    expect(images(mail.defaults)).toEqual([expect.stringMatching(pixel)]);
    expect(hrefs(mail.defaults).filter((href) => click.test(href))).toHaveLength(1);
    expect(hrefs(mail.defaults)).not.toContain(WEB);
    const redirect = await t.http().get(new URL(hrefs(mail.defaults).find((href) => click.test(href))!).pathname);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(WEB);

    expect(images(mail.none)).toEqual([]);
    expect(String(mail.none.parsed.html)).not.toMatch(/\/t\/[oc]\//);
    expect(hrefs(mail.none)).toContain(WEB);

    expect(images(mail['clicks-only'])).toEqual([]);
    expect(hrefs(mail['clicks-only']).filter((href) => click.test(href))).toHaveLength(1);

    expect(images(mail['opens-only'])).toEqual([expect.stringMatching(pixel)]);
    expect(hrefs(mail['opens-only'])).toContain(WEB);
    expect(hrefs(mail['opens-only']).some((href) => click.test(href))).toBe(false);

    for (const message of Object.values(mail)) expectUntouchedLinks(message);
  });

  it('PUT replaces the choice (an omitted field goes back to the default) and refuses a non-boolean, naming it', async () => {
    const put = (body: object) =>
      t
        .http()
        .put('/v1/sequences/none')
        .set(t.auth)
        .send({ name: 'none', steps: [{ key: 'day0', dayOffset: 0, template: 'mail' }], ...body });
    expect((await put({ tracking: { opens: false } }).expect(200)).body.tracking).toEqual({
      opens: false,
      clicks: true,
    });
    const refused = await put({ tracking: { opens: 'yes', clicks: 1 } }).expect(400);
    expect(refused.body.message).toEqual(
      expect.arrayContaining([
        expect.stringContaining('tracking.opens must be a boolean'),
        expect.stringContaining('tracking.clicks must be a boolean'),
      ]),
    );
    expect((await t.http().get('/v1/sequences/none').set(t.auth).expect(200)).body.tracking).toEqual({
      opens: false,
      clicks: true,
    });
  });
});

describe('tracking options, with TRACK_OPENS=false and TRACK_CLICKS=false', () => {
  let t: DeliveryTestApp;
  beforeAll(async () => {
    t = await startDeliveryTestApp({ TRACK_OPENS: 'false', TRACK_CLICKS: 'false' });
    await setUp(t, { quiet: undefined, tracked: { opens: true, clicks: true } });
  });
  afterAll(() => t.close());

  it('a sequence that does not choose follows the server; one that does keeps its choice', async () => {
    expect((await t.http().get('/v1/sequences/quiet').set(t.auth).expect(200)).body.tracking).toEqual({
      opens: false,
      clicks: false,
    });
    const mail = await sendEach(t, ['quiet', 'tracked']);
    expect(images(mail.quiet)).toEqual([]);
    expect(hrefs(mail.quiet)).toContain(WEB);
    expect(images(mail.tracked)).toHaveLength(1);
    expect(hrefs(mail.tracked)).not.toContain(WEB);
    for (const message of Object.values(mail)) expectUntouchedLinks(message);
  });
});
