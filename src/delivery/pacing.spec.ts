import { calendarDeferral, capHold, frequencyDeferral, nextOpening, type SendCalendar } from './pacing.js';

const at = (iso: string) => new Date(iso);
const calendar = (extra: Partial<SendCalendar> = {}): SendCalendar => ({
  zone: 'UTC',
  window: null,
  quietDates: new Set(),
  ...extra,
});

describe('frequency cap: capHold', () => {
  const now = at('2026-11-24T12:00:00Z');

  it('holds nothing without a cap, with an empty ledger, or under every limit', () => {
    expect(capHold([at('2026-11-24T11:00:00Z')], null, now)).toBeUndefined();
    expect(capHold([], { maxPerDay: 1, maxPerWeek: 1, minHoursBetween: 20 }, now)).toBeUndefined();
    expect(capHold([at('2026-11-23T11:00:00Z')], { maxPerDay: 1, minHoursBetween: 20 }, now)).toBeUndefined();
  });

  it('minHoursBetween: until the last send plus the gap; exactly at it the send is allowed', () => {
    const sends = [at('2026-11-24T11:00:00Z'), at('2026-11-24T08:00:00Z')];
    expect(capHold(sends, { minHoursBetween: 20 }, now)).toEqual({
      until: at('2026-11-25T07:00:00Z'),
      rule: 'minHoursBetween 20',
    });
    expect(capHold(sends, { minHoursBetween: 20 }, at('2026-11-25T07:00:00Z'))).toBeUndefined();
  });

  it('maxPerDay: until enough sends have left the rolling 24 hours', () => {
    const sends = [at('2026-11-24T01:00:00Z'), at('2026-11-24T05:00:00Z'), at('2026-11-24T09:00:00Z')];
    // Three in the window and two allowed: a send is allowed once only one remains, so the two oldest must
    // leave; the second of them leaves at 05:00 + 24 h.
    expect(capHold(sends, { maxPerDay: 2 }, now)).toEqual({ until: at('2026-11-25T05:00:00Z'), rule: 'maxPerDay 2' });
    // One allowed: all three must leave, the last at 09:00 + 24 h.
    expect(capHold(sends, { maxPerDay: 1 }, now)?.until).toEqual(at('2026-11-25T09:00:00Z'));
    expect(capHold(sends, { maxPerDay: 3 }, now)?.until).toEqual(at('2026-11-25T01:00:00Z'));
    expect(capHold(sends, { maxPerDay: 4 }, now)).toBeUndefined();
    expect(capHold(sends, { maxPerDay: 2 }, at('2026-11-25T05:00:00Z'))).toBeUndefined();
    expect(capHold(sends, { maxPerDay: 2 }, at('2026-11-25T04:59:59Z'))).toBeDefined();
  });

  it('maxPerWeek counts 7 × 24 hours; a send older than that does not count', () => {
    const sends = [at('2026-11-17T11:00:00Z'), at('2026-11-18T12:00:00Z'), at('2026-11-20T12:00:00Z')];
    expect(capHold(sends, { maxPerWeek: 2 }, now)).toEqual({
      until: at('2026-11-25T12:00:00Z'),
      rule: 'maxPerWeek 2',
    });
  });

  it('the latest of several holds wins and names every rule that held', () => {
    const sends = [at('2026-11-24T02:00:00Z'), at('2026-11-24T11:00:00Z')];
    expect(capHold(sends, { maxPerDay: 1, minHoursBetween: 4 }, now)).toEqual({
      until: at('2026-11-25T11:00:00Z'),
      rule: 'maxPerDay 1, minHoursBetween 4',
    });
  });
});

describe('quiet dates and the send window: nextOpening / calendarDeferral', () => {
  const chisinau = calendar({
    zone: 'Europe/Chisinau',
    window: { from: '09:00', to: '20:00' },
    quietDates: new Set(['2026-12-25']),
  });

  it('a quiet date in the contact’s zone defers to the next local day’s window opening', () => {
    // 23:30 UTC on the 24th is already the 25th in Chisinau (UTC+2).
    const deferral = calendarDeferral(at('2026-12-24T23:30:00Z'), chisinau);
    expect(deferral).toEqual({
      kind: 'quiet-date',
      until: at('2026-12-26T07:00:00Z'),
      reason: 'quiet-date: 2026-12-25 in Europe/Chisinau; next allowed 2026-12-26T09:00:00+02:00',
    });
    // The same instant in UTC is still the 24th, and in the window: sent.
    expect(calendarDeferral(at('2026-12-24T18:30:00Z'), { ...chisinau, zone: 'UTC' })).toBeUndefined();
  });

  it('consecutive quiet dates are all passed over; the reason names the first', () => {
    const quiet = { ...chisinau, quietDates: new Set(['2026-12-25', '2026-12-26', '2026-12-27']) };
    const deferral = calendarDeferral(at('2026-12-25T10:00:00Z'), quiet);
    expect(deferral?.until).toEqual(at('2026-12-28T07:00:00Z'));
    expect(deferral?.reason).toMatch(
      /^quiet-date: 2026-12-25 in Europe\/Chisinau; next allowed 2026-12-28T09:00:00\+02:00$/,
    );
  });

  it('outside the window with no quiet date in the way is a window deferral, as before', () => {
    expect(calendarDeferral(at('2026-12-23T20:30:00Z'), chisinau)).toEqual({
      kind: 'window',
      until: at('2026-12-24T07:00:00Z'),
      reason: 'outside the send window; next opening 2026-12-24T07:00:00.000Z',
    });
  });

  it('a window opening that falls on a quiet date is a quiet-date deferral', () => {
    // 21:00 on the 24th local: the window reopens on the 25th, a quiet date.
    expect(calendarDeferral(at('2026-12-24T19:00:00Z'), chisinau)).toMatchObject({
      kind: 'quiet-date',
      until: at('2026-12-26T07:00:00Z'),
    });
  });

  it('without a window, a quiet date defers to local midnight', () => {
    const { at: opening } = nextOpening(at('2026-12-25T12:00:00Z'), calendar({ quietDates: new Set(['2026-12-25']) }));
    expect(opening).toEqual(at('2026-12-26T00:00:00Z'));
  });
});

describe('frequencyDeferral', () => {
  it('defers to the moment the cap allows, moved past the window and quiet dates, reason first', () => {
    const now = at('2026-12-24T10:00:00Z');
    const deferral = frequencyDeferral(
      [at('2026-12-24T09:00:00Z')],
      { minHoursBetween: 20 },
      now,
      calendar({
        zone: 'Europe/Chisinau',
        window: { from: '09:00', to: '20:00' },
        quietDates: new Set(['2026-12-25']),
      }),
    );
    // 20 h after 09:00Z is the 25th 05:00Z (07:00 local, quiet): the 26th at 09:00 local.
    expect(deferral).toEqual({
      kind: 'frequency',
      until: at('2026-12-26T07:00:00Z'),
      reason: 'frequency: minHoursBetween 20; next allowed 2026-12-26T09:00:00+02:00',
    });
  });
});
