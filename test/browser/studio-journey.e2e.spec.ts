/// <reference lib="dom" />
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';
import { collectPageErrors, csvRows, hasChromium, launchChromium, signInToStudio, WIDE } from './studio-browser.js';

const withBrowser = hasChromium ? describe : describe.skip;
// Ceilings for a busy machine, not measures: every wait ends as soon as the element is there.
const SEEN = { timeout: 60_000 };

/** What each template says in each language: the subject tells which template and which language arrived. */
const TEMPLATES = {
  welcome: {
    name: 'Welcome',
    en: ['Welcome, {{default contact.firstName "friend"}}', 'Welcome'],
    ru: ['Добро пожаловать, {{default contact.firstName "друг"}}', 'Добро пожаловать'],
    ro: ['Bun venit, {{default contact.firstName "prietene"}}', 'Bun venit'],
  },
  lesson: {
    name: 'First lesson',
    en: ['Your first lesson', 'Your first lesson'],
    ru: ['Ваш первый урок', 'Ваш первый урок'],
    ro: ['Prima ta lecție', 'Prima ta lecție'],
  },
} as const;
type TemplateKey = keyof typeof TEMPLATES;
type Locale = 'en' | 'ru' | 'ro';

/** The people who join: a locale and a time zone each; vera's mail server refuses her first email. */
const PEOPLE = [
  { email: 'ana@example.com', firstName: 'Ana', locale: 'ru', timezone: 'Europe/Moscow' },
  { email: 'ion@example.md', firstName: 'Ion', locale: 'ro', timezone: 'Europe/Chisinau' },
  { email: 'john@example.com', firstName: 'John', locale: 'en', timezone: 'America/New_York' },
  { email: 'vera@example.md', firstName: 'Vera', locale: 'ro', timezone: 'Europe/Chisinau' },
] as const;

/**
 * The marketer's path from nothing (issue 16, "Done when"), through the studio's screens only: sign in, two
 * templates in ru/ro/en, a sequence with a 4-step calendar (an A/B step with weights) and a send window, activated
 * after the dialog says what happens. Contacts join through the API and the test clock runs scheduler passes (the
 * issue's "through the API"); then the studio shows their deliveries with the variant, a contact's calendar in their
 * time and the funnel moving after a later pass. Then the ops path: the log filtered, exported as CSV, a failed email
 * resent and seen sent. No console error anywhere.
 */
withBrowser('the studio: the marketer’s path from nothing, in a real browser', () => {
  let t: DeliveryTestApp;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  // Monday 10:00 UTC: 05:00 in New York, before the 09:00–20:00 window; inside it in Moscow and Chișinău.
  const T0 = new Date('2026-11-23T10:00:00Z');
  const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();
  /** Addresses the SMTP server refuses (5.7.1, a policy refusal: the row fails, the contact stays active). */
  const refused = new Set<string>(['vera@example.md']);

  beforeAll(async () => {
    t = await startDeliveryTestApp({ SMTP_MAX_ATTEMPTS: '1' });
    t.sink.respondWith(({ to }) =>
      to.some((address) => refused.has(address))
        ? { code: 550, message: '5.7.1 Message refused by policy' }
        : undefined,
    );
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    // The marketer is in Chișinău: the contacts' times are shown on their clock and on this one.
    context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Chisinau', viewport: WIDE });
    // Clicks and fills wait for their element too: the same ceiling as every other wait, not Playwright's 30 s.
    context.setDefaultTimeout(SEEN.timeout);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function createTemplate(page: Page, key: TemplateKey): Promise<void> {
    const template = TEMPLATES[key];
    await page.getByRole('navigation').getByRole('link', { name: 'Templates' }).click();
    await page.locator('#new-template-link, #templates-empty a[href="#/templates?new"]').first().click();
    const form = page.locator('#template-form');
    await form.waitFor(SEEN);
    await form.getByLabel('Name', { exact: true }).fill(template.name);
    await form.getByLabel('Key', { exact: true }).fill(key);
    for (const locale of ['en', 'ru', 'ro'] as const) {
      if (locale !== 'en') await form.getByRole('button', { name: `Add ${locale}` }).click();
      const variant = form.locator(`fieldset.variant[data-locale="${locale}"]`);
      await variant.getByLabel('Subject').fill(template[locale][0]);
      await variant
        .getByLabel('HTML', { exact: true })
        .fill(`<p>${template[locale][1]}: <a href="https://school.example/">school</a></p>`);
    }
    await form.getByRole('button', { name: /^Create/ }).click();
    await page.waitForURL(new RegExp(`#/templates/${key}$`), SEEN);
  }

  /** The step's fieldset in the calendar editor, by its legend ("Step 2: tips"). */
  const stepGroup = (editor: Locator, n: number) => editor.getByRole('group', { name: new RegExp(`^Step ${n}:`) });

  async function addStep(
    editor: Locator,
    n: number,
    step: { key: string; day: string; at?: string; template: string },
  ) {
    await editor.getByRole('button', { name: 'Add a step' }).click();
    const group = stepGroup(editor, n);
    await group.getByLabel('Key', { exact: true }).fill(step.key);
    await group.getByLabel('Day', { exact: true }).fill(step.day);
    if (step.at) await group.getByLabel(/^Time/).fill(step.at);
    await group.getByLabel('Template', { exact: true }).selectOption(step.template);
  }

  /** The sequence page's funnel, as shown: sent per step. */
  async function shownSent(page: Page): Promise<Record<string, string>> {
    const entries = await page
      .locator('.funnel-step')
      .evaluateAll((cards) =>
        cards.map((card) => [card.getAttribute('data-step'), card.querySelector('.value.sent')?.textContent ?? '']),
      );
    return Object.fromEntries(entries);
  }

  async function apiSent(): Promise<Record<string, string>> {
    const funnel = (await t.http().get('/v1/sequences/course/funnel').set(t.auth).expect(200)).body;
    return Object.fromEntries(funnel.steps.map((step: { key: string; sent: number }) => [step.key, String(step.sent)]));
  }

  const rowOf = (page: Page, email: string) => page.locator(`#deliveries tr[data-email="${email}"]`);

  it('builds, launches and watches a calendar, then filters, exports and resends in the delivery log', async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const dialog = page.locator('dialog.confirm');

    // Sign in; nothing exists yet.
    await signInToStudio(page, base, t.auth.Authorization.replace('Bearer ', ''));
    await page.locator('#sequences-empty').waitFor(SEEN);

    // Two templates, each with an en, a ru and a ro variant.
    await createTemplate(page, 'welcome');
    await createTemplate(page, 'lesson');
    await page.getByRole('navigation').getByRole('link', { name: 'Templates' }).click();
    await page.locator('[data-template="lesson"]').waitFor(SEEN);
    expect(await page.locator('[data-template="welcome"] .locales').textContent()).toBe('en, ru, ro');
    expect(await page.locator('[data-template="lesson"] .locales').textContent()).toBe('en, ru, ro');

    // A new sequence: a draft with one email on day 0, opened in the calendar editor.
    await page.getByRole('navigation').getByRole('link', { name: 'Sequences' }).click();
    await page.locator('#sequences-empty a[href="#/new"]').click();
    const form = page.locator('#new-sequence');
    await form.waitFor(SEEN);
    await form.getByLabel('Name', { exact: true }).fill('Python course');
    await form.getByLabel('Key', { exact: true }).fill('course');
    await form.getByLabel('Trigger event', { exact: true }).fill('joined');
    await form.getByLabel('Conversion event', { exact: true }).fill('bought');
    await form.getByLabel('Template of the first email (day 0)').selectOption('welcome');
    await form.getByRole('button', { name: 'Create the draft' }).click();

    // The calendar: day 0 an A/B test (welcome 3 : lesson 1), then day 1 at 10:00, day 3 and day 7.
    const editor = page.locator('#calendar-editor');
    await editor.waitFor(SEEN);
    const welcome = stepGroup(editor, 1);
    await welcome.getByRole('button', { name: 'Make it an A/B test' }).click();
    const variants = welcome.locator('.variant-row');
    await variants.nth(1).waitFor(SEEN);
    await variants.nth(0).getByLabel('Template', { exact: true }).selectOption('welcome');
    await variants.nth(1).getByLabel('Template', { exact: true }).selectOption('lesson');
    await variants
      .nth(0)
      .getByLabel(/^Weight/)
      .fill('3');
    await welcome.getByLabel('Weight (share 75%)').waitFor(SEEN);
    await addStep(editor, 2, { key: 'tips', day: '1', at: '10:00', template: 'lesson' });
    await addStep(editor, 3, { key: 'offer', day: '3', template: 'welcome' });
    await addStep(editor, 4, { key: 'last-call', day: '7', template: 'lesson' });
    // From the keyboard: a click at the end of a long scrolled form can land beside a button that moved (see the
    // A/B test in studio.e2e.spec.ts).
    await editor.getByRole('button', { name: 'Save calendar' }).press('Enter');
    await page.locator('.announcement:has-text("calendar is saved")').waitFor(SEEN);
    expect(await page.locator('.calendar-day .day-label').allTextContents()).toEqual([
      'Day 0',
      'Day 1',
      'Day 3',
      'Day 7',
    ]);
    expect(await page.locator('.step-card[data-step="welcome"] [data-variant]').allTextContents()).toEqual([
      'a: welcome, 75%',
      'b: lesson, 25%',
    ]);

    // The send window: 09:00–20:00 on the contact's clock, every day.
    await page.getByRole('button', { name: 'Edit settings' }).click();
    const settings = page.locator('#settings-editor');
    await settings.waitFor(SEEN);
    await settings.getByLabel('Send only within a window').check();
    await settings.getByLabel('From (HH:mm)').fill('09:00');
    await settings.getByLabel('To (HH:mm)').fill('20:00');
    await settings.getByRole('button', { name: 'Save settings' }).press('Enter');
    await page.locator('.announcement:has-text("settings are saved")').waitFor(SEEN);
    await page.locator('[data-setting="window"]').waitFor(SEEN);
    expect(await page.locator('[data-setting="window"] dd').textContent()).toMatch(/^09:00–20:00/);

    // Activate: the dialog says who enters from now on before anything changes.
    await page.getByRole('button', { name: 'Activate' }).click();
    await dialog.waitFor(SEEN);
    expect(await dialog.textContent()).toContain('contacts who send the event “joined” enter');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await page.locator('.announcement:has-text("now active")').waitFor(SEEN);

    const saved = (await t.http().get('/v1/sequences/course').set(t.auth).expect(200)).body;
    expect(saved).toMatchObject({
      status: 'active',
      triggerEvent: 'joined',
      conversionEvent: 'bought',
      sendWindow: { from: '09:00', to: '20:00', days: [1, 2, 3, 4, 5, 6, 7] },
    });
    expect(
      saved.steps.map((s: { key: string; dayOffset: number; at?: string; template?: string }) => [
        s.key,
        s.dayOffset,
        s.at ?? null,
      ]),
    ).toEqual([
      ['welcome', 0, null],
      ['tips', 1, '10:00'],
      ['offer', 3, null],
      ['last-call', 7, null],
    ]);
    expect(saved.steps[0].variants).toEqual([
      { key: 'a', template: 'welcome', weight: 3 },
      { key: 'b', template: 'lesson', weight: 1 },
    ]);

    // Through the API, as the issue allows: four people join at T0, and a scheduler pass a minute later.
    for (const person of PEOPLE) {
      await t.post('/v1/contacts', person).expect(201);
      await t.post('/v1/events', { email: person.email, name: 'joined', occurredAt: at(0) }).expect(202);
    }
    expect((await t.post('/v1/scheduler/run', { now: at(1) }).expect(200)).body).toMatchObject({
      sent: 2,
      failed: 1,
    });

    // The delivery log: Ana's and Ion's emails sent with their variant, Vera's refused, John's deferred to his window.
    await page.getByRole('navigation').getByRole('link', { name: 'Delivery log' }).click();
    await rowOf(page, 'vera@example.md').waitFor(SEEN);
    const deliveries = (await t.http().get('/v1/deliveries').set(t.auth).expect(200)).body.items as Array<{
      email: string;
      variant: string | null;
      status: string;
    }>;
    expect(deliveries.map((d) => [d.email, d.status]).sort()).toEqual([
      ['ana@example.com', 'sent'],
      ['ion@example.md', 'sent'],
      ['john@example.com', 'deferred'],
      ['vera@example.md', 'failed'],
    ]);
    for (const delivery of deliveries) {
      const row = rowOf(page, delivery.email);
      expect(await row.getAttribute('data-status')).toBe(delivery.status);
      expect(await row.getByRole('cell').first().textContent()).toBe(
        `course · welcome${delivery.variant ? ` (${delivery.variant})` : ''}`,
      );
      if (delivery.status === 'sent') {
        // What arrived is the variant's template in the contact's language.
        const person = PEOPLE.find((p) => p.email === delivery.email)!;
        const template: TemplateKey = delivery.variant === 'a' ? 'welcome' : 'lesson';
        const [mail] = t.sink.to(delivery.email);
        expect(mail.parsed.subject).toBe(
          TEMPLATES[template][person.locale as Locale][0].replace(
            /\{\{default contact.firstName "[^"]+"\}\}/,
            person.firstName,
          ),
        );
      }
    }

    // John's page: his calendar on his clock (the window moved day 0 to 09:00 in New York) and the marketer's.
    await page.getByRole('navigation').getByRole('link', { name: 'Contacts' }).click();
    await page.getByLabel('Search by e-mail or name').fill('john');
    await page.getByRole('link', { name: 'john@example.com' }).click();
    const calendar = page.locator('[data-calendar="course"]');
    await calendar.waitFor(SEEN);
    expect(await calendar.locator('tr[data-step="welcome"] .their-time').textContent()).toContain(
      '23 Nov 2026, 09:00 GMT-5',
    );
    expect(await calendar.locator('tr[data-step="welcome"] .your-time').textContent()).toContain(
      '23 Nov 2026, 16:00 EET',
    );
    expect(await calendar.locator('tr[data-step="tips"] .their-time').textContent()).toContain(
      '24 Nov 2026, 10:00 GMT-5',
    );
    expect(
      await calendar.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step'))),
    ).toEqual(['welcome', 'tips', 'offer', 'last-call']);

    // The funnel before and after a later pass (14:01 UTC: 09:01 in New York, John's window is open).
    await page.getByRole('navigation').getByRole('link', { name: 'Sequences' }).click();
    await page.locator('[data-sequence="course"] a').click();
    await page.locator('.funnel-step[data-step="welcome"]').waitFor(SEEN);
    const before = await apiSent();
    expect(before.welcome).toBe('2');
    expect(await shownSent(page)).toEqual(before);
    expect((await t.post('/v1/scheduler/run', { now: at(4 * 60 + 1) }).expect(200)).body).toMatchObject({ sent: 1 });
    const after = await apiSent();
    expect(after.welcome).toBe('3');
    await page.reload();
    await page.locator('.funnel-step[data-step="welcome"] .value.sent:text-is("3")').waitFor(SEEN);
    expect(await shownSent(page)).toEqual(after);
    // The funnel page: the A/B step's variants with what each sent, as the API counts them.
    await page.getByRole('navigation').getByRole('link', { name: 'Funnel' }).click();
    await page.getByLabel('Sequence', { exact: true }).selectOption('course');
    const chart = page.locator('.variant-chart[data-step="welcome"]');
    await chart.waitFor(SEEN);
    const funnel = (await t.http().get('/v1/sequences/course/funnel').set(t.auth).expect(200)).body;
    const perVariant = funnel.steps[0].variants.map((v: { key: string; sent: number }) => `${v.key}: ${v.sent} sent`);
    expect(perVariant).toHaveLength(2);
    expect(await chart.locator('[data-variant] .label').allTextContents()).toEqual(perVariant);

    // The ops path: the log filtered to the failed emails, exported as CSV, Vera's resent.
    await page.getByRole('navigation').getByRole('link', { name: 'Delivery log' }).click();
    // John's deferred email went out in his window, in English.
    await page.locator('#deliveries tr[data-email="john@example.com"][data-status="sent"]').waitFor(SEEN);
    expect(t.sink.to('john@example.com').map((mail) => mail.parsed.subject)).toEqual([
      expect.stringMatching(/^(Welcome, John|Your first lesson)$/),
    ]);
    await page.getByLabel('Sequence', { exact: true }).selectOption('course');
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.waitForFunction(() => document.querySelectorAll('#deliveries tbody tr').length === 1, null, SEEN);
    await rowOf(page, 'vera@example.md').waitFor(SEEN);
    expect(await rowOf(page, 'vera@example.md').textContent()).toContain('5.7.1');

    const [download] = await Promise.all([
      page.waitForEvent('download', SEEN),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = await csvRows(download);
    expect(csv[0].slice(0, 7)).toEqual(['id', 'contactId', 'email', 'sequence', 'step', 'variant', 'status']);
    const veraVariant = deliveries.find((d) => d.email === 'vera@example.md')!.variant;
    expect(csv.slice(1).map((row) => row.slice(2, 7))).toEqual([
      ['vera@example.md', 'course', 'welcome', veraVariant, 'failed'],
    ]);

    // Her server takes mail again: the resend says what happens, then the row goes from failed to sent.
    refused.clear();
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await rowOf(page, 'ana@example.com').waitFor(SEEN);
    await rowOf(page, 'vera@example.md')
      .getByRole('button', { name: /^Resend/ })
      .click();
    await dialog.waitFor(SEEN);
    expect(await dialog.textContent()).toContain('goes out once more, now');
    await dialog.getByRole('button', { name: /^Resend/ }).click();
    await page.locator('#deliveries tr[data-email="vera@example.md"][data-status="sent"]').waitFor(SEEN);
    expect(t.sink.to('vera@example.md')).toHaveLength(1);
    expect(t.sink.to('vera@example.md')[0].parsed.subject).toMatch(/^(Bun venit, Vera|Prima ta lecție)$/);

    await page.close();
    expect(errors).toEqual([]);
  });
});
