import { DataSource } from 'typeorm';
import { KnownTimeZones1764600000000 } from '../../src/database/migrations/1764600000000-known-time-zones.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * Dates and zones are checked at every door against what the engine's calendar and PostgreSQL both accept:
 * a bounded range of real instants (no roll-over) and zones both luxon and the database know.
 */
describe('dates and zones the database accepts', () => {
  let t: DeliveryTestApp;
  const post = (path: string, body: unknown) => t.post(path, body);
  const get = (path: string) => t.http().get(path).set(t.auth);
  const count = async (table: string) => (await t.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await post('/v1/templates', {
      key: 'hello',
      name: 'Hello',
      variants: [{ locale: 'en', subject: 'Hello', html: '<p>Hello</p>' }],
    }).expect(201);
    await post('/v1/sequences', {
      key: 'webinar',
      name: 'Webinar',
      triggerEvent: 'signup',
      steps: [{ key: 'welcome', dayOffset: 0, at: '10:00', template: 'hello' }],
    }).expect(201);
    await post('/v1/sequences/webinar/activate', {}).expect(200);
    await post('/v1/contacts', { email: 'known@dates.test', timezone: 'America/New_York' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const badInstants = [
    ['0001-01-01T00:00:00Z', /from 1970-01-01/],
    ['0000-01-01T00:00Z', /from 1970-01-01/],
    ['9999-12-31T00:00:00Z', /before 2200-01-01/],
    ['1969-12-31T23:59:59Z', /from 1970-01-01/],
    ['2026-02-30T10:00:00Z', /real calendar date/],
    ['2026-02-31T99:00Z', /real calendar date/],
    ['2026-11-24 10:00', /ISO 8601 time with an offset/],
  ] as const;

  it.each(badInstants)('refuses occurredAt %s with a 400 naming it, and writes nothing', async (value, problem) => {
    const before = [await count('contacts'), await count('events'), await count('enrollments')];
    for (const email of ['known@dates.test', 'new@dates.test']) {
      const response = await post('/v1/events', { email, name: 'signup', occurredAt: value }).expect(400);
      expect(response.body.message).toEqual([expect.stringMatching(/^occurredAt /)]);
      expect(response.body.message[0]).toMatch(problem);
    }
    expect([await count('contacts'), await count('events'), await count('enrollments')]).toEqual(before);
  });

  it('refuses the same at the other doors: startAt, the test clock, and the logs’ and funnel’s filters', async () => {
    const [value] = badInstants[0];
    const single = await post('/v1/sequences/webinar/enrollments', { email: 'known@dates.test', startAt: value });
    expect(single.status).toBe(400);
    expect(single.body.message).toEqual([expect.stringMatching(/^startAt must be from 1970/)]);
    await post('/v1/segments', {
      key: 'all',
      name: 'All',
      rule: { all: [{ field: 'email', op: 'contains', value: '@' }] },
    }).expect(201);
    await post('/v1/sequences/webinar/enrollments', { segment: 'all', startAt: '2026-02-30T10:00:00Z' }).expect(400);
    expect(await count('enrollments')).toBe(0);
    const pass = await post('/v1/scheduler/run', { now: '9999-12-31T00:00:00Z' }).expect(400);
    expect(pass.body.message).toEqual([expect.stringMatching(/^now must be/)]);
    for (const path of [
      '/v1/deliveries?since=2026-02-31T99:00Z',
      '/v1/conversions?until=2026-02-31T99:00Z',
      '/v1/sequences/webinar/funnel?since=0001-01-01T00:00:00Z',
    ]) {
      const response = await get(path).expect(400);
      expect(response.body.message[0]).toMatch(/^(since|until) must be/);
    }
  });

  it('accepts real instants at the edges, with any offset', async () => {
    await post('/v1/events', {
      email: 'known@dates.test',
      name: 'signup',
      occurredAt: '2028-02-29T10:00:00+02:00',
    }).expect(202);
    await post('/v1/events', { email: 'edge@dates.test', name: 'visit', occurredAt: '1970-01-01T00:00:00Z' }).expect(
      202,
    );
    await get('/v1/deliveries?since=2199-12-31T23:59:59Z').expect(200);
  });

  it.each(['US/Pacific-New', 'Canada/East-Saskatchewan', 'Mars/Olympus'])(
    'refuses the zone %s, which PostgreSQL does not know, at every door',
    async (zone) => {
      const contact = await post('/v1/contacts', { email: 'zone@dates.test', timezone: zone }).expect(400);
      expect(contact.body.message).toEqual([expect.stringMatching(/^timezone must be an IANA time zone/)]);
      const imported = await post('/v1/contacts/import', [{ email: 'zone@dates.test', timezone: zone }]).expect(200);
      expect(imported.body).toMatchObject({
        created: 0,
        rejected: [{ row: 1, errors: [expect.stringMatching(/timezone/)] }],
      });
      await post('/v1/events', { email: 'zone@dates.test', name: 'signup', contact: { timezone: zone } }).expect(400);
      const sequence = await t
        .http()
        .put('/v1/sequences/webinar')
        .set(t.auth)
        .send({
          name: 'Webinar',
          triggerEvent: 'signup',
          timezone: zone,
          steps: [{ key: 'welcome', dayOffset: 0, at: '10:00', template: 'hello' }],
        });
      expect(sequence.status).toBe(400);
      expect(await count(`contacts WHERE email = 'zone@dates.test'`)).toBe(0);
    },
  );

  it('refuses CET, EET, MET and WET, which the database reads as fixed offsets without daylight saving', async () => {
    for (const zone of ['CET', 'eet', 'MET', 'WET']) {
      const response = await post('/v1/contacts', { email: 'cet@dates.test', timezone: zone }).expect(400);
      expect(response.body.message).toEqual([
        expect.stringMatching(/^timezone is read by the database as the fixed-offset abbreviation .+ use a city zone/),
      ]);
    }
    await post('/v1/contacts', { email: 'utc@dates.test', timezone: 'UTC' }).expect(201);
    await post('/v1/contacts', { email: 'est@dates.test', timezone: 'EST' }).expect(201);
  });

  it('accepts zones the database knows, in any case', async () => {
    await post('/v1/contacts', { email: 'kyiv@dates.test', timezone: 'Europe/Kyiv' }).expect(201);
    await post('/v1/contacts', { email: 'lower@dates.test', timezone: 'europe/chisinau' }).expect(201);
  });

  it('clears zones stored before they were checked, so the contact’s signups enroll again', async () => {
    await t.pool.query(`INSERT INTO contacts (email, timezone) VALUES ('stored@dates.test', 'US/Pacific-New')`);
    await t.pool.query(`INSERT INTO contacts (email, timezone) VALUES ('stored-cet@dates.test', 'CET')`);
    const broken = await post('/v1/events', { email: 'stored@dates.test', name: 'signup' });
    expect(broken.status).toBeGreaterThanOrEqual(400);
    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      await new KnownTimeZones1764600000000().up(runner);
    } finally {
      await runner.release();
    }
    const contact = await t.pool.query(`SELECT timezone FROM contacts WHERE email = 'stored@dates.test'`);
    expect(contact.rows).toEqual([{ timezone: null }]);
    const cet = await t.pool.query(`SELECT timezone FROM contacts WHERE email = 'stored-cet@dates.test'`);
    expect(cet.rows).toEqual([{ timezone: 'Europe/Brussels' }]);
    await post('/v1/events', { email: 'stored@dates.test', name: 'signup' }).expect(202);
    expect(
      await count(`enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = 'stored@dates.test'`),
    ).toBe(1);
  });
});
