import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { dueAt } from '../../src/sequences/schedule.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The due time is computed twice: in TypeScript (`dueAt`, the planner and the calendar) and in SQL
 * (`touchpoint_due_at`, enrollment and re-planning). They must agree to the millisecond, or a step would be
 * planned at one time and shown at another. Checked on the real database over its own zone list, with the
 * start times drawn near daylight-saving changes and the `at` times in the hours those changes skip or repeat.
 */
describe('dueAt() and touchpoint_due_at()', () => {
  let t: TestApp;
  let zones: string[];
  /** Zone names that are also abbreviations: AT TIME ZONE reads them as the abbreviation's fixed offset. */
  let abbreviations: Set<string>;

  beforeAll(async () => {
    t = await startTestApp();
    const rows = await t.pool.query<{ name: string }>(`SELECT name FROM pg_timezone_names ORDER BY name`);
    // The zones a contact can have: those both sides know (common/timezones.ts).
    const abbrevs = await t.pool.query<{ abbrev: string }>(`SELECT abbrev FROM pg_timezone_abbrevs`);
    const names = new Set(rows.rows.map((row) => row.name));
    // Only those a contact can have: zone names of the database's own list.
    abbreviations = new Set(abbrevs.rows.map((row) => row.abbrev).filter((abbrev) => names.has(abbrev)));
    zones = rows.rows.map((row) => row.name).filter((name) => IANAZone.isValidZone(name) && !abbreviations.has(name));
  });
  afterAll(() => t.close());

  const inSql = async (startAt: Date, zone: string, dayOffset: number, at: string | null): Promise<Date> =>
    (
      await t.pool.query<{ due: Date }>(`SELECT touchpoint_due_at($1::timestamptz, $2, $3, $4) AS due`, [
        startAt,
        zone,
        dayOffset,
        at,
      ])
    ).rows[0].due;

  const DST_ZONES = [
    'Europe/Chisinau',
    'Europe/London',
    'America/New_York',
    'America/Santiago',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'America/St_Johns',
    'Asia/Tehran',
  ];
  const day = 86_400_000;
  /** Start instants: anywhere in 1990-2040, or within two days of a spring or autumn change. */
  const startAt = fc.oneof(
    fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }),
    fc
      .record({
        year: fc.integer({ min: 2000, max: 2035 }),
        month: fc.constantFrom(2, 3, 9, 10), // March, April, October, November (0-based)
        offset: fc.integer({ min: 0, max: 33 * day }),
      })
      .map(({ year, month, offset }) => new Date(Date.UTC(year, month, 1) + offset - 2 * day)),
  );
  /** HH:mm, often in the small hours a change skips or repeats. */
  const at = fc.oneof(
    fc.constant(null),
    fc
      .record({
        hour: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 23 })),
        minute: fc.integer({ min: 0, max: 59 }),
      })
      .map(({ hour, minute }) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`),
  );
  /** Mostly a few days (so the step lands near the change too), sometimes years (the DTO allows 3650). */
  const dayOffset = fc.oneof(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 3650 }));

  // A disagreement this test found (both databases): a contact in CET, EET, MET or WET gets a due time an hour
  // off in summer from SQL. Those names are zones with daylight saving in tzdata (and for luxon), but
  // PostgreSQL's AT TIME ZONE takes a name that is also an abbreviation as the abbreviation's fixed offset. Left
  // for the zone validation to settle (refuse them, or store the zone they link to); the property above runs on
  // every other zone, and this test says when the list changes.
  it('disagree only for zone names PostgreSQL reads as fixed-offset abbreviations: CET, EET, MET, WET', async () => {
    const summer = new Date('2024-07-15T12:00:00Z');
    const disagreeing: string[] = [];
    for (const name of [...abbreviations].filter((abbrev) => IANAZone.isValidZone(abbrev)).sort()) {
      const sql = await inSql(summer, name, 0, '10:00');
      if (sql.getTime() !== dueAt(summer, name, 0, '10:00').getTime()) disagreeing.push(name);
    }
    expect(disagreeing).toEqual(['CET', 'EET', 'MET', 'WET']);
  });

  // Found by the property below (seed 1670737815): a wall-clock time that a fall-back change repeats. luxon kept
  // the offset its arithmetic started from; AT TIME ZONE takes the offset in force after the change. Both now do.
  it('agree on a wall-clock time a fall-back change repeats, whichever offset day 0 had', async () => {
    const repeated: Array<[Date, string, number, string | null]> = [
      [new Date('2025-06-06T04:00:00Z'), 'America/Santiago', 302, '23:00'], // 23:00 repeats on 2026-04-04
      [new Date('2026-10-24T00:30:00Z'), 'Europe/London', 1, '01:30'], // from summer time, into the repeated hour
      [new Date('2026-10-24T00:30:00Z'), 'Europe/London', 1, null], // day 0's 01:30 BST, one day on
      [new Date('2026-03-28T01:30:00Z'), 'Europe/London', 1, null], // 01:30 is skipped on 2026-03-29
    ];
    for (const [start, zone, offset, time] of repeated) {
      const sql = await inSql(start, zone, offset, time);
      expect({ zone, offset, time, due: dueAt(start, zone, offset, time).toISOString() }).toEqual({
        zone,
        offset,
        time,
        due: sql.toISOString(),
      });
    }
    // The later of the two instants: 23:00 at -04, after Chile's change, not 23:00 at -03.
    expect(dueAt(new Date('2025-06-06T04:00:00Z'), 'America/Santiago', 302, '23:00').toISOString()).toBe(
      '2026-04-05T03:00:00.000Z',
    );
  });

  it('agree over the database’s zones, daylight-saving days, offsets and `at` times', async () => {
    expect(zones.length).toBeGreaterThan(300);
    const zone = fc.oneof(fc.constantFrom(...zones), fc.constantFrom(...DST_ZONES));
    await fc.assert(
      fc.asyncProperty(startAt, zone, dayOffset, at, async (start, name, offset, time) => {
        const expected = dueAt(start, name, offset, time);
        const actual = await inSql(start, name, offset, time);
        expect({ start, name, offset, time, due: actual.toISOString() }).toEqual({
          start,
          name,
          offset,
          time,
          due: expected.toISOString(),
        });
      }),
      { numRuns: 400 },
    );
  });
});
