/// <reference lib="dom" />
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';
import { collectPageErrors, hasChromium, horizontalOverflow, launchChromium, PHONE, WIDE } from './studio-browser.js';

const withBrowser = hasChromium ? describe : describe.skip;
// Ceilings for a busy machine, not measures: every wait ends as soon as the element is there.
const SEEN = { timeout: 60_000 };

/**
 * The ops path in a real browser (issue 16): deliveries made through the API and a scheduler pass over a real SMTP
 * server that refuses two recipients; the delivery log filtered, exported as CSV and a failed row resent; a contact
 * found by name with its calendar in its own time zone; a CSV import with rejected rows; the settings changed; the
 * funnel and conversions; every screen at 1400 px and 375 px without a console error or a horizontal scroll.
 */
withBrowser('the studio: contacts and ops in a real browser', () => {
  let t: DeliveryTestApp;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  const key = () => t.auth.Authorization.replace('Bearer ', '');
  const T0 = new Date('2026-11-23T10:00:00Z'); // a Monday
  /** Addresses the SMTP server refuses (5.7.1, a policy refusal: the row fails, the contact stays active). */
  const refused = new Set<string>();
  const ids: Record<string, string> = {};

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
    // The viewer is in Chișinău; Olga, the contact looked at, in Tokyo: her calendar shows both clocks.
    context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Chisinau', viewport: WIDE });

    for (const template of ['mail', 'offer-a', 'offer-b']) {
      await t
        .post('/v1/templates', {
          key: template,
          name: template,
          variants: [{ locale: 'en', subject: template, html: `<p>${template}</p>` }],
        })
        .expect(201);
    }
    await t
      .post('/v1/sequences', {
        key: 'course',
        name: 'Course',
        triggerEvent: 'joined',
        conversionEvent: 'bought',
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'mail' },
          { key: 'tips', dayOffset: 1, at: '10:00', template: 'mail' },
          {
            key: 'offer',
            dayOffset: 3,
            variants: [
              { key: 'a', template: 'offer-a', weight: 1 },
              { key: 'b', template: 'offer-b', weight: 1 },
            ],
          },
        ],
      })
      .expect(201);
    await t.post('/v1/sequences/course/activate', {}).expect(200);
    const olga = await t
      .post('/v1/contacts', {
        email: 'olga@example.com',
        firstName: 'Olga',
        lastName: 'Tanaka',
        locale: 'ru',
        timezone: 'Asia/Tokyo',
        attributes: { plan: 'pro' },
      })
      .expect(201);
    ids.olga = olga.body.id;
    for (const name of ['ann', 'bob', 'cid']) {
      const reply = await t.post('/v1/contacts', { email: `${name}@example.com`, firstName: name }).expect(201);
      ids[name] = reply.body.id;
    }
    refused.add('bob@example.com');
    refused.add('cid@example.com');
    for (const name of ['olga', 'ann', 'bob', 'cid']) {
      await t
        .post('/v1/events', { email: `${name}@example.com`, name: 'joined', occurredAt: T0.toISOString() })
        .expect(202);
    }
    const pass = await t.post('/v1/scheduler/run', { now: new Date(T0.getTime() + 60_000).toISOString() }).expect(200);
    expect(pass.body).toMatchObject({ sent: 2, failed: 2 });
    refused.clear();
    await t
      .post('/v1/events', {
        email: 'ann@example.com',
        name: 'bought',
        occurredAt: new Date(T0.getTime() + 3_600_000).toISOString(),
      })
      .expect(202);

    // A sequence holding out half of its entrants, with purchases on both sides: the funnel page's lift.
    await t
      .post('/v1/sequences', {
        key: 'held',
        name: 'Held',
        triggerEvent: 'tried',
        conversionEvent: 'paid',
        holdoutPercent: 50,
        steps: [{ key: 'hello', dayOffset: 0, template: 'mail' }],
      })
      .expect(201);
    await t.post('/v1/sequences/held/activate', {}).expect(200);
    for (let i = 0; i < 24; i++) {
      const email = `h${i}@held.test`;
      await t.post('/v1/events', { email, name: 'tried', occurredAt: T0.toISOString() }).expect(202);
      if (i % 3 === 0) {
        await t
          .post('/v1/events', { email, name: 'paid', occurredAt: new Date(T0.getTime() + 7_200_000).toISOString() })
          .expect(202);
      }
    }
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedInPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${base}/`);
    await page.fill('#admin-key', key());
    await page.click('.sign-in button[type=submit]');
    await page.locator('#sign-out').waitFor(SEEN);
    return { page, errors };
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

  const rowOf = (page: Page, email: string) => page.locator(`#deliveries tr[data-email="${email}"]`);

  it('filters the delivery log, exports what it shows as CSV, says why a resend is refused and resends a failed email', async () => {
    const { page, errors } = await signedInPage();
    await page.click('nav a:has-text("Delivery log")');
    await page.locator('#deliveries').waitFor(SEEN);
    await checkBothWidths(page, '#deliveries');
    expect(await page.locator('#deliveries tbody tr').count()).toBe(4);

    // Filtered to the failed ones: the two refused, nobody else; the step list follows the sequence chosen.
    await page.getByLabel('Sequence', { exact: true }).selectOption('course');
    await page.getByLabel('Step', { exact: true }).selectOption('welcome');
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.locator('#deliveries tbody tr').nth(1).waitFor(SEEN);
    await page.waitForFunction(() => document.querySelectorAll('#deliveries tbody tr').length === 2, null, SEEN);
    expect(
      await page
        .locator('#deliveries tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-email'))),
    ).toEqual(expect.arrayContaining(['bob@example.com', 'cid@example.com']));
    expect(await rowOf(page, 'bob@example.com').textContent()).toContain('5.7.1');
    // A date range that ends before the pass: nothing, and the empty state says what to do.
    await page.getByLabel(/^Until/).fill('2026-11-22');
    await page.locator('#deliveries-empty').waitFor(SEEN);
    await checkBothWidths(page, '#deliveries-empty');
    await page.getByLabel(/^Until/).fill('');
    await page.getByLabel(/^From/).fill('2026-11-23');
    await rowOf(page, 'bob@example.com').waitFor(SEEN);

    // The export is what the filters select, fetched with the key in a header and saved as a file.
    const [download] = await Promise.all([page.waitForEvent('download', SEEN), page.click('#export-csv')]);
    expect(download.suggestedFilename()).toBe('deliveries.csv');
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
    expect(csv[0]).toMatch(/^id,contactId,email,sequence,step,variant,status,reason,/);
    expect(csv).toHaveLength(3);
    expect(
      csv
        .slice(1)
        .map((line) => line.split(',')[2])
        .sort(),
    ).toEqual(['bob@example.com', 'cid@example.com']);
    expect(csv.slice(1).every((line) => line.split(',')[6] === 'failed')).toBe(true);

    // Someone else resends cid's email first: this page's resend is refused with the API's 409, said at the row.
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await rowOf(page, 'ann@example.com').waitFor(SEEN);
    await t
      .http()
      .post(`/v1/deliveries/${await rowOf(page, 'cid@example.com').getAttribute('data-delivery')}/retry`)
      .set(t.auth)
      .expect(202);
    await rowOf(page, 'cid@example.com').locator('button.resend').click();
    const dialog = page.locator('dialog.confirm');
    await dialog.waitFor(SEEN);
    await dialog.locator('button.primary').click();
    await rowOf(page, 'cid@example.com').locator('[role=alert]:has-text("409")').waitFor(SEEN);

    // Bob's: the dialog says what happens, then the row goes from failed to sent and the email arrives.
    await rowOf(page, 'bob@example.com').locator('button.resend').click();
    await dialog.waitFor(SEEN);
    expect(await dialog.textContent()).toContain('goes out once more, now');
    await checkBothWidths(page, 'dialog.confirm');
    await dialog.locator('button.primary').click();
    await page.locator('#deliveries tr[data-email="bob@example.com"][data-status="sent"]').waitFor(SEEN);
    expect(t.sink.to('bob@example.com')).toHaveLength(1);
    await page.close();
    expect(errors.filter((error) => !error.includes('409'))).toEqual([]);
  });

  it("finds a contact by name and shows its calendar in its own time and the viewer's, its events and emails; exits it after saying what happens", async () => {
    const { page, errors } = await signedInPage();
    await page.click('nav a:has-text("Contacts")');
    await page.locator('#contacts').waitFor(SEEN);
    await checkBothWidths(page, '#contacts');
    await page.getByLabel('Search by e-mail or name').fill('tanaka');
    await page.waitForFunction(() => document.querySelectorAll('#contacts tbody tr').length === 1, null, SEEN);
    await page.locator('#contacts tr[data-contact="olga@example.com"]').waitFor(SEEN);
    await page.getByLabel('Search by e-mail or name').fill('nobody-has-this');
    await page.locator('#contacts-empty:has-text("Nobody matches")').waitFor(SEEN);
    await page.getByLabel('Search by e-mail or name').fill('Olga Tan');
    await page.waitForURL(/#\/contacts\?q=Olga\+Tan$/, SEEN);
    await page.locator('#contacts a:has-text("olga@example.com")').click();

    const calendar = page.locator('[data-calendar="course"]');
    await calendar.waitFor(SEEN);
    expect(await page.locator('#contact-title').textContent()).toBe('Olga Tanaka');
    expect(await page.locator('[data-fact="timezone"] dd').textContent()).toBe('Asia/Tokyo');
    expect(await page.locator('[data-attribute="plan"] dd').textContent()).toBe('pro');
    // Day 1 at 10:00 on Olga's clock in Tokyo is 03:00 in Chișinău (01:00 UTC).
    const tips = calendar.locator('tr[data-step="tips"]');
    expect(await tips.locator('.their-time').textContent()).toContain('24 Nov 2026, 10:00 GMT+9');
    expect(await tips.locator('.your-time').textContent()).toContain('24 Nov 2026, 03:00 EET');
    expect(await calendar.locator('tr[data-step="welcome"] .outcome [data-status]').getAttribute('data-status')).toBe(
      'sent',
    );
    expect(await page.locator('#contact-events tr[data-event="joined"]').count()).toBe(1);
    expect(await page.locator('#contact-deliveries tr[data-step="welcome"]').textContent()).toContain('sent');
    await checkBothWidths(page, '[data-calendar="course"]');

    // Back finds the search as it was.
    await page.goBack();
    await page.locator('#contacts tr[data-contact="olga@example.com"]').waitFor(SEEN);
    expect(await page.getByLabel('Search by e-mail or name').inputValue()).toBe('Olga Tan');
    expect(await page.locator('#contacts tbody tr').count()).toBe(1);
    await page.goForward();
    await page.locator('[data-calendar="course"]').waitFor(SEEN);

    await page.click('button[data-exit="course"]');
    const dialog = page.locator('dialog.confirm');
    await dialog.waitFor(SEEN);
    expect(await dialog.textContent()).toContain('olga@example.com receives no more emails of this sequence');
    await checkBothWidths(page, 'dialog.confirm');
    await dialog.locator('button.danger').click();
    await page.locator('.enrollment[data-sequence="course"] .status:has-text("exited")').waitFor(SEEN);
    const enrollments = await t.http().get(`/v1/enrollments?contactId=${ids.olga}`).set(t.auth).expect(200);
    expect(enrollments.body.items[0]).toMatchObject({ status: 'exited', exitReason: 'manual' });
    await page.close();
    expect(errors).toEqual([]);
  });

  it('imports a CSV file and lists its rejected rows with their reasons', async () => {
    const { page, errors } = await signedInPage();
    await page.goto(`${base}/#/contacts`);
    await page.locator('#import-file').waitFor({ state: 'attached', ...SEEN });
    await page.setInputFiles('#import-file', {
      name: 'school.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'email,firstName,timezone,plan\nion@example.md,Ion,Europe/Chisinau,pro\nnot-an-email,X,,\nann@example.com,Ann,Mars/Base,\nmaria@example.md,Maria,,free\n',
      ),
    });
    const result = page.locator('#import-result');
    await result.waitFor(SEEN);
    expect(await result.locator('.announcement').textContent()).toBe('school.csv: 2 created, 0 updated, 2 rejected.');
    expect(
      await page
        .locator('#import-rejected tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row'))),
    ).toEqual(['2', '3']);
    expect(await page.locator('#import-rejected tr[data-row="2"] td').textContent()).toContain('email');
    expect(await page.locator('#import-rejected tr[data-row="3"] td').textContent()).toContain('timezone');
    await checkBothWidths(page, '#import-rejected');
    // The list behind it now has them.
    await page.locator('#contacts tr[data-contact="ion@example.md"]').waitFor(SEEN);

    // A file dropped on the zone is imported the same way.
    const dropped = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(
        new File(['email,firstName\ndropped@example.md,Dropped\n'], 'dropped.csv', { type: 'text/csv' }),
      );
      return transfer;
    });
    await page.dispatchEvent('#import-drop', 'drop', { dataTransfer: dropped });
    await page
      .locator('#import-result .announcement:has-text("dropped.csv: 1 created, 0 updated, 0 rejected.")')
      .waitFor(SEEN);
    await page.locator('#contacts tr[data-contact="dropped@example.md"]').waitFor(SEEN);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('pages through a search that matches more than a page', async () => {
    const many = Array.from({ length: 55 }, (_, i) => ({ email: `pager${String(i).padStart(2, '0')}@page.test` }));
    expect((await t.post('/v1/contacts/import', many).expect(200)).body).toMatchObject({ created: 55 });
    const { page, errors } = await signedInPage();
    await page.goto(`${base}/#/contacts`);
    await page.locator('#contacts-more').waitFor(SEEN); // everyone: more than a page too
    await page.getByLabel('Search by e-mail or name').fill('page.test');
    // The search's first page: fifty of them, every one a match, and a way to the rest.
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('#contacts tbody tr')];
        return rows.length === 50 && rows.every((row) => row.getAttribute('data-contact')?.endsWith('@page.test'));
      },
      null,
      SEEN,
    );
    await page.locator('#contacts-more').waitFor(SEEN);
    await page.click('#contacts-more');
    await page.locator('#contacts-more').waitFor({ state: 'detached', ...SEEN });
    const shown = await page
      .locator('#contacts tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-contact')));
    expect(new Set(shown)).toEqual(new Set(many.map((contact) => contact.email)));
    expect(shown).toHaveLength(55);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('changes the settings: a bad cap is refused at its field with nothing saved, then a cap and a quiet date are saved', async () => {
    const { page, errors } = await signedInPage();
    await page.click('nav a:has-text("Settings")');
    const form = page.locator('#ops-settings');
    await form.waitFor(SEEN);
    await page.locator('#quiet-none').waitFor(SEEN);
    await checkBothWidths(page, '#ops-settings');
    const perDay = page.getByLabel('At most this many emails in any 24 hours');
    await perDay.fill('0');
    await form.locator('button[type=submit]').click();
    await page.locator('#cap-maxPerDay-problem').waitFor(SEEN);
    expect(await page.locator('#cap-maxPerDay-problem').textContent()).toContain(
      'frequencyCap.maxPerDay must not be less than 1',
    );
    expect(await perDay.getAttribute('aria-invalid')).toBe('true');
    await checkBothWidths(page, '#cap-maxPerDay-problem');
    expect((await t.http().get('/v1/settings').set(t.auth).expect(200)).body).toEqual({
      frequencyCap: null,
      quietDates: [],
    });

    await perDay.fill('2');
    await page.getByLabel('At least this many hours between two emails').fill('4');
    await page.getByLabel('Date', { exact: true }).fill('2026-12-25');
    await page.click('#quiet-add');
    await page.locator('#quiet-dates li[data-date="2026-12-25"]').waitFor(SEEN);
    await form.locator('button[type=submit]').click();
    await page.locator('.announcement:has-text("settings are saved")').waitFor(SEEN);
    expect((await t.http().get('/v1/settings').set(t.auth).expect(200)).body).toEqual({
      frequencyCap: { maxPerDay: 2, minHoursBetween: 4 },
      quietDates: ['2026-12-25'],
    });
    await page.reload();
    await page.locator('#quiet-dates li[data-date="2026-12-25"]').waitFor(SEEN);
    expect(await perDay.inputValue()).toBe('2');
    await page.close();
    expect(errors.filter((error) => !error.includes('400'))).toEqual([]);
  });

  it('shows the funnel with its variants and breakdown, and the conversion log, at both widths', async () => {
    const { page, errors } = await signedInPage();
    await page.click('nav a:has-text("Funnel")');
    await page.locator('#funnel').waitFor(SEEN);
    await page.selectOption('#funnel-sequence', 'course');
    await page.waitForURL(/#\/ops\/funnel\/course$/, SEEN);
    await page.locator('#funnel').waitFor(SEEN);
    expect(await page.locator('.funnel-step[data-step="welcome"] .value.sent').textContent()).toBe('4');
    expect(await page.locator('[data-total="converted"] dd').textContent()).toBe('1');
    await page.locator('.variant-chart[data-step="offer"] [data-variant="b"]').waitFor(SEEN);
    await page.locator('#lift-none').waitFor(SEEN);
    await checkBothWidths(page, '#funnel');
    await page.getByLabel('Break down').selectOption('locale');
    await page.locator('#breakdown tr[data-group="ru"]').waitFor(SEEN);
    await checkBothWidths(page, '#breakdown');
    // A date range of day 0s with nobody in it: an empty funnel that says so.
    await page.getByLabel(/^Day 0 from/).fill('2026-11-24');
    await page.locator('.drop-note:has-text("Nobody has entered")').waitFor(SEEN);

    // The held-out half against the treated: the rates and the lift's interval as the API computed them.
    const held = (await t.http().get('/v1/sequences/held/funnel').set(t.auth).expect(200)).body;
    expect(held.totals.holdout.enrolled).toBeGreaterThan(0);
    expect(held.totals.lift).not.toBeNull();
    const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format;
    await page.selectOption('#funnel-sequence', 'held');
    await page.locator('#lift figcaption').waitFor(SEEN);
    expect(await page.locator('#lift [data-group="holdout"] .value').textContent()).toBe(
      percent(held.totals.holdout.conversionRate),
    );
    expect(await page.locator('#lift figcaption').textContent()).toContain(
      `(95% interval ${percent(held.totals.lift.interval95[0])} to ${percent(held.totals.lift.interval95[1])})`,
    );
    await checkBothWidths(page, '#lift');

    await page.click('nav a:has-text("Conversions")');
    await page.locator('#conversions').waitFor(SEEN);
    // Both sequences' conversions, then only the course's.
    await page.waitForFunction(() => document.querySelectorAll('#conversions tbody tr').length === 9, null, SEEN);
    await page.selectOption('#conversions-sequence', 'course');
    await page.waitForFunction(() => document.querySelectorAll('#conversions tbody tr').length === 1, null, SEEN);
    expect(await page.locator('#conversions tbody tr').textContent()).toContain('ann@example.com');
    expect(await page.locator('#conversions tbody tr').textContent()).toContain('welcome');
    await checkBothWidths(page, '#conversions');

    // In Russian, whose words run longer: the same screens still fit a phone.
    await page.selectOption('.language select', 'ru');
    await page.locator('h1:has-text("Конверсии")').waitFor(SEEN);
    await checkBothWidths(page, '#conversions');
    for (const [hash, ready] of [
      ['#/ops/deliveries', '#deliveries'],
      ['#/ops/funnel/held', '#lift figcaption'],
      ['#/ops/settings', '#ops-settings'],
      [`#/contacts/${ids.olga}`, '[data-calendar="course"]'],
    ]) {
      await page.goto(`${base}/${hash}`);
      await checkBothWidths(page, ready);
    }
    expect(await page.locator('#enrollments-title').textContent()).toBe('Участие в цепочках');
    await page.selectOption('.language select', 'en');

    // A contact that does not exist (erased, a wrong link) is said so, with the way back.
    await page.goto(`${base}/#/contacts/00000000-0000-4000-8000-000000000000`);
    await page.locator('[role=alert]:has-text("There is no such contact")').waitFor(SEEN);
    await page.locator('a:has-text("All contacts")').waitFor(SEEN);
    await page.close();
    expect(errors.filter((error) => !error.includes('404'))).toEqual([]);
  });
});
