import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { collectPageErrors, hasChromium, launchChromium, WIDE } from './studio-browser.js';

const SEEN = { timeout: 60_000 };

/** The old read-only dashboard is retired: `/dashboard` and anything under it send the browser to the studio. */
describe('/dashboard redirects to the studio', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['/dashboard', '/dashboard/', '/dashboard/assets/dashboard.js', '/dashboard?x=1'])(
    'GET %s answers 302 to /',
    async (path) => {
      await t.http().get(path).expect(302).expect('Location', '/');
    },
  );

  (hasChromium ? it : it.skip)(
    "a bookmark of a sequence's dashboard page opens that sequence in the studio",
    async () => {
      await t
        .post('/v1/templates', { key: 'm', name: 'M', variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }] })
        .expect(201);
      await t
        .post('/v1/sequences', {
          key: 'school',
          name: 'School',
          triggerEvent: 'joined',
          steps: [{ key: 'welcome', dayOffset: 0, template: 'm' }],
        })
        .expect(201);
      await t.app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
      const browser: Browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: WIDE });
        const errors = collectPageErrors(page);
        // Signed in already (the studio keeps the key for the tab), as someone following an old bookmark would be.
        await page.goto(`${base}/`);
        await page.getByLabel('Admin API key').fill(t.auth.Authorization.replace('Bearer ', ''));
        await page.click('.sign-in button[type=submit]');
        await page.locator('#sign-out').waitFor(SEEN);
        await page.goto(`${base}/dashboard#/sequences/school`);
        // The browser keeps the fragment across the redirect: the studio's route for the same sequence.
        expect(page.url()).toBe(`${base}/#/sequences/school`);
        await page.getByRole('heading', { name: 'School' }).waitFor(SEEN);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
