import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { TokenService } from '../../src/tracking/token.service.js';
import type { ReceivedMessage } from '../support/smtp-sink.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/** What a contact sees at the unsubscribe link of an email that really arrived: HTML in their language, always. */
describe('unsubscribe pages', () => {
  let t: DeliveryTestApp;
  const T0 = new Date('2026-11-24T09:00:00Z');
  const people = [
    { email: 'ru@example.com', locale: 'ru' },
    { email: 'md@example.com', locale: 'ro-MD' },
    { email: 'gb@example.com', locale: 'en-GB' },
    { email: 'de@example.com', locale: 'de-AT' },
    { email: 'ro@example.com', locale: 'ro' },
  ];
  const QUESTION = {
    en: 'Do you want to stop receiving these emails?',
    ru: 'Вы хотите отписаться от этих писем?',
    ro: 'Doriți să nu mai primiți aceste e-mailuri?',
  };
  const DONE = { en: 'You are unsubscribed.', ru: 'Вы отписались.', ro: 'V-ați dezabonat.' };
  const INVALID = { en: 'This link does not work', ru: 'Ссылка не работает', ro: 'Acest link nu funcționează' };
  const UNKNOWN = { en: 'Subscription not found', ru: 'Подписка не найдена', ro: 'Abonamentul nu a fost găsit' };

  const unsubscribeOf = (message: ReceivedMessage) =>
    new URL(/^List-Unsubscribe:\s*<([^>]+)>/m.exec(message.raw.toString().replace(/\r?\n(?=[ \t])/g, ''))![1]).pathname;
  const linkOf = (email: string) => unsubscribeOf(t.sink.to(email)[0]);
  const statusOf = async (email: string) =>
    (await t.pool.query(`SELECT status FROM contacts WHERE email = $1`, [email])).rows[0].status;
  const unsubscribes = async () =>
    (await t.pool.query(`SELECT count(*)::int AS n FROM tracking_events WHERE kind = 'unsubscribe'`)).rows[0].n;

  /** An HTML page (never an error's JSON) in `language`, with `text` on it. */
  function expectPage(response: Response, language: string, text: string): void {
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.text).toMatch(/^<!doctype html>/);
    expect(response.text).toContain(`<html lang="${language}">`);
    expect(response.text).toContain(text);
    expect(() => JSON.parse(response.text)).toThrow();
  }

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await t
      .post('/v1/templates', {
        key: 'mail',
        name: 'Mail',
        variants: [{ locale: 'en', subject: 'Hello', html: '<p>Hello {{contact.firstName}}</p>' }],
      })
      .expect(201);
    await t
      .post('/v1/sequences', {
        key: 'news',
        name: 'News',
        triggerEvent: 'joined',
        steps: [{ key: 'welcome', dayOffset: 0, template: 'mail' }],
      })
      .expect(201);
    await t.post('/v1/sequences/news/activate', {}).expect(200);
    for (const person of people) {
      await t
        .post('/v1/events', {
          email: person.email,
          name: 'joined',
          occurredAt: T0.toISOString(),
          contact: { locale: person.locale },
        })
        .expect(202);
    }
    await t.post('/v1/scheduler/run', { now: new Date(T0.getTime() + 60_000).toISOString() }).expect(200);
    await t.sink.waitForCount(people.length);
  });
  afterAll(() => t.close());

  it.each([
    ['ru@example.com', 'ru'],
    ['md@example.com', 'ro'],
    ['gb@example.com', 'en'],
    ['de@example.com', 'en'],
  ] as const)('asks %s in %s (the locale, its language part, else English)', async (email, language) => {
    // The browser's language does not matter when the contact's is known.
    const page = await t.http().get(linkOf(email)).set('Accept-Language', 'de-DE, fr;q=0.8').expect(200);
    expectPage(page, language, QUESTION[language]);
    expect(page.text).toContain('<form method="post">');
  });

  it('unsubscribes with an RFC 8058 one-click POST and confirms in the contact’s language, again harmlessly', async () => {
    const mail = t.sink.to('ru@example.com')[0];
    expect(mail.raw.toString()).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const link = linkOf('ru@example.com');
    const done = await t.http().post(link).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expectPage(done, 'ru', DONE.ru);
    expect(done.headers['set-cookie']).toBeUndefined();
    expect(await statusOf('ru@example.com')).toBe('unsubscribed');
    expectPage(await t.http().post(link).expect(200), 'ru', DONE.ru);
    expectPage(await t.http().get(link).expect(200), 'ru', DONE.ru);
  });

  it.each([
    [undefined, 'en'],
    ['ro-RO,ro;q=0.9,en;q=0.5', 'ro'],
    ['de-DE, en;q=0.3, ru;q=0.7', 'ru'],
    ['fr, *;q=0.1', 'en'],
  ] as const)(
    'answers a tampered token with a 404 page in the browser’s language (Accept-Language: %s → %s), changing nothing',
    async (acceptLanguage, language) => {
      const link = linkOf('ro@example.com');
      const tampered = `${link.slice(0, -3)}${link.endsWith('A') ? 'B' : 'A'}xy`;
      const before = await unsubscribes();
      for (const method of ['get', 'post'] as const) {
        const call = t.http()[method](tampered);
        if (acceptLanguage) call.set('Accept-Language', acceptLanguage);
        expectPage(await call.expect(404), language, INVALID[language]);
      }
      expectPage(await t.http().get('/u/not-a-token').expect(404), 'en', INVALID.en);
      expect(await statusOf('ro@example.com')).toBe('active');
      expect(await unsubscribes()).toBe(before);
    },
  );

  it('answers a signed token of a delivery that does not exist with a 404 page, changing nothing', async () => {
    const token = t.app.get(TokenService).sign({ k: 'u', d: randomUUID() });
    const before = await unsubscribes();
    const page = await t.http().get(`/u/${token}`).set('Accept-Language', 'ro').expect(404);
    expectPage(page, 'ro', UNKNOWN.ro);
    expectPage(await t.http().post(`/u/${token}`).set('Accept-Language', 'ru').expect(404), 'ru', UNKNOWN.ru);
    expect(await unsubscribes()).toBe(before);
  });

  it('shows a link of another kind (a click token) the invalid-link page', async () => {
    const token = t.app.get(TokenService).sign({ k: 'o', d: randomUUID() });
    expectPage(await t.http().get(`/u/${token}`).expect(404), 'en', INVALID.en);
  });
});
