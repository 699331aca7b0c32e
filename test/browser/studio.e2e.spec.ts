import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';
import { collectPageErrors, hasChromium, horizontalOverflow, launchChromium, PHONE, WIDE } from './studio-browser.js';

const withBrowser = hasChromium ? describe : describe.skip;
// Ceilings for a busy machine, not measures: every wait ends as soon as the element is there.
const SEEN = { timeout: 60_000 };

withBrowser('the studio in a real browser', () => {
  let t: DeliveryTestApp;
  let browser: Browser;
  let base: string;
  const key = () => t.auth.Authorization.replace('Bearer ', '');
  const T0 = new Date('2026-11-23T10:00:00Z');

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
      expect({ width: viewport.width, overflow: await horizontalOverflow(page) }).toEqual({
        width: viewport.width,
        overflow: 0,
      });
    }
    await page.setViewportSize(WIDE);
    // Back at full width the page re-lays out and the browser may move the scroll position (scroll anchoring) a
    // frame later; a click aimed before that lands beside its button. Two animation frames: the layout has settled.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  }

  it('serves the page at / with a CSP that allows only its own scripts', async () => {
    const response = await t.http().get('/').expect(200);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
    const script = /src="(\/studio\/assets\/[^"]+\.js)"/.exec(response.text)?.[1];
    expect(script).toBeDefined();
    await t
      .http()
      .get(script!)
      .expect(200)
      .expect('Content-Type', /javascript/);
    await t.http().get('/studio/assets/nothing.js').expect(404);
  });

  it('refuses a wrong key, then shows the empty state with what to do next', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await page.goto(`${base}/`);
    await checkBothWidths(page, '#admin-key');
    // The field is found by its label, as a screen reader announces it.
    await page.getByLabel('Admin API key').waitFor(SEEN);
    await page.fill('#admin-key', 'wrong-key-wrong-key-wrong');
    await page.click('.sign-in button[type=submit]');
    await page.locator('#sign-in-message:has-text("not accepted")').waitFor(SEEN);
    // The refused key is not kept.
    expect(await page.evaluate<string | null>("sessionStorage.getItem('touchpoint-key')")).toBeNull();
    await page.fill('#admin-key', key());
    await page.click('.sign-in button[type=submit]');
    await page.locator('#sequences-empty').waitFor(SEEN);
    // What to do next: create one (the button), with templates made through the API until the studio has them.
    await page.locator('#sequences-empty a[href="#/new"]').waitFor(SEEN);
    expect(await page.locator('#sequences-empty').textContent()).toContain('POST /v1/templates');
    await checkBothWidths(page, '#sequences-empty');
    await page.close();
    // The refused key counted as one failed authentication: the console shows that 401 as a failed resource.
    expect(errors.filter((error) => !error.includes('401'))).toEqual([]);
  });

  it('lists a sequence made through the API, opens its calendar and funnel, pauses it after saying what happens', async () => {
    for (const template of ['welcome', 'offer-a', 'offer-b']) {
      await t
        .post('/v1/templates', {
          key: template,
          name: template,
          variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }],
        })
        .expect(201);
    }
    await t
      .post('/v1/sequences', {
        key: 'school',
        name: 'School <b>webinar</b>',
        triggerEvent: 'joined',
        conversionEvent: 'bought',
        sendWindow: { from: '09:00', to: '20:00', days: [1, 2, 3, 4, 5] },
        holdoutPercent: 0,
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'welcome' },
          {
            key: 'offer',
            dayOffset: 1,
            at: '10:00',
            variants: [
              { key: 'a', template: 'offer-a', weight: 3 },
              { key: 'b', template: 'offer-b', weight: 1 },
            ],
            experiment: { metric: 'click', minPerVariant: 50, probabilityToBeat: 0.95 },
          },
          { key: 'feedback', dayOffset: 7, template: 'welcome', maxLatenessHours: 72 },
        ],
      })
      .expect(201);
    await t.post('/v1/sequences/school/steps/offer/winner', { variant: 'b' }).expect(200);
    await t.post('/v1/sequences/school/activate', {}).expect(200);
    for (let i = 0; i < 4; i++) {
      await t
        .post('/v1/events', { email: `p${i}@example.com`, name: 'joined', occurredAt: T0.toISOString() })
        .expect(202);
    }
    await t.post('/v1/scheduler/run', { now: new Date(T0.getTime() + 60_000).toISOString() }).expect(200);
    // One person leaves after the welcome email: the biggest drop.
    const exit = await t.pool.query(
      `SELECT e.id FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = 'p0@example.com'`,
    );
    await t.post(`/v1/enrollments/${exit.rows[0].id}/exit`, {}).expect(200);
    const funnel = (await t.http().get('/v1/sequences/school/funnel').set(t.auth).expect(200)).body;
    expect(funnel.biggestDrop).toEqual({ step: 'welcome', lost: 1 });

    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);

    const row = page.locator('[data-sequence="school"]');
    await row.waitFor(SEEN);
    // A name with markup shows as text.
    expect(await row.locator('a').textContent()).toBe('School <b>webinar</b>');
    expect(await row.locator('.enrolled').textContent()).toBe('4');
    expect(await row.locator('.conversion').textContent()).toBe('0%');
    expect(await row.locator('.drop').textContent()).toBe('after welcome: 1 lost');
    await checkBothWidths(page, '[data-sequence="school"]');

    await row.locator('a').click();
    await page.locator('#calendar').waitFor(SEEN);
    expect(await page.locator('.calendar-day .day-label').allTextContents()).toEqual(['Day 0', 'Day 1', 'Day 7']);
    const offer = page.locator('.step-card[data-step="offer"]');
    expect(await offer.locator('.step-time').textContent()).toBe('at 10:00');
    expect(await offer.locator('[data-variant]').allTextContents()).toEqual(['a: offer-a, 75%', 'b: offer-b, 25%']);
    expect(await offer.locator('.winner').textContent()).toBe('b: offer-b, 25%');
    expect(await offer.locator('.winner-note').textContent()).toContain('Winner: b');
    expect(await page.locator('[data-setting="window"] dd').textContent()).toBe('09:00–20:00, Mon Tue Wed Thu Fri');
    expect(await page.locator('[data-setting="trigger"] dd').textContent()).toBe('joined');
    for (const step of funnel.steps as Array<{ key: string; reached: number; sent: number }>) {
      const card = page.locator(`.funnel-step[data-step="${step.key}"]`);
      expect(await card.locator('.value.reached').textContent()).toBe(String(step.reached));
      expect(await card.locator('.value.sent').textContent()).toBe(String(step.sent));
    }
    expect(await page.locator('.funnel-step.drop').getAttribute('data-step')).toBe('welcome');
    expect(await page.locator('[data-total="enrolled"] dd').textContent()).toBe('4');
    await checkBothWidths(page, '#funnel');

    // Pause: the dialog says what happens to the three still running before anything changes; Cancel changes nothing.
    // By keyboard: Enter on the button opens the dialog with the focus on Cancel; Escape closes it and the focus
    // goes back to the button.
    await page.focus('[data-action="pause"]');
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog.confirm');
    await dialog.waitFor(SEEN);
    expect(await dialog.textContent()).toContain('Running enrollments: 3.');
    expect(await page.evaluate<string | null>('document.activeElement.textContent')).toBe('Cancel');
    await checkBothWidths(page, 'dialog.confirm');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...SEEN });
    expect(await page.evaluate<string | null>("document.activeElement.getAttribute('data-action')")).toBe('pause');
    expect((await t.http().get('/v1/sequences/school').set(t.auth).expect(200)).body.status).toBe('active');
    await page.click('[data-action="pause"]');
    await dialog.locator('button.primary').click();
    await page.locator('.announcement:has-text("now paused")').waitFor(SEEN);
    expect((await t.http().get('/v1/sequences/school').set(t.auth).expect(200)).body.status).toBe('paused');
    expect(
      await page.locator('[data-action]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-action'))),
    ).toEqual(['resume', 'archive']);

    // The interface in Russian, dates and all, by the switch.
    await page.selectOption('.language select', 'ru');
    await page.locator('h2:has-text("Календарь касаний")').waitFor(SEEN);
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('ru');
    await checkBothWidths(page, '#calendar');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('edits the calendar: a bad time is refused at its field with nothing saved, then a moved and an added step are saved after saying what happens to the running enrollments', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);
    await page.goto(`${base}/#/sequences/school`);
    await page.click('#edit-calendar');
    const editor = page.locator('#calendar-editor');
    await editor.waitFor(SEEN);
    await checkBothWidths(page, '#calendar-editor');
    const step = (key: string) => editor.locator('fieldset', { hasText: `: ${key}` });
    await step('welcome').getByLabel('Time').fill('25:00');
    await step('feedback').getByLabel('Day', { exact: true }).fill('5');
    await editor.locator('button[type=submit]').click();
    // Paused with three running: the dialog says what the new calendar means for them before anything is sent.
    const dialog = page.locator('dialog.confirm');
    await dialog.waitFor(SEEN);
    expect(await dialog.textContent()).toContain('Running enrollments: 3.');
    await dialog.locator('button.primary').click();
    const time = step('welcome').getByLabel('Time');
    await page.locator('#calendar-editor [aria-invalid=true]').waitFor(SEEN);
    expect(await time.getAttribute('aria-invalid')).toBe('true');
    const problem = await time.getAttribute('aria-describedby');
    expect(await page.locator(`#${problem}`).textContent()).toContain('at must be a time HH:mm');
    const unchanged = (await t.http().get('/v1/sequences/school').set(t.auth).expect(200)).body;
    expect(unchanged.steps.map((s: { dayOffset: number }) => s.dayOffset)).toEqual([0, 1, 7]);
    expect(unchanged.steps[0].at).toBeUndefined();

    await time.fill('09:30');
    await editor.getByRole('button', { name: 'Add a step' }).click();
    const added = editor.locator('fieldset').last();
    await added.getByLabel('Key', { exact: true }).fill('last-call');
    await added.getByLabel('Day', { exact: true }).fill('10');
    await added.getByLabel('Template', { exact: true }).selectOption('welcome');
    await editor.locator('button[type=submit]').click();
    await dialog.waitFor(SEEN);
    await dialog.locator('button.primary').click();
    await page.locator('.announcement:has-text("calendar is saved")').waitFor(SEEN);
    await page.locator('#calendar').waitFor(SEEN);
    expect(await page.locator('.calendar-day .day-label').allTextContents()).toEqual([
      'Day 0',
      'Day 1',
      'Day 5',
      'Day 10',
    ]);
    const saved = (await t.http().get('/v1/sequences/school').set(t.auth).expect(200)).body;
    expect(
      saved.steps.map((s: { key: string; dayOffset: number; at?: string; template: string }) => [
        s.key,
        s.dayOffset,
        s.at ?? null,
        s.template,
      ]),
    ).toEqual([
      ['welcome', 0, '09:30', 'welcome'],
      ['offer', 1, '10:00', 'offer-a'],
      ['feedback', 5, null, 'welcome'],
      ['last-call', 10, null, 'welcome'],
    ]);
    // Everything the editor does not edit went back as it was: the A/B step, its experiment and its pinned winner,
    // the lateness, the send window, the events.
    expect(saved.steps[1].variants).toEqual(unchanged.steps[1].variants);
    expect(saved.steps[1].experiment).toEqual(unchanged.steps[1].experiment);
    expect(saved.steps[1].winner.variant).toBe('b');
    expect(saved.steps[2].maxLatenessHours).toBe(72);
    expect(saved.sendWindow).toEqual(unchanged.sendWindow);
    expect([saved.triggerEvent, saved.conversionEvent, saved.status]).toEqual(['joined', 'bought', 'paused']);
    await page.close();
    expect(errors.filter((error) => !error.includes('400'))).toEqual([]);
  });

  it('creates a draft: a bad key and a taken key are said at the key field, a good one opens the new sequence in the editor', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);
    await page.click('#new-sequence-link');
    const form = page.locator('#new-sequence');
    await form.waitFor(SEEN);
    await checkBothWidths(page, '#new-sequence');
    const key = form.getByLabel('Key', { exact: true });
    await form.getByLabel('Name', { exact: true }).fill('Trial onboarding');
    await key.fill('Bad Key');
    await form.getByLabel('Trigger event', { exact: true }).fill('trial_started');
    await form.getByLabel('Template of the first email (day 0)').selectOption('offer-a');
    await form.locator('button[type=submit]').click();
    await page.locator('#new-key-problem:has-text("key must be a key")').waitFor(SEEN);
    expect(await key.getAttribute('aria-invalid')).toBe('true');
    await key.fill('school');
    await form.locator('button[type=submit]').click();
    await page.locator('#new-key-problem:has-text("already exists")').waitFor(SEEN);
    await key.fill('trial');
    await form.locator('button[type=submit]').click();
    await page.locator('#calendar-editor').waitFor(SEEN);
    expect(await page.locator('#sequence-title').textContent()).toBe('Trial onboarding');
    const created = (await t.http().get('/v1/sequences/trial').set(t.auth).expect(200)).body;
    expect([created.status, created.triggerEvent, created.conversionEvent]).toEqual(['draft', 'trial_started', null]);
    expect(
      created.steps.map((s: { key: string; dayOffset: number; template: string }) => [s.key, s.dayOffset, s.template]),
    ).toEqual([['welcome', 0, 'offer-a']]);
    await page.close();
    expect(errors.filter((error) => !/\b(400|409)\b/.test(error))).toEqual([]);
  });

  it('edits the settings: a holdout over 50 is refused at its field, then the window, conversion, holdout and tracking are saved with the calendar unchanged', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);
    await page.goto(`${base}/#/sequences/trial`);
    await page.click('#edit-settings');
    const form = page.locator('#settings-editor');
    await form.waitFor(SEEN);
    const holdout = form.getByLabel('Holdout, % of new enrollments (0–50)');
    await holdout.fill('80');
    await form.locator('button[type=submit]').click();
    await page.locator('#settings-holdoutPercent-problem:has-text("holdoutPercent")').waitFor(SEEN);
    expect(await holdout.getAttribute('aria-invalid')).toBe('true');
    expect((await t.http().get('/v1/sequences/trial').set(t.auth).expect(200)).body.holdoutPercent).toBe(0);

    await holdout.fill('10');
    await form.getByLabel('Conversion event', { exact: true }).fill('bought');
    await form.getByLabel('Send only within a window').check();
    await form.getByLabel('From (HH:mm)').fill('10:00');
    await form.getByLabel('To (HH:mm)').fill('18:00');
    await form.getByLabel('Sat', { exact: true }).uncheck();
    await form.getByLabel('Sun', { exact: true }).uncheck();
    await form.getByLabel('Track clicks (links redirect through the server)').uncheck();
    await checkBothWidths(page, '#settings-editor');
    await form.locator('button[type=submit]').click();
    await page.locator('.announcement:has-text("settings are saved")').waitFor(SEEN);
    await page.locator('[data-setting="window"]').waitFor(SEEN);
    expect(await page.locator('[data-setting="window"] dd').textContent()).toBe('10:00–18:00, Mon Tue Wed Thu Fri');
    const saved = (await t.http().get('/v1/sequences/trial').set(t.auth).expect(200)).body;
    expect(saved).toMatchObject({
      conversionEvent: 'bought',
      triggerEvent: 'trial_started',
      holdoutPercent: 10,
      sendWindow: { from: '10:00', to: '18:00', days: [1, 2, 3, 4, 5] },
      tracking: { opens: true, clicks: false },
      status: 'draft',
    });
    expect(saved.steps.map((s: { key: string; template: string }) => [s.key, s.template])).toEqual([
      ['welcome', 'offer-a'],
    ]);
    await page.close();
    expect(errors.filter((error) => !error.includes('400'))).toEqual([]);
  });

  it('turns a step into an A/B test: shares from the weights, a bad experiment refused where it is set, then variants and experiment saved', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    const errors = collectPageErrors(page);
    await signIn(page);
    await page.goto(`${base}/#/sequences/trial?edit`);
    const editor = page.locator('#calendar-editor');
    await editor.waitFor(SEEN);
    await editor.getByRole('button', { name: 'Make it an A/B test' }).click();
    const rows = editor.locator('.variant-row');
    await rows.nth(1).waitFor(SEEN);
    await rows.nth(0).getByLabel('Template', { exact: true }).selectOption('offer-a');
    await rows.nth(1).getByLabel('Template', { exact: true }).selectOption('offer-b');
    await rows
      .nth(0)
      .getByLabel(/^Weight/)
      .fill('3');
    await editor.locator('label:has-text("Weight (share 75%)")').waitFor(SEEN);
    await editor.getByLabel('Pick a winner automatically').check();
    await editor.getByLabel('Sends per variant before deciding (≥ 20)').fill('10');
    await checkBothWidths(page, '.variant-row');
    // Saved from the keyboard: with the page scrolled to its end, Chromium moved the page 51 px between the mouse's
    // press on this button and its release, so a mouse click here ended on the fieldset (the focus moving from the
    // number field scrolls it): a keyboard press does not depend on where the button is.
    await editor.locator('button[type=submit]').press('Enter');
    await editor.locator('.variants-editor .field-problem:has-text("minPerVariant")').waitFor(SEEN);
    expect((await t.http().get('/v1/sequences/trial').set(t.auth).expect(200)).body.steps[0].variants).toBeUndefined();

    await editor.getByLabel('Sends per variant before deciding (≥ 20)').fill('50');
    await editor.locator('button[type=submit]').press('Enter');
    await page.locator('.announcement:has-text("calendar is saved")').waitFor(SEEN);
    const step = (await t.http().get('/v1/sequences/trial').set(t.auth).expect(200)).body.steps[0];
    expect(step.variants).toEqual([
      { key: 'a', template: 'offer-a', weight: 3 },
      { key: 'b', template: 'offer-b', weight: 1 },
    ]);
    expect(step.experiment).toEqual({ metric: 'click', minPerVariant: 50, probabilityToBeat: 0.95 });
    expect(await page.locator('.step-card[data-step="welcome"] [data-variant]').allTextContents()).toEqual([
      'a: offer-a, 75%',
      'b: offer-b, 25%',
    ]);
    await page.close();
    expect(errors.filter((error) => !error.includes('400'))).toEqual([]);
  });

  it('goes back to sign-in, saying why, when the server stops accepting the key; says when the server is unreachable', async () => {
    const page = await browser.newPage({ viewport: WIDE });
    await signIn(page);
    await page.evaluate("sessionStorage.setItem('touchpoint-key', 'a-key-the-server-no-longer-takes')");
    await page.goto(`${base}/#/sequences/school`);
    await page.reload();
    await page.locator('#sign-in-message:has-text("no longer accepts")').waitFor(SEEN);

    await signIn(page);
    await page.route('**/v1/sequences/school/funnel', (route) => route.abort('connectionrefused'));
    await page.goto(`${base}/#/sequences/school`);
    await page.locator('[role=alert]:has-text("could not be reached")').waitFor(SEEN);
    await page.unroute('**/v1/sequences/school/funnel');
    await page.click('button:has-text("Try again")');
    await page.locator('#calendar').waitFor(SEEN);
    await page.close();
  });
});
