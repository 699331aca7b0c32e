import { DateTime } from 'luxon';
import { pass } from '../support/pass.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

interface Delivery {
  id: string;
  email: string;
  sequence: string;
  step: string;
  status: string;
  reason: string | null;
  sentAt: string | null;
}

/**
 * The frequency cap and quiet dates (API.md, Settings) through the test clock, against a real database and SMTP
 * server: a held send is deferred with its reason, never dropped, and goes out when the rules allow.
 */
describe('journey rules: frequency cap and quiet dates', () => {
  let t: DeliveryTestApp;
  const put = (body: unknown) =>
    t
      .http()
      .put('/v1/settings')
      .set(t.auth)
      .send(body as object)
      .expect(200);
  const deliveries = async (email: string): Promise<Delivery[]> => {
    const contact = await t.pool.query<{ id: string }>(`SELECT id FROM contacts WHERE email = $1`, [email]);
    const response = await t.http().get(`/v1/deliveries?contactId=${contact.rows[0].id}`).set(t.auth).expect(200);
    return response.body.items as Delivery[];
  };
  const enroll = async (sequence: string, email: string, startAt: string) => {
    await t.post(`/v1/sequences/${sequence}/enrollments`, { email, startAt }).expect(201);
  };
  const contact = (email: string, timezone = 'UTC') => t.post('/v1/contacts', { email, timezone }).expect(201);
  const received = (email: string) => t.sink.to(email).length;

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await t
      .post('/v1/templates', {
        key: 'hello',
        name: 'Hello',
        variants: [{ locale: 'en', subject: 'Hello from {{sequence.name}}', html: '<p>Hi</p>' }],
      })
      .expect(201);
    const sequence = async (key: string, extra: object = {}) => {
      await t
        .post('/v1/sequences', {
          key,
          name: key,
          steps: [{ key: 'only', dayOffset: 0, template: 'hello' }],
          ...extra,
        })
        .expect(201);
      await t.post(`/v1/sequences/${key}/activate`, {}).expect(200);
    };
    await sequence('news-a');
    await sequence('news-b');
    await sequence('news-c');
    await sequence('receipts', { transactional: true });
    await sequence('windowed', { sendWindow: { from: '09:00', to: '20:00' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('minHoursBetween 20: of two sequences due the same minute one is sent, the other deferred and sent 20 h later', async () => {
    await put({ frequencyCap: { minHoursBetween: 20 }, quietDates: [] });
    await contact('ana@example.com');
    await enroll('news-a', 'ana@example.com', '2026-11-24T10:00:00Z');
    await enroll('news-b', 'ana@example.com', '2026-11-24T10:00:00Z');

    expect(await pass(t, '2026-11-24T10:01:00Z')).toMatchObject({ claimed: 2, sent: 1, deferred: 1 });
    expect(received('ana@example.com')).toBe(1);
    const [deferred] = (await deliveries('ana@example.com')).filter((row) => row.status === 'deferred');
    expect(deferred.reason).toBe('frequency: minHoursBetween 20; next allowed 2026-11-25T06:01:00Z');

    // Not before the 20 hours are up: the enrollment is not even due.
    expect(await pass(t, '2026-11-25T06:00:00Z')).toMatchObject({ claimed: 0, sent: 0 });
    expect(await pass(t, '2026-11-25T06:01:00Z')).toMatchObject({ claimed: 1, sent: 1, deferred: 0, skipped: 0 });
    expect(received('ana@example.com')).toBe(2);
    const rows = await deliveries('ana@example.com');
    expect(rows.map((row) => [row.status, row.sentAt]).sort()).toEqual([
      ['sent', '2026-11-24T10:01:00.000Z'],
      ['sent', '2026-11-25T06:01:00.000Z'],
    ]);
  });

  it('maxPerDay 2: the third email of a day waits until the rolling 24 hours allow it', async () => {
    await put({ frequencyCap: { maxPerDay: 2 }, quietDates: [] });
    await contact('bob@example.com');
    await enroll('news-a', 'bob@example.com', '2026-11-24T10:00:00Z');
    await enroll('news-b', 'bob@example.com', '2026-11-24T10:00:00Z');
    await enroll('news-c', 'bob@example.com', '2026-11-24T12:00:00Z');

    expect(await pass(t, '2026-11-24T10:00:00Z')).toMatchObject({ sent: 2, deferred: 0 });
    expect(await pass(t, '2026-11-24T12:00:00Z')).toMatchObject({ sent: 0, deferred: 1 });
    const held = (await deliveries('bob@example.com')).find((row) => row.status === 'deferred')!;
    expect(held).toMatchObject({
      sequence: 'news-c',
      reason: 'frequency: maxPerDay 2; next allowed 2026-11-25T10:00:00Z',
    });
    expect(await pass(t, '2026-11-25T10:00:00Z')).toMatchObject({ sent: 1 });
    expect(received('bob@example.com')).toBe(3);
  });

  it('a transactional sequence is never held, and its emails count for the others', async () => {
    await put({ frequencyCap: { maxPerDay: 1 }, quietDates: ['2026-11-27'] });
    await contact('carl@example.com');
    await enroll('news-a', 'carl@example.com', '2026-11-26T23:00:00Z');
    expect(await pass(t, '2026-11-26T23:00:00Z')).toMatchObject({ sent: 1 });
    // A receipt two hours later: over the cap and on a quiet date, sent all the same.
    await enroll('receipts', 'carl@example.com', '2026-11-27T01:00:00Z');
    expect(await pass(t, '2026-11-27T01:00:00Z')).toMatchObject({ sent: 1, deferred: 0 });
    expect(received('carl@example.com')).toBe(2);
    // The next marketing email waits for the receipt to leave the 24 hours.
    await enroll('news-b', 'carl@example.com', '2026-11-28T00:00:00Z');
    expect(await pass(t, '2026-11-28T00:00:00Z')).toMatchObject({ sent: 0, deferred: 1 });
    const held = (await deliveries('carl@example.com')).find((row) => row.status === 'deferred')!;
    expect(held.reason).toBe('frequency: maxPerDay 1; next allowed 2026-11-28T01:00:00Z');
    expect(await pass(t, '2026-11-28T01:00:00Z')).toMatchObject({ sent: 1 });
    expect(received('carl@example.com')).toBe(3);
  });

  it('maxPerWeek 2: a send held five days (past maxLatenessHours 48) is sent then, not skipped as late', async () => {
    await put({ frequencyCap: { maxPerWeek: 2 }, quietDates: [] });
    await contact('fay@example.com');
    await enroll('news-a', 'fay@example.com', '2026-11-29T09:00:00Z');
    await enroll('news-b', 'fay@example.com', '2026-11-30T09:00:00Z');
    await enroll('news-c', 'fay@example.com', '2026-12-01T09:00:00Z');
    for (const day of ['2026-11-29T09:00:00Z', '2026-11-30T09:00:00Z', '2026-12-01T09:00:00Z']) await pass(t, day);
    expect(received('fay@example.com')).toBe(2);
    const held = (await deliveries('fay@example.com')).find((row) => row.status === 'deferred')!;
    expect(held.reason).toBe('frequency: maxPerWeek 2; next allowed 2026-12-06T09:00:00Z');
    expect(await pass(t, '2026-12-06T09:00:00Z')).toMatchObject({ sent: 1, skipped: 0 });
    expect(received('fay@example.com')).toBe(3);
  });

  it('a send that fails takes its reservation back: the retry is not held by the cap for the send that never left', async () => {
    await put({ frequencyCap: { minHoursBetween: 20 }, quietDates: [] });
    await contact('gil@example.com');
    await enroll('news-a', 'gil@example.com', '2026-12-10T10:00:00Z');
    let refused = 0;
    t.sink.respondWith(({ to }) =>
      to.includes('gil@example.com') && refused++ === 0 ? { code: 451, message: '4.3.0 Try again later' } : undefined,
    );
    try {
      expect(await pass(t, '2026-12-10T10:00:00Z')).toMatchObject({ sent: 0, retrying: 1 });
      const ledger = await t.pool.query(
        `SELECT cardinality(p.sends)::int AS n FROM contact_pacing p JOIN contacts c ON c.id = p.contact_id
         WHERE c.email = 'gil@example.com'`,
      );
      expect(ledger.rows).toEqual([{ n: 0 }]);
      expect(await pass(t, '2026-12-10T12:00:00Z')).toMatchObject({ sent: 1, deferred: 0 });
      expect(received('gil@example.com')).toBe(1);
    } finally {
      t.sink.respondWith(() => undefined);
    }
  });

  it('a quiet date in the contact’s own zone defers to the next local day, in the send window', async () => {
    await put({ frequencyCap: null, quietDates: ['2026-12-25'] });
    // 19:00 UTC on the 24th is 08:00 on the 25th in Auckland (UTC+13): the window opens on a quiet date there.
    await contact('dana@example.nz', 'Pacific/Auckland');
    await contact('eve@example.com', 'UTC');
    await enroll('windowed', 'dana@example.nz', '2026-12-24T19:00:00Z');
    await enroll('windowed', 'eve@example.com', '2026-12-24T19:00:00Z');

    expect(await pass(t, '2026-12-24T19:00:00Z')).toMatchObject({ sent: 1, deferred: 1 });
    expect(received('eve@example.com')).toBe(1);
    const [held] = await deliveries('dana@example.nz');
    expect(held).toMatchObject({
      status: 'deferred',
      reason: 'quiet-date: 2026-12-25 in Pacific/Auckland; next allowed 2026-12-26T09:00:00+13:00',
    });
    // Nothing on the quiet day itself, however often the scheduler runs.
    for (const hour of ['2026-12-24T21:00:00Z', '2026-12-25T02:00:00Z', '2026-12-25T10:00:00Z']) {
      expect(await pass(t, hour)).toMatchObject({ sent: 0 });
    }
    expect(await pass(t, '2026-12-25T20:00:00Z')).toMatchObject({ sent: 1 });
    expect(received('dana@example.nz')).toBe(1);
    const [sent] = await deliveries('dana@example.nz');
    const arrival = DateTime.fromISO(sent.sentAt!, { zone: 'Pacific/Auckland' });
    expect(arrival.toFormat('yyyy-MM-dd HH:mm')).toBe('2026-12-26 09:00');
  });
});
