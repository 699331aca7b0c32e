import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

const CHROMIUM = '/usr/bin/chromium';
// .ci/run installs Debian's Chromium; on a machine without it this file is skipped, not failed.
const withBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

withBrowser('dashboard in a real browser', () => {
  let t: DeliveryTestApp;
  let browser: Browser;
  let base: string;
  const post = (path: string, body: unknown) =>
    t
      .http()
      .post(path)
      .set(t.auth)
      .send(body as object);
  const T0 = new Date('2026-11-23T10:00:00Z');

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await post('/v1/templates', {
      key: 'm',
      name: 'M',
      variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }],
    }).expect(201);
    await post('/v1/sequences', {
      key: 'school',
      name: 'School <script>alert("x")</script>',
      triggerEvent: 'joined',
      steps: [
        { key: 'welcome', dayOffset: 0, template: 'm' },
        { key: 'reminder', dayOffset: 1, template: 'm' },
        { key: 'feedback', dayOffset: 7, template: 'm' },
      ],
    }).expect(201);
    await post('/v1/sequences/school/activate', {}).expect(200);
    for (let i = 0; i < 5; i++) {
      await post('/v1/events', { email: `p${i}@example.com`, name: 'joined', occurredAt: T0.toISOString() }).expect(
        202,
      );
    }
    await post('/v1/scheduler/run', { now: new Date(T0.getTime() + 60_000).toISOString() }).expect(200);
    // Two people leave after the welcome email: the biggest drop.
    const exits = await t.pool.query(
      `SELECT e.id FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email IN ('p0@example.com', 'p1@example.com')`,
    );
    for (const row of exits.rows) await post(`/v1/enrollments/${row.id}/exit`, {}).expect(200);
    await post('/v1/scheduler/run', { now: new Date(T0.getTime() + 86_400_000 + 60_000).toISOString() }).expect(200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('signs in with the key, shows the sequence, its calendar and the funnel with the right numbers and the biggest drop', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${base}/dashboard`);
    await page.fill('#key', 'wrong-key-wrong-key-wrong');
    await page.click('#login button');
    await page.waitForSelector('#login-error:has-text("not accepted")');
    await page.fill('#key', t.auth.Authorization.replace('Bearer ', ''));
    await page.click('#login button');

    const link = page.locator('a[href="#/sequences/school"]');
    await link.waitFor();
    // A name with markup shows as text and runs nothing.
    expect(await link.textContent()).toBe('School <script>alert("x")</script>');
    await link.click();
    await page.waitForSelector('#funnel');

    const funnel = (await t.http().get('/v1/sequences/school/funnel').set(t.auth).expect(200)).body;
    for (const step of funnel.steps as Array<{
      key: string;
      reached: number;
      sent: number;
      unsubscribedAfter: number;
      droppedAfter: number;
    }>) {
      const card = page.locator(`[data-step="${step.key}"]`);
      expect(Number(await card.locator('.value.reached').textContent())).toBe(step.reached);
      expect(Number(await card.locator('.value.sent').textContent())).toBe(step.sent);
      expect(Number(await card.locator('.value.lost').textContent())).toBe(step.unsubscribedAfter + step.droppedAfter);
    }
    expect(funnel.steps.map((s: { reached: number }) => s.reached)).toEqual([5, 3, 0]);
    expect(await page.locator('.step.drop').getAttribute('data-step')).toBe('welcome');
    expect(await page.locator('.calendar .touch').allTextContents()).toEqual(['welcome', 'reminder', 'feedback']);

    await mkdir('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/dashboard-funnel.png', fullPage: true });

    await page.goto(`${base}/dashboard#/deliveries?status=sent`);
    await page.waitForSelector('#deliveries tbody tr');
    expect(await page.locator('#deliveries tbody tr').count()).toBe(8);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test/artifacts/dashboard-log-phone.png', fullPage: true });
    expect(dialogs).toEqual([]);
  });
});
