import { pass } from '../support/pass.js';
import { type SmtpSink, type ReceivedMessage } from '../support/smtp-sink.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/** What a contact meets in an email (pixel, links, one-click unsubscribe) and what ops read (logs, funnel). */
describe('tracking, unsubscribe, logs and the funnel', () => {
  let t: DeliveryTestApp;
  let sink: SmtpSink;
  const post = (path: string, body: unknown) =>
    t
      .http()
      .post(path)
      .set(t.auth)
      .send(body as object);
  const T0 = new Date('2026-11-23T10:00:00Z');
  const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000 + 60_000);
  const path = (url: string) => new URL(url).pathname;
  const pixelOf = (message: ReceivedMessage) =>
    /src="(http:\/\/touchpoint\.test\/t\/o\/[^"]+)"/.exec(String(message.parsed.html))![1];
  const linkOf = (message: ReceivedMessage) =>
    /href="(http:\/\/touchpoint\.test\/t\/c\/[^"]+)"/.exec(String(message.parsed.html))![1];
  const unsubscribeOf = (message: ReceivedMessage) =>
    /^List-Unsubscribe:\s*<([^>]+)>/m.exec(message.raw.toString().replace(/\r?\n(?=[ \t])/g, ''))![1];
  const events = async () => (await t.pool.query(`SELECT count(*)::int n FROM tracking_events`)).rows[0].n;

  const people = [
    { email: 'ru1@example.ru', locale: 'ru' },
    { email: 'ru2@example.ru', locale: 'ru' },
    { email: 'ru3@example.ru', locale: 'ru-RU' },
    { email: 'ro1@example.md', locale: 'ro' },
    { email: 'ro2@example.md', locale: 'ro-MD' },
    { email: 'en1@example.com', locale: 'en' },
  ];

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    sink = t.sink;
    const html =
      '<p>Hi! <a href="https://example.com/course?x=1&amp;y=2">The course</a> <a href="mailto:help@example.com">Help</a></p>';
    await post('/v1/templates', {
      key: 'mail',
      name: 'Mail',
      variants: [{ locale: 'en', subject: 'Day {{step.dayOffset}}', html }],
    }).expect(201);
    await post('/v1/sequences', {
      key: 'funnel',
      name: 'Funnel',
      triggerEvent: 'joined',
      conversionEvent: 'bought',
      steps: [
        { key: 'welcome', dayOffset: 0, template: 'mail' },
        { key: 'nudge', dayOffset: 1, template: 'mail' },
        { key: 'last', dayOffset: 2, template: 'mail' },
      ],
    }).expect(201);
    await post('/v1/sequences/funnel/activate', {}).expect(200);
    for (const person of people) {
      await post('/v1/events', {
        email: person.email,
        name: 'joined',
        occurredAt: T0.toISOString(),
        contact: { locale: person.locale },
      }).expect(202);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('records opens and clicks fetched from the received email, redirects only to the original link, and 404s tampered tokens without writing', async () => {
    expect(await pass(t, at(0))).toMatchObject({ sent: 6 });
    const ru1 = sink.to('ru1@example.ru')[0];
    await t
      .http()
      .get(path(pixelOf(ru1)))
      .set('User-Agent', 'Mozilla/5.0 (Macintosh) Thunderbird/128')
      .expect(200)
      .expect('Content-Type', 'image/gif');
    const click = await t
      .http()
      .get(path(linkOf(ru1)))
      .set('User-Agent', 'Mozilla/5.0 (Macintosh) Thunderbird/128') // a bare agent would be taken for a machine
      .expect(302);
    expect(click.headers.location).toBe('https://example.com/course?x=1&y=2');
    expect(String(ru1.parsed.html)).toContain('href="mailto:help@example.com"');
    await t
      .http()
      .get(path(pixelOf(sink.to('ro1@example.md')[0])))
      .set('User-Agent', 'Mozilla/5.0 (iPhone) Mail')
      .expect(200);

    const before = await events();
    const token = path(linkOf(ru1)).split('/').pop()!;
    const [body, mac] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ k: 'c', d: JSON.parse(Buffer.from(body, 'base64url').toString()).d, u: 'https://evil.example' }),
    ).toString('base64url');
    await t.http().get(`/t/c/${forged}.${mac}`).expect(404);
    await t
      .http()
      .get(`/t/c/${token.slice(0, -2)}xx`)
      .expect(404);
    await t.http().get(`/t/o/${token}`).expect(404); // a click token is not an open token
    await t.http().get('/t/o/garbage').expect(404);
    await t.http().post('/u/garbage').expect(404);
    expect(await events()).toBe(before);

    const log = await t
      .http()
      .get('/v1/deliveries?contactId=' + (await contactId('ru1@example.ru')))
      .set(t.auth)
      .expect(200);
    expect(log.body.items[0]).toMatchObject({
      step: 'welcome',
      status: 'sent',
      openedAt: expect.any(String),
      clickedAt: expect.any(String),
    });
  });

  it('unsubscribes with a bare one-click POST to the List-Unsubscribe URL, idempotently, and shows a page in the contact’s language', async () => {
    const en1 = sink.to('en1@example.com')[0];
    const url = unsubscribeOf(en1);
    const page = await t.http().get(path(url)).expect(200);
    expect(page.text).toContain('<form method="post">');
    await t.http().post(path(url)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    await t.http().post(path(url)).expect(200);
    const contact = await t.pool.query(`SELECT status FROM contacts WHERE email = 'en1@example.com'`);
    expect(contact.rows[0].status).toBe('unsubscribed');
    const enrollment = await t.pool.query(
      `SELECT e.status FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = 'en1@example.com'`,
    );
    expect(enrollment.rows[0].status).toBe('unsubscribed');
    const ruPage = await t
      .http()
      .get(path(unsubscribeOf(sink.to('ru3@example.ru')[0])))
      .expect(200);
    expect(ruPage.text).toContain('Отписаться');
    const roPage = await t
      .http()
      .get(path(unsubscribeOf(sink.to('ro2@example.md')[0])))
      .expect(200);
    expect(roPage.text).toContain('Dezabonare');
  });

  it('computes the funnel of a scripted scenario exactly, per step and per locale, and names the biggest drop', async () => {
    await post('/v1/events', { email: 'ru2@example.ru', name: 'bought', occurredAt: at(12).toISOString() }).expect(202);
    expect(await pass(t, at(24))).toMatchObject({ sent: 4 });
    const ro2 = (
      await t.pool.query(
        `SELECT e.id FROM enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = 'ro2@example.md'`,
      )
    ).rows[0].id;
    await post(`/v1/enrollments/${ro2}/exit`, {}).expect(200);
    expect(await pass(t, at(48))).toMatchObject({ sent: 3 });
    expect(sink.to('en1@example.com')).toHaveLength(1);

    const funnel = await t.http().get('/v1/sequences/funnel/funnel?by=locale').set(t.auth).expect(200);
    const zero = { failed: 0, skipped: 0 };
    expect(funnel.body).toMatchObject({
      sequence: 'funnel',
      since: null,
      until: null,
      totals: {
        enrolled: 6,
        active: 0,
        completed: 3,
        converted: 1,
        unsubscribed: 1,
        bounced: 0,
        exited: 1,
        conversionRate: 0.1667,
      },
      steps: [
        {
          key: 'welcome',
          position: 0,
          dayOffset: 0,
          reached: 6,
          sent: 6,
          ...zero,
          opened: 2,
          clicked: 1,
          convertedAfter: 1,
          unsubscribedAfter: 1,
          droppedAfter: 0,
        },
        {
          key: 'nudge',
          position: 1,
          dayOffset: 1,
          reached: 4,
          sent: 4,
          ...zero,
          opened: 0,
          clicked: 0,
          convertedAfter: 0,
          unsubscribedAfter: 0,
          droppedAfter: 1,
        },
        {
          key: 'last',
          position: 2,
          dayOffset: 2,
          reached: 3,
          sent: 3,
          ...zero,
          opened: 0,
          clicked: 0,
          convertedAfter: 0,
          unsubscribedAfter: 0,
          droppedAfter: 0,
        },
      ],
      biggestDrop: { step: 'welcome', lost: 1 },
    });
    const byLocale = Object.fromEntries(
      funnel.body.breakdown.map(
        (group: { value: string; totals: object; steps: Array<{ reached: number; opened: number }> }) => [
          group.value,
          {
            totals: group.totals,
            reached: group.steps.map((s) => s.reached),
            opened: group.steps.map((s) => s.opened),
          },
        ],
      ),
    );
    expect(byLocale).toEqual({
      en: { totals: expect.objectContaining({ enrolled: 1, unsubscribed: 1 }), reached: [1, 0, 0], opened: [0, 0, 0] },
      ro: {
        totals: expect.objectContaining({ enrolled: 2, exited: 1, completed: 1 }),
        reached: [2, 2, 1],
        opened: [1, 0, 0],
      },
      ru: {
        totals: expect.objectContaining({ enrolled: 3, converted: 1, completed: 2 }),
        reached: [3, 2, 2],
        opened: [1, 0, 0],
      },
    });

    const later = await t.http().get('/v1/sequences/funnel/funnel?since=2026-11-24T00:00:00Z').set(t.auth).expect(200);
    expect(later.body.totals.enrolled).toBe(0);
    await t.http().get('/v1/sequences/funnel/funnel?by=colour').set(t.auth).expect(400);
    await t.http().get('/v1/sequences/nope/funnel').set(t.auth).expect(404);
  });

  it('lists conversions with their attributed step, and exports logs as CSV', async () => {
    const conversions = await t.http().get('/v1/conversions?sequence=funnel').set(t.auth).expect(200);
    expect(conversions.body).toEqual({
      items: [
        {
          contactId: await contactId('ru2@example.ru'),
          email: 'ru2@example.ru',
          sequence: 'funnel',
          event: 'bought',
          attributedStep: 'welcome',
          occurredAt: at(12).toISOString(),
        },
      ],
      nextCursor: null,
    });
    const csv = await t.http().get('/v1/deliveries?sequence=funnel').set(t.auth).set('Accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,contactId,email,sequence,step,variant,status,reason,attempts,locale,messageId,smtpResponse,dueAt,sentAt,openedAt,clickedAt,' +
        'bouncedAt,complainedAt,softBouncedAt,feedback,resendCount,resendRequestedAt,resendRequestedBy,createdAt',
    );
    expect(lines).toHaveLength(1 + 13);
    const conversionsCsv = await t.http().get('/v1/conversions').set(t.auth).set('Accept', 'text/csv').expect(200);
    expect(conversionsCsv.text.trim().split('\r\n')).toHaveLength(2);
  });

  async function contactId(email: string): Promise<string> {
    return (await t.pool.query(`SELECT id FROM contacts WHERE email = $1`, [email])).rows[0].id;
  }
});
