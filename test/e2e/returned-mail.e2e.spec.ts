import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { BounceListener } from '../../src/returns/bounce-listener.js';
import { seedCampaign } from '../support/campaign.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * Returned mail over real SMTP: the engine sends with per-delivery envelope senders, and DSN and ARF reports
 * sent (with nodemailer) to the bounce listener act on the contact, its enrollments and the delivery row.
 */

const START = '2026-11-24T09:59:00Z';
const RETURN_PATH = /^bounce\+[0-9a-f]{32}-[0-9a-f]{20}@school\.test$/;

const report = (name: string, returnPath: string, recipient: string, status = '5.1.1') =>
  readFileSync(new URL(`../fixtures/returned-mail/${name}`, import.meta.url), 'utf8')
    .replaceAll('__RETURN_PATH__', returnPath)
    .replaceAll('__RECIPIENT__', recipient)
    .replaceAll('__STATUS__', status);

describe('returned mail to the bounce listener', () => {
  let t: DeliveryTestApp;
  let port: number;

  beforeAll(async () => {
    t = await startDeliveryTestApp({ BOUNCE_SMTP_PORT: '0', MAIL_FROM: 'School <hello@school.test>' });
    port = t.app.get(BounceListener).port!;
    await seedCampaign(t.post, {
      key: 'course',
      domain: 'returns.test',
      prefix: 'p',
      contacts: 5,
      steps: [
        { key: 'day0', dayOffset: 0 },
        { key: 'day1', dayOffset: 1 },
        { key: 'day7', dayOffset: 7 },
      ],
      startAt: START,
    });
    await t.post('/v1/scheduler/run', {}).expect(200);
    await t.sink.waitForCount(5);
  });
  afterAll(() => t?.close());

  /** Sends raw mail to the listener as an MTA would (a DSN has the null sender); resolves with the SMTP reply. */
  const deliver = async (to: string, raw: string, from = '') => {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      return await client.sendMail({ envelope: { from, to: [to] }, raw });
    } finally {
      client.close();
    }
  };
  const returnPathOf = (email: string) => t.sink.to(email)[0].envelopeFrom;
  const state = async (email: string) =>
    (
      await t.pool.query(
        `SELECT c.id AS contact_id, c.status AS contact, e.status AS enrollment, e.exit_reason, d.id AS delivery, d.bounced_at,
                d.complained_at, d.soft_bounced_at, d.feedback
         FROM contacts c JOIN enrollments e ON e.contact_id = c.id JOIN deliveries d ON d.enrollment_id = e.id
         WHERE c.email = $1 ORDER BY d.created_at LIMIT 1`,
        [email],
      )
    ).rows[0];
  const feedbackRows = async () => (await t.pool.query(`SELECT count(*)::int AS n FROM mail_feedback`)).rows[0].n;

  it('sends every email with its own signed envelope sender; the From header stays MAIL_FROM', () => {
    const paths = [0, 1, 2, 3, 4].map((i) => returnPathOf(`p${i}@returns.test`));
    for (const path of paths) expect(path).toMatch(RETURN_PATH);
    expect(new Set(paths).size).toBe(5);
    expect(t.sink.to('p0@returns.test')[0].parsed.from?.value[0].address).toBe('hello@school.test');
  });

  it('refuses at RCPT any other address and a forged or altered token, and writes nothing', async () => {
    const genuine = returnPathOf('p4@returns.test');
    const forged = genuine.replace(
      /-([0-9a-f]{20})@/,
      (_, mac: string) => `-${mac.startsWith('0') ? '1' : '0'}${mac.slice(1)}@`,
    );
    const otherDelivery = genuine.replace(/\+([0-9a-f])/, (_, c: string) => `+${c === '0' ? '1' : '0'}`);
    for (const to of [forged, otherDelivery, 'postmaster@school.test', genuine.replace('school.test', 'other.test')]) {
      await expect(deliver(to, report('dsn.eml', to, 'p4@returns.test'))).rejects.toMatchObject({
        responseCode: 550,
        command: 'RCPT TO',
      });
    }
    expect(await feedbackRows()).toBe(0);
    expect(await state('p4@returns.test')).toMatchObject({ contact: 'active', enrollment: 'active', bounced_at: null });
  });

  it('a 5.x.x DSN bounces the contact, ends its enrollments and marks the delivery; later steps are not sent', async () => {
    const to = returnPathOf('p0@returns.test');
    const accepted = await deliver(to, report('dsn.eml', to, 'p0@returns.test'));
    expect(accepted.accepted).toEqual([to]);
    const row = await state('p0@returns.test');
    expect(row).toMatchObject({ contact: 'bounced', enrollment: 'bounced', exit_reason: 'bounced' });
    expect(row.bounced_at).toBeInstanceOf(Date);
    expect(row.feedback).toMatch(/^5\.1\.1 smtp; 550 5\.1\.1 <\[address\]>: Recipient address rejected/);
    expect(row.feedback).not.toContain('p0@returns.test');

    const log = await t.http().get('/v1/deliveries').query({ contactId: row.contact_id }).set(t.auth);
    const listed = log.body.items.find((item: { id: string }) => item.id === row.delivery);
    expect(listed).toMatchObject({ bouncedAt: new Date(row.bounced_at).toISOString(), complainedAt: null });

    t.clock.advance(24 * 60 * 60 * 1000);
    await t.post('/v1/scheduler/run', {}).expect(200);
    await t.sink.waitForCount(9);
    expect(t.sink.to('p0@returns.test')).toHaveLength(1);
  });

  it('a 4.x.x DSN is noted on the delivery row, nothing else', async () => {
    const to = returnPathOf('p1@returns.test');
    await deliver(to, report('dsn-delayed.eml', to, 'p1@returns.test', '4.4.1'));
    const row = await state('p1@returns.test');
    expect(row).toMatchObject({ contact: 'active', bounced_at: null, feedback: expect.stringMatching(/^4\.4\.1/) });
    expect(row.soft_bounced_at).toBeInstanceOf(Date);
  });

  it('an ARF abuse report marks the contact complained and ends its enrollments', async () => {
    const to = returnPathOf('p2@returns.test');
    await deliver(to, report('arf.eml', to, 'p2@returns.test'), 'fbl@mailbox.example.net');
    const row = await state('p2@returns.test');
    expect(row).toMatchObject({ contact: 'complained', enrollment: 'unsubscribed', exit_reason: 'complained' });
    expect(row.complained_at).toBeInstanceOf(Date);
    expect(row.feedback).toBe('feedback-type abuse from SomeGenerator/1.0');
  });

  it('accepts and drops mail to a return path that is no report (an auto-reply)', async () => {
    const to = returnPathOf('p3@returns.test');
    const before = await feedbackRows();
    await deliver(to, 'From: p3@returns.test\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n', 'p3@returns.test');
    expect(await feedbackRows()).toBe(before);
    expect(await state('p3@returns.test')).toMatchObject({ contact: 'active', bounced_at: null });
  });

  it('has no provider webhooks without WEBHOOK_TOKEN', async () => {
    await t.http().post('/hooks/email-events/generic?token=anything-at-all-123').send([]).expect(404);
  });
});
