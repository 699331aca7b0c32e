import { dueAt, moveIntoWindow, plannedAt } from './schedule.js';

const iso = (date: Date) => date.toISOString();

describe('due time', () => {
  it('keeps the wall-clock time across the autumn change in Europe/Chisinau', () => {
    // 2026-10-24 10:00 EEST (+03:00); the clocks go back on 2026-10-25.
    const start = new Date('2026-10-24T07:00:00Z');
    expect(iso(dueAt(start, 'Europe/Chisinau', 1))).toBe('2026-10-25T08:00:00.000Z'); // 10:00 EET (+02:00)
    expect(iso(dueAt(start, 'Europe/Chisinau', 0))).toBe('2026-10-24T07:00:00.000Z');
  });

  it('keeps the wall-clock time across the spring change in America/New_York', () => {
    // 2026-03-07 09:30 EST (-05:00); the clocks go forward on 2026-03-08.
    const start = new Date('2026-03-07T14:30:00Z');
    expect(iso(dueAt(start, 'America/New_York', 1))).toBe('2026-03-08T13:30:00.000Z'); // 09:30 EDT (-04:00)
    expect(iso(dueAt(start, 'America/New_York', 7))).toBe('2026-03-14T13:30:00.000Z');
  });

  it('uses `at` on the calendar day in the contact’s zone, not the server’s', () => {
    // Day 0 is 2026-11-24 23:30 in Chisinau (21:30Z); day 1 at 10:00 is 2026-11-25 10:00 local.
    expect(iso(dueAt(new Date('2026-11-24T21:30:00Z'), 'Europe/Chisinau', 1, '10:00'))).toBe(
      '2026-11-25T08:00:00.000Z',
    );
    // The same instant is still 2026-11-24 in New York: day 1 is 2026-11-25 there too, 10:00 EST.
    expect(iso(dueAt(new Date('2026-11-24T21:30:00Z'), 'America/New_York', 1, '10:00'))).toBe(
      '2026-11-25T15:00:00.000Z',
    );
  });
});

describe('send window', () => {
  const window = { from: '09:00', to: '20:00', days: [1, 2, 3, 4, 5, 6] };

  it('leaves a time inside the window alone', () => {
    const time = new Date('2026-11-24T10:00:00Z'); // Tuesday 12:00 in Chisinau
    expect(moveIntoWindow(time, 'Europe/Chisinau', window)).toEqual(time);
  });

  it('moves a late evening to the next morning', () => {
    // Tuesday 21:00 local → Wednesday 09:00 local (07:00Z).
    expect(iso(moveIntoWindow(new Date('2026-11-24T19:00:00Z'), 'Europe/Chisinau', window))).toBe(
      '2026-11-25T07:00:00.000Z',
    );
  });

  it('skips excluded days: Saturday night goes to Monday morning', () => {
    // Saturday 2026-11-28 21:00 local → Monday 2026-11-30 09:00 local.
    expect(iso(moveIntoWindow(new Date('2026-11-28T19:00:00Z'), 'Europe/Chisinau', window))).toBe(
      '2026-11-30T07:00:00.000Z',
    );
  });

  it('handles a window across midnight', () => {
    const night = { from: '22:00', to: '06:00' };
    const at = (time: string) => iso(moveIntoWindow(new Date(time), 'UTC', night));
    expect(at('2026-11-24T23:00:00Z')).toBe('2026-11-24T23:00:00.000Z');
    expect(at('2026-11-25T03:00:00Z')).toBe('2026-11-25T03:00:00.000Z'); // opened yesterday, still open
    expect(at('2026-11-25T12:00:00Z')).toBe('2026-11-25T22:00:00.000Z');
  });

  it('plans a step: due time, then the window', () => {
    const start = new Date('2026-11-24T19:30:00Z'); // Tuesday 21:30 in Chisinau
    expect(iso(plannedAt(start, 'Europe/Chisinau', { dayOffset: 0 }, window))).toBe('2026-11-25T07:00:00.000Z');
    expect(iso(plannedAt(start, 'Europe/Chisinau', { dayOffset: 1, at: '10:00' }, window))).toBe(
      '2026-11-25T08:00:00.000Z',
    );
    expect(iso(plannedAt(start, 'Europe/Chisinau', { dayOffset: 5, at: '10:00' }, window))).toBe(
      '2026-11-30T07:00:00.000Z',
    ); // Sunday 10:00 → Monday 09:00, when the window opens
  });
});
