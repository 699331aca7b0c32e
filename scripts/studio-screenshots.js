#!/usr/bin/env node
// Screenshots of every studio screen at 1400 px and 375 px into docs/studio/, from the built server (`npm run build`
// first) on a fresh embedded database in a temporary DATA_DIR, with a sample campaign played out by the test clock.
// Needs Chromium at /usr/bin/chromium (Debian's `chromium` package, as CI installs it). Usage: npm run studio:screenshots
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startBuiltServer } from './built-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs/studio');
const KEY = 'studio-screenshots-key-0123456789';
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T08:30:00Z'); // a Monday morning in Chișinău
const WIDTHS = [1400, 375];

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-screenshots-'));
const server = await startBuiltServer(
  {
    ADMIN_API_KEY: KEY,
    DATA_DIR: dataDir,
    SCHEDULER_ENABLED: 'false',
    SCHEDULER_TEST_CLOCK: 'true',
    LOG_LEVEL: 'warn',
  },
  { adminKey: KEY },
);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  await mkdir(OUT, { recursive: true });
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Chisinau' });
  const page = await context.newPage();
  const shoot = async (name, ready, prepare = async () => {}, fullPage = true) => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 812 });
      await prepare();
      await page.locator(ready).first().waitFor({ timeout: 60_000 });
      await page.screenshot({ path: path.join(OUT, `${name}-${width}.png`), fullPage });
    }
    console.log(`docs/studio/${name}-{${WIDTHS.join(',')}}.png`);
  };

  await page.goto(`${server.base}/`);
  await shoot('sign-in', '#admin-key');
  await page.fill('#admin-key', KEY);
  await page.click('.sign-in button[type=submit]');
  await shoot('sequences-empty', '#sequences-empty');

  await loadSample(server.call);
  await shoot('sequences', '#sequences', () => page.reload());
  await page.goto(`${server.base}/#/new`);
  await shoot('sequence-new', '#new-sequence', () => page.reload());
  await page.goto(`${server.base}/#/sequences/webinar-school`);
  await shoot('sequence', '#funnel', () => page.reload());
  // The modal's backdrop covers the viewport only: this one is shot as the viewer sees it, not as a full page.
  await shoot(
    'sequence-pause',
    'dialog.confirm',
    async () => {
      await page.reload();
      await page.click('[data-action="pause"]');
    },
    false,
  );
  await page.keyboard.press('Escape');
  // The calendar editor of the draft, with the API's refusal of a bad time shown at its field.
  await page.goto(`${server.base}/#/sequences/trial-onboarding`);
  await shoot('sequence-edit', '#calendar-editor [aria-invalid=true]', async () => {
    await page.reload();
    await page.click('#edit-calendar');
    await page.locator('#calendar-editor fieldset').first().getByLabel('Time').fill('9.30');
    await page.click('#calendar-editor button[type=submit]');
  });
  await shoot('sequence-ab', '.variant-row', async () => {
    await page.reload();
    await page.click('#edit-calendar');
    await page.locator('#calendar-editor .make-ab').first().click();
    await page.getByLabel('Pick a winner automatically').check();
  });
  await shoot('sequence-settings', '#settings-editor', async () => {
    await page.reload();
    await page.click('#edit-settings');
  });
  // Templates and segments: the lists, a template with ru/ro/en variants previewed for a sample contact, a
  // segment's nested rule with its live member count.
  await loadLibrary(server.call);
  await page.goto(`${server.base}/#/templates`);
  await shoot('templates', '#templates', () => page.reload());
  await page.goto(`${server.base}/#/templates/lesson-reminder`);
  await shoot('template', '#preview-subject', async () => {
    await page.reload();
    await page.locator('#preview-subject').waitFor({ timeout: 60_000 });
    // The email arrives in its frame by a message after the frame loads: a moment, not an element to wait for.
    await page.waitForTimeout(1000);
  });
  await page.goto(`${server.base}/#/segments`);
  await shoot('segments', '#segments', () => page.reload());
  await page.goto(`${server.base}/#/segments/engaged`);
  await shoot('segment', '#segment-count', () => page.reload());
  await page.selectOption('.language select', 'ru');
  await page.goto(`${server.base}/#/sequences/webinar-school`);
  await shoot('sequence-ru', '#funnel', () => page.reload());
  await page.selectOption('.language select', 'ro');
  await shoot('sequences-ro', '#sequences', async () => {
    await page.goto(`${server.base}/#/`);
    await page.reload();
  });
  // Contacts and ops: a contact found by name with its calendar on her clock in Tokyo and the viewer's, the delivery
  // log, the conversions, the funnel page with per-variant rates and the holdout's lift, the settings.
  await page.selectOption('.language select', 'en');
  const olga = await loadContactsAndOps(server.call);
  await page.goto(`${server.base}/#/contacts`);
  await shoot('contacts', '#contacts tr[data-contact="olga@example.md"]', async () => {
    await page.reload();
    await page.fill('#contact-search', 'olga');
  });
  await page.goto(`${server.base}/#/contacts/${olga}`);
  await shoot('contact', '[data-calendar="webinar-school"]', () => page.reload());
  await page.goto(`${server.base}/#/ops/deliveries`);
  await shoot('deliveries', '#deliveries', () => page.reload());
  await page.goto(`${server.base}/#/ops/conversions`);
  await shoot('conversions', '#conversions', () => page.reload());
  await page.goto(`${server.base}/#/ops/funnel/webinar-school`);
  await shoot('funnel', '#lift', () => page.reload());
  await page.goto(`${server.base}/#/ops/settings`);
  await shoot('settings', '#quiet-dates', () => page.reload());
} finally {
  await browser.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** A school's webinar campaign with an A/B step, played to its fourth day (the feedback email still ahead); a draft and a paused one beside it. */
async function loadSample(call) {
  const html = (text) => `<p>{{default contact.firstName "friend"}}, ${text}</p>`;
  for (const [key, text] of [
    ['webinar-welcome', 'welcome to the webinar'],
    ['webinar-reminder', 'we start tomorrow'],
    ['offer-discount', '10% off the course'],
    ['offer-bonus', 'a free lesson with the course'],
    ['feedback', 'how was it?'],
  ]) {
    await call('POST', '/v1/templates', {
      key,
      name: key,
      variants: [{ locale: 'en', subject: text, html: html(text) }],
    });
  }
  await call('POST', '/v1/sequences', {
    key: 'webinar-school',
    name: 'Webinar to course',
    triggerEvent: 'webinar_signup',
    conversionEvent: 'course_purchased',
    sendWindow: { from: '09:00', to: '20:00', days: [1, 2, 3, 4, 5, 6] },
    timezone: 'Europe/Chisinau',
    holdoutPercent: 10,
    steps: [
      { key: 'welcome', dayOffset: 0, template: 'webinar-welcome' },
      { key: 'reminder', dayOffset: 1, at: '10:00', template: 'webinar-reminder' },
      {
        key: 'offer',
        dayOffset: 3,
        at: '11:00',
        variants: [
          { key: 'discount', template: 'offer-discount', weight: 1 },
          { key: 'bonus', template: 'offer-bonus', weight: 1 },
        ],
        experiment: { metric: 'conversion', minPerVariant: 200, probabilityToBeat: 0.95 },
      },
      { key: 'feedback', dayOffset: 7, template: 'feedback', maxLatenessHours: 72 },
    ],
  });
  await call('POST', '/v1/sequences/webinar-school/activate');
  await call('POST', '/v1/sequences', {
    key: 'trial-onboarding',
    name: 'Trial onboarding',
    triggerEvent: 'trial_started',
    steps: [
      { key: 'hello', dayOffset: 0, template: 'webinar-welcome' },
      { key: 'tips', dayOffset: 2, template: 'webinar-reminder' },
    ],
  });
  const contacts = [];
  for (let i = 0; i < 60; i++) {
    const reply = await call('POST', '/v1/events', {
      email: `student${i}@example.com`,
      name: 'webinar_signup',
      occurredAt: new Date(T0 + i * 60_000).toISOString(),
    });
    contacts.push(reply.contactId);
  }
  const pass = (at) => call('POST', '/v1/scheduler/run', { now: new Date(at).toISOString() });
  await pass(T0 + 3_600_000);
  // Some leave after the welcome email; some buy after the reminder, more after the offer.
  for (const contactId of contacts.slice(0, 6)) {
    const calendar = await call('GET', `/v1/sequences/webinar-school/calendar?contactId=${contactId}`);
    await call('POST', `/v1/enrollments/${calendar.enrollment.id}/exit`);
  }
  await pass(T0 + DAY + 3 * 3_600_000);
  const buy = (contactId, at) =>
    call('POST', '/v1/events', { contactId, name: 'course_purchased', occurredAt: new Date(at).toISOString() });
  for (const contactId of contacts.slice(6, 10)) await buy(contactId, T0 + DAY + 5 * 3_600_000);
  await pass(T0 + 3 * DAY + 4 * 3_600_000);
  for (const contactId of contacts.slice(10, 22)) await buy(contactId, T0 + 3 * DAY + 8 * 3_600_000);
  await call('POST', '/v1/sequences', {
    key: 'paused-spring',
    name: 'Spring open day',
    triggerEvent: 'open_day_signup',
    steps: [{ key: 'invite', dayOffset: 0, template: 'webinar-welcome' }],
  });
  await call('POST', '/v1/sequences/paused-spring/activate');
  await call('POST', '/v1/sequences/paused-spring/pause');
}

/** A template in three languages and a segment with a nested rule, for the templates and segments screens. */
async function loadLibrary(call) {
  const variant = (locale, subject, greeting) => ({
    locale,
    subject: `${subject} {{event.properties.course}}`,
    html:
      `<h1 style="font-family:Georgia,serif;color:#2557d6">${greeting}, {{default contact.firstName "friend"}}!</h1>` +
      `<p>{{formatDate event.properties.lessonAt "long" time="short"}}</p>` +
      `{{> button url="https://school.example/lesson?lang=${locale}" label="${subject}"}}`,
  });
  await call('POST', '/v1/templates', {
    key: 'lesson-reminder',
    name: 'Lesson reminder',
    variants: [
      variant('ro', 'Lecția ta de', 'Salut'),
      variant('ru', 'Ваш урок', 'Привет'),
      variant('en', 'Your lesson:', 'Hello'),
    ],
  });
  await call('POST', '/v1/segments', {
    key: 'engaged',
    name: 'Engaged students',
    rule: {
      all: [
        { field: 'email', op: 'contains', value: 'student' },
        {
          any: [
            { field: 'status', op: 'eq', value: 'active' },
            { field: 'attributes.visits', op: 'gte', value: 3 },
          ],
        },
      ],
    },
  });
}

/**
 * Olga, in Tokyo, signs up on the fourth morning (her time) and gets the welcome; a frequency cap and two quiet
 * dates are set. Returns her id.
 */
async function loadContactsAndOps(call) {
  const olga = await call('POST', '/v1/contacts', {
    email: 'olga@example.md',
    firstName: 'Olga',
    lastName: 'Tanaka',
    locale: 'ru',
    timezone: 'Asia/Tokyo',
    attributes: { plan: 'pro', city: 'Tokyo' },
  });
  const signup = Date.parse('2026-11-05T01:00:00Z'); // 10:00 in Tokyo, a Thursday
  await call('POST', '/v1/events', {
    contactId: olga.id,
    name: 'webinar_signup',
    occurredAt: new Date(signup).toISOString(),
    properties: { webinar: 'ai-basics' },
  });
  await call('POST', '/v1/scheduler/run', { now: new Date(signup + 60_000).toISOString() });
  await call('PUT', '/v1/settings', {
    frequencyCap: { maxPerDay: 2, maxPerWeek: 5, minHoursBetween: 4 },
    quietDates: ['2026-12-25', '2027-01-01'],
  });
  return olga.id;
}
