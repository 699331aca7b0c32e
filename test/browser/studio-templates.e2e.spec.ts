import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';
import { collectPageErrors, hasChromium, horizontalOverflow, launchChromium, PHONE, WIDE } from './studio-browser.js';

const withBrowser = hasChromium ? describe : describe.skip;
// Ceilings for a busy machine, not measures: every wait ends as soon as the element is there.
const SEEN = { timeout: 60_000 };

/** The studio's templates and segments screens (helper T), driven as a marketer would, over a real SMTP sink. */
withBrowser('the studio: templates and segments in a real browser', () => {
  let t: DeliveryTestApp;
  let browser: Browser;
  let base: string;
  const key = () => t.auth.Authorization.replace('Bearer ', '');

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${base}/`);
    await page.fill('#admin-key', key());
    await page.click('.sign-in button[type=submit]');
    await page.locator('#sign-out').waitFor(SEEN);
  }

  /** The screen as it is now, at 1400 px and at 375 px: no horizontal scroll at either. */
  async function checkBothWidths(page: Page, ready: string): Promise<void> {
    for (const viewport of [WIDE, PHONE]) {
      await page.setViewportSize(viewport);
      await page.locator(ready).first().waitFor(SEEN);
      expect({ ready, width: viewport.width, overflow: await horizontalOverflow(page) }).toEqual({
        ready,
        width: viewport.width,
        overflow: 0,
      });
    }
    await page.setViewportSize(WIDE);
  }

  /** The rendered email: the sandboxed srcdoc frame inside the preview frame, once it shows `text`. */
  async function emailFrame(page: Page, text: string): Promise<Frame> {
    const deadline = Date.now() + SEEN.timeout;
    for (;;) {
      for (const frame of page.frames().filter((f) => f.url() === 'about:srcdoc')) {
        const body = await frame.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => '');
        if (body.includes(text)) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no preview frame shows ${text}`);
      await page.waitForTimeout(100);
    }
  }

  const variants = {
    en: { subject: 'Your {{event.properties.course}} lesson', body: 'Hello {{default contact.firstName "friend"}}' },
    ru: { subject: 'Ваш урок {{event.properties.course}}', body: 'Привет, {{default contact.firstName "друг"}}' },
    ro: {
      subject: 'Lecția ta de {{event.properties.course}}',
      body: 'Salut, {{default contact.firstName "prietene"}}',
    },
  };

  async function fillVariant(page: Page, locale: keyof typeof variants, html?: string): Promise<void> {
    const fieldset = page.locator(`fieldset.variant[data-locale="${locale}"]`);
    await fieldset.getByLabel('Subject').fill(variants[locale].subject);
    await fieldset
      .getByLabel('HTML', { exact: true })
      .fill(html ?? `<p style="color:#2557d6;font-size:18px">${variants[locale].body}</p>`);
  }

  async function createTemplate(page: Page, templateKey: string, name: string): Promise<void> {
    await page.goto(`${base}/#/templates`);
    await page.click('#new-template-link');
    await page.locator('#template-form').waitFor(SEEN);
    // Nothing written yet: the preview says what it needs, not an error.
    await page.locator('#preview-incomplete').waitFor(SEEN);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Key', { exact: true }).fill(templateKey);
    await fillVariant(page, 'en');
    await page.getByRole('button', { name: 'Add ru' }).click();
    await fillVariant(page, 'ru');
    await page.getByRole('button', { name: 'Add ro' }).click();
    await fillVariant(page, 'ro');
  }

  it('shows the empty lists with what to do next, at both widths, without a console error', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);
    await page.click('nav >> text=Templates');
    await page.locator('#templates-empty a[href="#/templates?new"]').waitFor(SEEN);
    await checkBothWidths(page, '#templates-empty');
    await page.click('nav >> text=Segments');
    await page.locator('#segments-empty a[href="#/segments?new"]').waitFor(SEEN);
    await checkBothWidths(page, '#segments-empty');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('creates two templates with ru/ro/en variants, previews them by locale and event, sends a test, refuses to delete a used one', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);

    // The first: a broken HTML in the ru variant is refused (422) at that variant's field, nothing saved.
    await createTemplate(page, 'lesson', 'Lesson reminder');
    // The preview renders what is typed, before it is saved: the sample contact's locale is ro.
    await page.locator('#preview-subject:has-text("Lecția ta de Python")').waitFor(SEEN);
    await page.locator('#test-send-unsaved:has-text("Create the template")').waitFor(SEEN);
    await fillVariant(page, 'ru', '<p>{{#if contact.firstName}}Привет</p>');
    // The preview checks as a save would: the broken variant is named there at once.
    await page.locator('#template-preview .notice.error:has-text("variants.1")').waitFor(SEEN);
    await checkBothWidths(page, '#template-form');
    await page.click('#template-form button[type=submit]');
    const ruHtml = page.locator('fieldset.variant[data-locale="ru"]').getByLabel('HTML', { exact: true });
    await page.locator('fieldset.variant[data-locale="ru"] .field-problem:has-text("variants.1")').waitFor(SEEN);
    expect(await ruHtml.getAttribute('aria-invalid')).toBe('true');
    await t.http().get('/v1/templates/lesson').set(t.auth).expect(404);
    await fillVariant(page, 'ru');
    await page.click('#template-form button[type=submit]');

    // Saved: the page of the template, previewed by the API for the sample contact (locale ro) and event.
    await page.waitForURL(/#\/templates\/lesson$/, SEEN);
    await page.locator('#preview-subject:has-text("Lecția ta de Python")').waitFor(SEEN);
    expect(await page.locator('#preview-variant').textContent()).toBe('ro');
    const ro = await emailFrame(page, 'Salut, Ana');
    // The email's inline style applies inside the frame: the studio's CSP does not reach it.
    expect(await ro.evaluate<string>('getComputedStyle(document.querySelector("p")).fontSize')).toBe('18px');
    await page.locator('summary:has-text("Text part")').click();
    expect(await page.locator('#preview-text').textContent()).toContain('Salut, Ana');

    // Another locale, then another event property: the API renders again.
    await page.selectOption('#preview-locale', 'ru');
    await page.locator('#preview-subject:has-text("Ваш урок Python")').waitFor(SEEN);
    await emailFrame(page, 'Привет, Ana');
    await page.fill('#preview-event-properties', '{"course": "Excel"}');
    await page.locator('#preview-subject:has-text("Ваш урок Excel")').waitFor(SEEN);
    await page.fill('#preview-event-properties', '{"course": ');
    await page.locator('#preview-event-properties-problem').waitFor(SEEN);
    await page.fill('#preview-event-properties', '{"course": "Excel"}');

    // A real contact picked by e-mail search renders in its own locale (en).
    await t.post('/v1/contacts', { email: 'ion.real@example.com', firstName: 'Ion', locale: 'en' }).expect(201);
    await page.selectOption('#preview-locale', '');
    await page.fill('#preview-contact-search', 'ion.real');
    await page.getByRole('button', { name: 'Use ion.real@example.com' }).click();
    await page.locator('#preview-subject:has-text("Your Excel lesson")').waitFor(SEEN);
    await emailFrame(page, 'Hello Ion');

    // Phone width: the frame is 375 px wide, the page does not scroll sideways.
    await page.getByRole('button', { name: 'Phone (375 px)' }).click();
    expect(await page.locator('.preview-viewport').getAttribute('data-width')).toBe('375');
    await checkBothWidths(page, '#template-preview');

    // A variable inserted at the cursor (the en HTML's end): the preview shows it at once; a test waits for the save.
    await page.locator('fieldset.variant[data-locale="en"]').getByLabel('HTML', { exact: true }).focus();
    await page.keyboard.press('Control+End');
    await page.getByRole('button', { name: 'Insert sequence.name' }).click();
    expect(
      await page.locator('fieldset.variant[data-locale="en"]').getByLabel('HTML', { exact: true }).inputValue(),
    ).toMatch(/<\/p>\{\{sequence\.name\}\}$/);
    await emailFrame(page, 'Preview');
    await page.locator('#test-send-unsaved:has-text("save first")').waitFor(SEEN);
    await page.click('#template-form button[type=submit]');
    await page.locator('.announcement:has-text("version 2")').waitFor(SEEN);

    // A test send to an address: it arrives at the SMTP server, marked, rendered for the picked contact.
    await page.fill('#test-send-email', 'marketer@school.example');
    await page.getByRole('button', { name: 'Send the test' }).click();
    await page.locator('#test-send-outcome:has-text("Sent to marketer@school.example")').waitFor(SEEN);
    await t.sink.waitForCount(1);
    const [test] = t.sink.to('marketer@school.example');
    expect(test.parsed.subject).toBe('[test] Your Excel lesson');
    expect(String(test.parsed.html)).toContain('Hello Ion');
    expect(t.sink.to('ion.real@example.com')).toEqual([]);

    // The second template, and the list: both with their languages, one used by a sequence.
    await createTemplate(page, 'welcome', 'Welcome');
    await page.click('#template-form button[type=submit]');
    await page.waitForURL(/#\/templates\/welcome$/, SEEN);
    await t
      .post('/v1/sequences', { key: 'school', name: 'School', steps: [{ key: 'a', dayOffset: 0, template: 'lesson' }] })
      .expect(201);
    await page.click('nav >> text=Templates');
    await page.locator('[data-template="welcome"]').waitFor(SEEN);
    expect(await page.locator('[data-template="lesson"] .locales').textContent()).toBe('en, ru, ro');
    expect(await page.locator('[data-template="welcome"] .locales').textContent()).toBe('en, ru, ro');
    expect(await page.locator('[data-template="lesson"] .used-by').textContent()).toBe('school');
    await checkBothWidths(page, '#templates');

    // Deleting the used one: the confirmation, then the 409 naming the sequence; nothing deleted.
    await page.click('[data-template="lesson"] a');
    await page.click('#delete-template');
    await page.locator('dialog.confirm button.danger').click();
    await page.locator('.notice.error:has-text("used by sequence school")').waitFor(SEEN);
    await t.http().get('/v1/templates/lesson').set(t.auth).expect(200);
    await page.close();
    expect(errors.filter((error) => !/\b(409|422)\b/.test(error))).toEqual([]);
  });

  it('builds a segment with a nested rule, counting its members live before and after saving', async () => {
    await t
      .http()
      .post('/v1/contacts/import')
      .set(t.auth)
      .send([
        { email: 'a@example.com', locale: 'ro', attributes: { plan: 'free', visits: 1 } },
        { email: 'b@example.com', locale: 'ru', attributes: { plan: 'pro', visits: 9 } },
        { email: 'c@example.com', locale: 'en', attributes: { plan: 'free', visits: 9 } },
        { email: 'd@example.com', locale: 'ru', attributes: { plan: 'pro', visits: 2 } },
      ])
      .expect(200);
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);
    await page.goto(`${base}/#/segments`);
    await page.click('#new-segment-link');
    await page.locator('#segment-form').waitFor(SEEN);
    await page.getByLabel('Name', { exact: true }).fill('Engaged speakers');
    await page.getByLabel('Key', { exact: true }).fill('engaged');

    // locale is one of ro, ru — AND (plan is free OR visits at least 7)
    const condition = (n: number) => page.locator('.condition').nth(n);
    await condition(0).getByLabel('Operator').selectOption('in');
    await condition(0).getByLabel('Values, one per line').fill('ro\nru');
    await page.locator('#segment-count[data-total="3"]').waitFor(SEEN);
    await page.locator('fieldset.depth-0 > .group-buttons').getByRole('button', { name: 'Add a group' }).click();
    await condition(1).getByLabel('Field').selectOption('attribute');
    await condition(1).getByLabel('Attribute name').fill('plan');
    await condition(1).getByLabel('Value', { exact: true }).fill('free');
    await page.locator('fieldset.depth-1 > .group-buttons').getByRole('button', { name: 'Add a condition' }).click();
    await condition(2).getByLabel('Field').selectOption('attribute');
    await condition(2).getByLabel('Attribute name').fill('visits');
    await condition(2).getByLabel('Operator').selectOption('gte');
    await condition(2).getByLabel('Value type').selectOption('number');
    await condition(2).getByLabel('Value', { exact: true }).fill('7');
    expect(await page.locator('fieldset.depth-1 > legend select').inputValue()).toBe('any');
    await page.locator('#segment-count[data-total="2"]').waitFor(SEEN);
    expect((await page.locator('#segment-sample .member-email').allTextContents()).sort()).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
    // An incomplete condition: the API's problem at it, no count.
    await condition(2).getByLabel('Attribute name').fill('');
    await page.locator('.condition .field-problem:has-text("rule.all.1.any.1.field")').waitFor(SEEN);
    await condition(2).getByLabel('Attribute name').fill('visits');
    await page.locator('#segment-count[data-total="2"]').waitFor(SEEN);
    await checkBothWidths(page, '#segment-form');

    await page.click('#segment-form button[type=submit]');
    await page.waitForURL(/#\/segments\/engaged$/, SEEN);
    await page.locator('#segment-count[data-total="2"]').waitFor(SEEN);
    const saved = (await t.http().get('/v1/segments/engaged').set(t.auth).expect(200)).body;
    expect(saved.rule).toEqual({
      all: [
        { field: 'locale', op: 'in', value: ['ro', 'ru'] },
        {
          any: [
            { field: 'attributes.plan', op: 'eq', value: 'free' },
            { field: 'attributes.visits', op: 'gte', value: 7 },
          ],
        },
      ],
    });
    // The saved rule reads back into the builder as it was built.
    expect(await condition(2).getByLabel('Value type').inputValue()).toBe('number');
    await page.click('nav >> text=Segments');
    await page.locator('[data-segment="engaged"] .members:has-text("2")').waitFor(SEEN);
    await checkBothWidths(page, '#segments');

    // Used as a sequence's audience: deleting it says by whom.
    await t
      .post('/v1/sequences', {
        key: 'engaged-only',
        name: 'Engaged',
        audienceSegment: 'engaged',
        steps: [{ key: 'a', dayOffset: 0, template: 'welcome' }],
      })
      .expect(201);
    await page.click('[data-segment="engaged"] a');
    await page.click('#delete-segment');
    await page.locator('dialog.confirm button.danger').click();
    await page.locator('.notice.error:has-text("engaged-only")').waitFor(SEEN);
    await page.close();
    expect(errors.filter((error) => !/\b(400|409)\b/.test(error))).toEqual([]);
  });

  it('loads every one of these screens at 1400 px and 375 px without a console error or a sideways scroll', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);
    // In English, then in Russian and Romanian (longer words: the phone width must still hold them).
    for (const language of ['en', 'ru', 'ro']) {
      await page.selectOption('.language select', language);
      for (const [route, ready] of [
        ['#/templates', '#templates'],
        ['#/templates?new', '#template-form'],
        ['#/templates/lesson', '#preview-subject'],
        ['#/templates/nothing-here', '.notice.error'],
        ['#/segments', '#segments'],
        ['#/segments?new', '#segment-count'],
        ['#/segments/engaged', '#segment-count'],
      ]) {
        await page.goto(`${base}/${route}`);
        await checkBothWidths(page, ready);
      }
    }
    expect(await page.locator('h1').first().textContent()).toBe('Engaged speakers');
    expect(await page.locator('#segment-count').textContent()).toBe('2 contacte corespund acum');
    await page.close();
    // The unknown template's 404 is the one failed resource the console shows.
    expect(errors.filter((error) => !error.includes('404'))).toEqual([]);
  });
});
