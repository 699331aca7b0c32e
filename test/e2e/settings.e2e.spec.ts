import fc from 'fast-check';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Settings (API.md v1.1): the frequency cap and quiet dates, validated and replaced whole. */
describe('settings API', () => {
  let t: TestApp;
  const put = (body: unknown) =>
    t
      .http()
      .put('/v1/settings')
      .set(t.auth)
      .send(body as object);
  const get = () => t.http().get('/v1/settings').set(t.auth).expect(200);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('starts with no cap and no quiet dates, and needs the admin key', async () => {
    expect((await get()).body).toEqual({ frequencyCap: null, quietDates: [] });
    await t.http().get('/v1/settings').expect(401);
    await t.http().put('/v1/settings').send({ frequencyCap: null, quietDates: [] }).expect(401);
  });

  it('round-trips a whole object, and a PUT replaces it whole', async () => {
    const settings = {
      frequencyCap: { maxPerDay: 2, maxPerWeek: 5, minHoursBetween: 20 },
      quietDates: ['2026-12-25', '2027-01-01'],
    };
    expect((await put(settings).expect(200)).body).toEqual(settings);
    expect((await get()).body).toEqual(settings);

    expect((await put({ frequencyCap: { minHoursBetween: 4 }, quietDates: [] }).expect(200)).body).toEqual({
      frequencyCap: { minHoursBetween: 4 },
      quietDates: [],
    });
    // Fields left out are reset, not kept: PUT is a replacement.
    expect((await put({}).expect(200)).body).toEqual({ frequencyCap: null, quietDates: [] });
    expect((await get()).body).toEqual({ frequencyCap: null, quietDates: [] });
  });

  it('names every bad field in one 400 and writes nothing', async () => {
    const kept = { frequencyCap: { maxPerDay: 3 }, quietDates: ['2026-12-31'] };
    await put(kept).expect(200);

    const response = await put({
      frequencyCap: { maxPerDay: 0, maxPerWeek: 1.5, minHoursBetween: 169 },
      quietDates: ['2026-02-30', '2026-12-25', '2026-12-25', '25.12.2026', 7],
    }).expect(400);
    const messages = (response.body as { message: string[] }).message;
    const named = (field: string) => messages.filter((message) => message.startsWith(field));
    expect(named('frequencyCap.maxPerDay')).toHaveLength(1);
    expect(named('frequencyCap.maxPerWeek')).toHaveLength(1);
    expect(named('frequencyCap.minHoursBetween')).toEqual([
      'frequencyCap.minHoursBetween must not be greater than 168',
    ]);
    expect(messages).toContain(
      'quietDates must hold real calendar dates YYYY-MM-DD; not: "2026-02-30", "25.12.2026", 7',
    );
    expect(messages).toContain('quietDates must not repeat a date');
    expect((await get()).body).toEqual(kept);

    const shapes = [
      { frequencyCap: 'daily', quietDates: [] },
      { frequencyCap: [], quietDates: [] },
      { frequencyCap: { maxPerDay: '2' }, quietDates: [] },
      { frequencyCap: { maxPerMonth: 10 }, quietDates: [] },
      { frequencyCap: null, quietDates: '2026-12-25' },
      { frequencyCap: null, quietDates: [], extra: true },
    ];
    for (const body of shapes) {
      const refused = await put(body).expect(400);
      expect((refused.body as { message: string[] }).message.length).toBeGreaterThan(0);
    }
    expect((await get()).body).toEqual(kept);
  });

  it('answers any body below 500; a 400 writes nothing and a 200 is what GET then returns', async () => {
    const limit = fc.oneof(
      fc.integer({ min: -2, max: 200 }),
      fc.double(),
      fc.string(),
      fc.constant(null),
      fc.anything(),
    );
    const date = fc.oneof(
      fc
        .date({ min: new Date('1900-01-01'), max: new Date('2300-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.constantFrom('2026-02-29', '2028-02-29', '2026-13-01', '2026-1-1', '2026-12-25 '),
      fc.string({ maxLength: 12 }),
      fc.anything(),
    );
    const cap = fc.oneof(
      fc.constant(null),
      fc.record(
        { maxPerDay: limit, maxPerWeek: limit, minHoursBetween: limit, extra: fc.anything() },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    const body = fc.oneof(
      fc.record(
        { frequencyCap: cap, quietDates: fc.oneof(fc.array(date, { maxLength: 6 }), fc.anything()) },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const before = (await get()).body as unknown;
        const response = await t
          .http()
          .put('/v1/settings')
          .set(t.auth)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(value ?? null));
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          expect((await get()).body).toEqual(before);
        } else {
          expect(response.status).toBe(200);
          expect((await get()).body).toEqual(response.body);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    );
  });
});
