import { pass } from '../support/pass.js';
import type { ReceivedMessage } from '../support/smtp-sink.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/** What a contact's links reach: never throttled, machines told apart, an erased contact's links write nothing. */

const LINK_A = 'https://school.example/a?x=1&y=2';
const LINK_B = 'https://school.example/b';
const HUMAN =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const SENT_AT = new Date('2026-11-24T09:00:00Z');

const path = (url: string) => new URL(url).pathname;
const pixelOf = (message: ReceivedMessage) =>
  path(/src="(http:\/\/touchpoint\.test\/t\/o\/[^"]+)"/.exec(String(message.parsed.html))![1]);
const linksOf = (message: ReceivedMessage) =>
  [...String(message.parsed.html).matchAll(/href="(http:\/\/touchpoint\.test\/t\/c\/[^"]+)"/g)].map((m) => path(m[1]));
const unsubscribeOf = (message: ReceivedMessage) =>
  path(/^List-Unsubscribe:\s*<([^>]+)>/m.exec(message.raw.toString().replace(/\r?\n(?=[ \t])/g, ''))![1]);

/** One email with two links sent to each address, by a pass at SENT_AT (the app's clock stays an hour later). */
async function sendTo(t: DeliveryTestApp, people: Array<{ email: string; locale?: string }>) {
  await t
    .post('/v1/templates', {
      key: 'mail',
      name: 'Mail',
      variants: [
        {
          locale: 'en',
          subject: 'Welcome',
          html: '<p><a href="https://school.example/a?x=1&amp;y=2">Start</a> or <a href="https://school.example/b">read</a></p>',
        },
      ],
    })
    .expect(201);
  await t
    .post('/v1/sequences', {
      key: 'welcome',
      name: 'Welcome',
      triggerEvent: 'joined',
      steps: [{ key: 'hello', dayOffset: 0, template: 'mail' }],
    })
    .expect(201);
  await t.post('/v1/sequences/welcome/activate', {}).expect(200);
  for (const person of people) {
    await t
      .post('/v1/events', {
        email: person.email,
        name: 'joined',
        occurredAt: new Date(SENT_AT.getTime() - 60_000).toISOString(),
        contact: { locale: person.locale ?? 'en' },
      })
      .expect(202);
  }
  expect((await pass(t, SENT_AT)).sent).toBe(people.length);
  await t.sink.waitForCount(people.length);
  return (email: string) => t.sink.to(email)[0];
}

async function deliveryOf(t: DeliveryTestApp, email: string) {
  const row = await t.pool.query(
    `SELECT d.id, d.opened_at, d.clicked_at, d.open_count, d.click_count, d.machine_open_count, d.machine_click_count
     FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE c.email = $1`,
    [email],
  );
  return row.rows[0];
}

async function eventsOf(t: DeliveryTestApp, deliveryId: string) {
  const rows = await t.pool.query(
    `SELECT kind, url, machine FROM tracking_events WHERE delivery_id = $1 ORDER BY occurred_at, kind, url`,
    [deliveryId],
  );
  return rows.rows;
}

describe('past the public budget of an address', () => {
  let t: DeliveryTestApp;
  let mailOf: Awaited<ReturnType<typeof sendTo>>;
  beforeAll(async () => {
    t = await startDeliveryTestApp({ PUBLIC_RATE_LIMIT: '3' });
    mailOf = await sendTo(t, [{ email: 'office@example.com' }]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('still unsubscribes, redirects and serves the pixel; only the recording stops', async () => {
    const mail = mailOf('office@example.com');
    const [linkA, linkB] = linksOf(mail);
    // Within the budget a click is recorded.
    await t.http().get(linkA).set('User-Agent', HUMAN).expect(302);
    // An image proxy or a shared office address uses up the budget.
    for (let i = 0; i < 4; i++) await t.http().get('/t/o/not-a-token');

    const click = await t.http().get(linkB).set('User-Agent', HUMAN).expect(302);
    expect(click.headers.location).toBe(LINK_B);
    const pixel = await t.http().get(pixelOf(mail)).set('User-Agent', HUMAN).expect(200);
    expect(pixel.headers['content-type']).toBe('image/gif');
    const page = await t.http().get(unsubscribeOf(mail)).expect(200);
    expect(page.text).toContain('<form method="post">');
    const done = await t.http().post(unsubscribeOf(mail)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect(done.text).toContain('You are unsubscribed');

    const contact = await t.pool.query(`SELECT status FROM contacts WHERE email = 'office@example.com'`);
    expect(contact.rows).toEqual([{ status: 'unsubscribed' }]);
    // Past the budget the click and the open were answered but not recorded.
    const delivery = await deliveryOf(t, 'office@example.com');
    expect(delivery).toMatchObject({ click_count: 1, open_count: 0, machine_open_count: 0, machine_click_count: 0 });
    expect((await eventsOf(t, delivery.id)).map((event: { kind: string }) => event.kind)).toEqual([
      'click',
      'unsubscribe',
    ]);
  });
});

describe('machine opens and clicks, and erased contacts', () => {
  let t: DeliveryTestApp;
  let mailOf: Awaited<ReturnType<typeof sendTo>>;
  const funnelStep = async () => {
    const funnel = await t.http().get('/v1/sequences/welcome/funnel').set(t.auth).expect(200);
    const { opened, clicked } = funnel.body.steps[0];
    return { opened, clicked };
  };
  const logOf = async (email: string) => {
    const id = (await t.pool.query(`SELECT id FROM contacts WHERE email = $1`, [email])).rows[0].id;
    const log = await t.http().get(`/v1/deliveries?contactId=${id}`).set(t.auth).expect(200);
    const { openedAt, clickedAt } = log.body.items[0];
    return { openedAt, clickedAt };
  };
  const unseen = { openedAt: null, clickedAt: null };

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    mailOf = await sendTo(t, [
      { email: 'scanned@example.com' },
      { email: 'checked@example.com' },
      { email: 'fast@example.com' },
      { email: 'burst@example.com' },
      { email: 'parallel@example.com' },
      { email: 'person@example.com' },
      { email: 'erased@example.com', locale: 'ru' },
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps a security scanner’s open and click out of the funnel and the log, but records them apart', async () => {
    const mail = mailOf('scanned@example.com');
    const scanner = 'Mozilla/5.0 (compatible; Mimecast URL Protect)';
    await t.http().get(pixelOf(mail)).set('User-Agent', scanner).expect(200);
    const click = await t.http().get(linksOf(mail)[0]).set('User-Agent', scanner).expect(302);
    expect(click.headers.location).toBe(LINK_A);

    expect(await funnelStep()).toEqual({ opened: 0, clicked: 0 });
    expect(await logOf('scanned@example.com')).toEqual(unseen);
    const delivery = await deliveryOf(t, 'scanned@example.com');
    expect(delivery).toMatchObject({ open_count: 0, click_count: 0, machine_open_count: 1, machine_click_count: 1 });
    expect(await eventsOf(t, delivery.id)).toEqual([
      { kind: 'click', url: LINK_A, machine: true },
      { kind: 'open', url: null, machine: true },
    ]);
  });

  it('answers a damaged link, or a link used as another kind, with 404 and the code tracking.link_invalid', async () => {
    const mail = mailOf('checked@example.com');
    const damaged = await t
      .http()
      .get(`${pixelOf(mail)}x`)
      .set('User-Agent', HUMAN)
      .expect(404);
    expect(damaged.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'tracking.link_invalid' });
    const clickToken = linksOf(mail)[0].split('/').pop()!;
    const misused = await t.http().get(`/u/${clickToken}`).expect(404);
    // A contact is shown a page, never an error's JSON (test/e2e/unsubscribe-pages.e2e.spec.ts has the rest).
    expect(misused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(misused.text).toContain('This link does not work');
  });

  it('answers HEAD on a click link like GET and records nothing', async () => {
    const mail = mailOf('checked@example.com');
    const head = await t.http().head(linksOf(mail)[0]).set('User-Agent', HUMAN).expect(302);
    expect(head.headers.location).toBe(LINK_A);
    await t.http().head(pixelOf(mail)).set('User-Agent', HUMAN).expect(200);

    expect(await funnelStep()).toEqual({ opened: 0, clicked: 0 });
    expect(await logOf('checked@example.com')).toEqual(unseen);
    const delivery = await deliveryOf(t, 'checked@example.com');
    expect(delivery).toMatchObject({ open_count: 0, click_count: 0, machine_open_count: 0, machine_click_count: 0 });
    expect(await eventsOf(t, delivery.id)).toEqual([]);
  });

  it('takes a click seconds after the send, and clicks on several links within a second, for a machine’s', async () => {
    const clockWas = t.clock.now();
    try {
      t.clock.set(new Date(SENT_AT.getTime() + 3_000));
      const fast = await t
        .http()
        .get(linksOf(mailOf('fast@example.com'))[0])
        .set('User-Agent', HUMAN)
        .expect(302);
      expect(fast.headers.location).toBe(LINK_A);
    } finally {
      t.clock.set(clockWas);
    }
    // The first click of the burst looks like a person's when it comes; the second one gives it away.
    const [linkA, linkB] = linksOf(mailOf('burst@example.com'));
    await t.http().get(linkA).set('User-Agent', HUMAN).expect(302);
    expect(await logOf('burst@example.com')).toEqual({
      openedAt: clockWas.toISOString(),
      clickedAt: clockWas.toISOString(),
    });
    t.clock.advance(400);
    await t.http().get(linkB).set('User-Agent', HUMAN).expect(302);

    // A scanner fetching both links at once: the clicks are judged one after the other all the same.
    await Promise.all(
      linksOf(mailOf('parallel@example.com')).map((link) => t.http().get(link).set('User-Agent', HUMAN).expect(302)),
    );

    expect(await funnelStep()).toEqual({ opened: 0, clicked: 0 });
    expect(await logOf('parallel@example.com')).toEqual(unseen);
    expect(await logOf('fast@example.com')).toEqual(unseen);
    expect(await logOf('burst@example.com')).toEqual(unseen);
    expect(await deliveryOf(t, 'fast@example.com')).toMatchObject({ click_count: 0, machine_click_count: 1 });
    const burst = await deliveryOf(t, 'burst@example.com');
    expect(burst).toMatchObject({ click_count: 0, machine_click_count: 2 });
    expect(await eventsOf(t, burst.id)).toEqual([
      { kind: 'click', url: LINK_A, machine: true },
      { kind: 'click', url: LINK_B, machine: true },
    ]);
  });

  it('counts a person’s open and click', async () => {
    const mail = mailOf('person@example.com');
    t.clock.advance(60_000);
    await t.http().get(pixelOf(mail)).set('User-Agent', HUMAN).expect(200);
    t.clock.advance(30_000);
    await t.http().get(linksOf(mail)[1]).set('User-Agent', HUMAN).expect(302);
    t.clock.advance(5_000);
    await t.http().get(linksOf(mail)[0]).set('User-Agent', HUMAN).expect(302);

    expect(await funnelStep()).toEqual({ opened: 1, clicked: 1 });
    const log = await logOf('person@example.com');
    expect(log.openedAt).toEqual(expect.any(String));
    expect(new Date(log.clickedAt).getTime() - new Date(log.openedAt).getTime()).toBe(30_000);
    expect(await deliveryOf(t, 'person@example.com')).toMatchObject({
      open_count: 1,
      click_count: 2,
      machine_open_count: 0,
      machine_click_count: 0,
    });
  });

  it('lets an erased contact’s old links answer without writing anything or showing anything of them', async () => {
    const mail = mailOf('erased@example.com');
    const { id } = (await t.pool.query(`SELECT id FROM contacts WHERE email = 'erased@example.com'`)).rows[0];
    await t.http().delete(`/v1/contacts/${id}`).set(t.auth).expect(204);
    const snapshot = async () => ({
      contact: (await t.pool.query(`SELECT * FROM contacts WHERE id = $1`, [id])).rows,
      enrollments: (await t.pool.query(`SELECT * FROM enrollments WHERE contact_id = $1 ORDER BY id`, [id])).rows,
      deliveries: (await t.pool.query(`SELECT * FROM deliveries WHERE contact_id = $1 ORDER BY id`, [id])).rows,
      tracking: (await t.pool.query(`SELECT * FROM tracking_events ORDER BY id`)).rows,
    });
    const before = await snapshot();
    expect(before.contact[0].status).toBe('erased');

    t.clock.advance(60_000);
    const pixel = await t.http().get(pixelOf(mail)).set('User-Agent', HUMAN).expect(200);
    expect(pixel.headers['content-type']).toBe('image/gif');
    const click = await t.http().get(linksOf(mail)[0]).set('User-Agent', HUMAN).expect(302);
    expect(click.headers.location).toBe(LINK_A);
    const page = await t.http().get(unsubscribeOf(mail)).expect(200);
    const done = await t.http().post(unsubscribeOf(mail)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect(await snapshot()).toEqual(before);
    for (const answer of [page, done]) {
      // Neutral: not the contact's language (ru), no form, nothing of theirs.
      expect(answer.text).toContain('<html lang="en">');
      expect(answer.text).not.toContain('<form');
      expect(answer.text).not.toContain('erased@example.com');
    }
  });
});
