import { stepRow } from '../../test/support/step-fixture.js';

import { planEnrollment, type PlannerInput, retryDelayMs } from './delivery-planner.js';
import { SendError } from './mail-transport.js';

const step = stepRow;

const steps = [step('d0', 0), step('d1', 1), step('d7', 7, { segment_id: 'vip' }), step('d21', 21)];
const start = new Date('2026-11-23T10:00:00Z'); // Monday

function plan(now: string, overrides: Partial<PlannerInput> = {}) {
  return planEnrollment({
    now: new Date(now),
    startAt: start,
    zone: 'UTC',
    window: null,
    steps,
    currentStepId: 'id-d0',
    contactStatus: 'active',
    existing: new Map(),
    inSegment: () => true,
    quietDates: new Set(),
    transactional: false,
    ...overrides,
  });
}

describe('planEnrollment', () => {
  it('sends a due step', () => {
    expect(plan('2026-11-23T10:00:00Z').outcome).toMatchObject({ kind: 'send', step: { key: 'd0' } });
  });

  it('waits for a step that is not due yet', () => {
    const result = plan('2026-11-24T09:00:00Z', { currentStepId: 'id-d1' });
    expect(result.outcome).toEqual({ kind: 'wait', step: steps[1], until: new Date('2026-11-24T10:00:00Z') });
  });

  it('skips overdue steps as late and sends the first one still on time', () => {
    const result = plan('2026-11-25T11:00:00Z'); // d0 is 49 h late, d1 25 h
    expect(result.skips.map((skip) => [skip.step.key, skip.reason])).toEqual([['d0', 'late']]);
    expect(result.outcome).toMatchObject({ kind: 'send', step: { key: 'd1' } });
  });

  it('skips a step for a segment the contact is not in, and goes on', () => {
    const result = plan('2026-11-30T10:00:00Z', { currentStepId: 'id-d7', inSegment: () => false });
    expect(result.skips.map((skip) => [skip.step.key, skip.reason])).toEqual([['d7', 'segment']]);
    expect(result.outcome).toMatchObject({ kind: 'wait', step: { key: 'd21' } });
  });

  it('defers to the window’s next opening', () => {
    const window = { from: '09:00', to: '20:00' };
    const result = plan('2026-11-23T21:00:00Z', { startAt: new Date('2026-11-23T21:00:00Z'), window });
    expect(result.outcome).toMatchObject({ kind: 'defer', until: new Date('2026-11-24T09:00:00Z') });
  });

  it('measures lateness from the planned (window-moved) time, not the raw due time', () => {
    const window = { from: '09:00', to: '20:00', days: [1, 2, 3, 4, 5] };
    // Due Friday 21:00; the window reopens Monday 09:00, 60 h later: on time then, not late.
    const friday = new Date('2026-11-27T21:00:00Z');
    const result = plan('2026-11-30T09:00:00Z', { startAt: friday, window });
    expect(result.skips).toEqual([]);
    expect(result.outcome).toMatchObject({ kind: 'send', step: { key: 'd0' } });
  });

  it('defers a step due on a quiet date in the contact’s zone to the next local day, window applied', () => {
    const window = { from: '09:00', to: '20:00' };
    // Due 2026-11-23 10:00 UTC = 12:00 in Chisinau, a quiet date there.
    const result = plan('2026-11-23T10:00:00Z', {
      zone: 'Europe/Chisinau',
      window,
      quietDates: new Set(['2026-11-23']),
    });
    expect(result.outcome).toMatchObject({
      kind: 'defer',
      until: new Date('2026-11-24T07:00:00Z'),
      deferral: {
        kind: 'quiet-date',
        reason: 'quiet-date: 2026-11-23 in Europe/Chisinau; next allowed 2026-11-24T09:00:00+02:00',
      },
    });
    // The same date is not quiet in a zone where that instant is another day.
    const tokyo = plan('2026-11-23T16:00:00Z', { zone: 'Asia/Tokyo', quietDates: new Set(['2026-11-23']) });
    expect(tokyo.outcome).toMatchObject({ kind: 'send' });
  });

  it('a transactional sequence ignores quiet dates (not the send window)', () => {
    const quiet = { quietDates: new Set(['2026-11-23']), transactional: true };
    expect(plan('2026-11-23T10:00:00Z', quiet).outcome).toMatchObject({ kind: 'send', step: { key: 'd0' } });
    const window = { from: '12:00', to: '20:00' };
    expect(plan('2026-11-23T10:00:00Z', { ...quiet, window }).outcome).toMatchObject({
      kind: 'defer',
      deferral: { kind: 'window' },
    });
  });

  it('does not count a quiet-date or frequency deferral as lateness: it counts from the deferral’s target', () => {
    // d0 was due 2026-11-23 10:00 and deferred (by a run of quiet dates or the cap) to 2026-11-26 10:00: 72 h
    // after its due time, past maxLatenessHours 48, it is sent, not skipped as late.
    const deferred = new Map([['id-d0', { status: 'deferred', next_attempt_at: new Date('2026-11-26T10:00:00Z') }]]);
    const result = plan('2026-11-26T10:05:00Z', { existing: deferred });
    expect(result.skips).toEqual([]);
    expect(result.outcome).toMatchObject({ kind: 'send', step: { key: 'd0' } });
    // Lateness still applies from that target: 49 h after it, the step is late.
    const later = plan('2026-11-28T11:05:00Z', { existing: deferred, currentStepId: 'id-d0' });
    expect(later.skips[0]).toMatchObject({ step: { key: 'd0' }, reason: 'late' });
  });

  it('waits while a send is in flight or a retry is backing off, and retries without lateness', () => {
    const pending = new Map([['id-d0', { status: 'pending', next_attempt_at: new Date('2026-11-23T10:05:00Z') }]]);
    expect(plan('2026-11-23T10:01:00Z', { existing: pending }).outcome).toMatchObject({ kind: 'wait' });
    const retrying = new Map([['id-d0', { status: 'retrying', next_attempt_at: new Date('2026-11-26T10:00:00Z') }]]);
    expect(plan('2026-11-25T10:00:00Z', { existing: retrying }).outcome).toMatchObject({ kind: 'wait' });
    expect(plan('2026-11-26T10:00:00Z', { existing: retrying }).outcome).toMatchObject({
      kind: 'send',
      step: { key: 'd0' },
    });
  });

  it('passes finished steps and completes after the last', () => {
    const done = new Map(steps.map((s) => [s.id, { status: 'sent', next_attempt_at: null }]));
    expect(plan('2026-12-20T10:00:00Z', { existing: done, currentStepId: 'id-d21' }).outcome).toEqual({
      kind: 'complete',
    });
  });

  it('ends the enrollment of a contact who unsubscribed, bounced or was erased', () => {
    expect(plan('2026-11-23T10:00:00Z', { contactStatus: 'unsubscribed' }).outcome).toMatchObject({
      kind: 'end',
      status: 'unsubscribed',
    });
    expect(plan('2026-11-23T10:00:00Z', { contactStatus: 'bounced' }).outcome).toMatchObject({
      kind: 'end',
      status: 'bounced',
    });
    expect(plan('2026-11-23T10:00:00Z', { contactStatus: 'erased' }).outcome).toMatchObject({
      kind: 'end',
      status: 'exited',
    });
  });
});

describe('retry policy', () => {
  it('backs off exponentially with ±50% jitter, capped at 6 hours', () => {
    expect(retryDelayMs(1, 60_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(3, 60_000, () => 0.5)).toBe(240_000);
    expect(retryDelayMs(3, 60_000, () => 0)).toBe(120_000);
    expect(retryDelayMs(3, 60_000, () => 0.999)).toBeLessThan(360_000);
    expect(retryDelayMs(30, 60_000, () => 0.5)).toBe(6 * 3_600_000);
  });

  it.each([
    [451, '451 4.3.0 Try later', true, false],
    [undefined, 'ECONNRESET', true, false],
    [550, '550 5.1.1 No such user', false, true],
    [550, '550 5.7.1 Rejected by policy', false, false],
    [552, '552 5.2.2 Mailbox full', false, false],
    [553, '553 Mailbox name not allowed', false, true],
  ])('SMTP %s "%s": transient %s, hard bounce %s', (code, response, transient, bounce) => {
    const error = new SendError(response, code, response);
    expect(error.transient).toBe(transient);
    expect(error.hardBounce).toBe(bounce);
  });
});
