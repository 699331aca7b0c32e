import { stepRow } from '../../test/support/step-fixture.js';
import type { SequenceRow, StepRow } from '../sequences/sequence.repository.js';
import { planBatch } from './batch-planner.js';
import type { ClaimedEnrollment } from './delivery-rows.js';

const step = (key: string, dayOffset: number, extra: Partial<StepRow> = {}) =>
  stepRow(key, dayOffset, { at_time: '10:00', ...extra });
const sequence = {
  id: 's1',
  name: 'S',
  send_window: null,
  default_timezone: null,
  steps: [step('d0', 0), step('d1', 1)],
};
const enrollment = (id: string, startAt: string, extra: Partial<ClaimedEnrollment> = {}): ClaimedEnrollment => ({
  enrollment_id: id,
  contact_id: `c-${id}`,
  sequence_id: 's1',
  start_at: new Date(startAt),
  next_step_id: 'id-d0',
  email: `${id}@example.test`,
  first_name: null,
  last_name: null,
  locale: null,
  timezone: 'America/New_York',
  attributes: {},
  contact_status: 'active',
  holdout: false,
  event_name: null,
  event_properties: null,
  ...extra,
});
const input = (claimed: ClaimedEnrollment[], existing = new Map()) => ({
  now: new Date('2026-11-24T15:10:00Z'),
  claimed,
  sequences: new Map([['s1', sequence as unknown as SequenceRow]]),
  existing,
  membership: new Map<string, Set<string>>(),
  quietDates: new Set<string>(),
});

describe('planBatch', () => {
  it('turns each enrollment into a send, a note or an update', () => {
    const plan = planBatch(
      input([
        enrollment('due', '2026-11-24T15:00:00Z'),
        enrollment('later', '2026-11-25T16:00:00Z'),
        enrollment('gone', '2026-11-24T15:00:00Z', { contact_status: 'unsubscribed' }),
      ]),
    );
    expect(plan.jobs.map((job) => job.claimed.enrollment_id)).toEqual(['due']);
    expect(plan.updates.map((update) => [update.id, update.status])).toEqual([
      ['later', 'active'],
      ['gone', 'unsubscribed'],
    ]);
    expect(plan.notes).toEqual([
      expect.objectContaining({ enrollment_id: 'gone', status: 'skipped', reason: 'unsubscribed' }),
    ]);
    expect(plan.poisoned).toEqual([]);
  });

  it('poisons only the enrollment whose planning throws, leaving nothing of it in the plan', () => {
    const plan = planBatch(input([enrollment('bad', 'not a date'), enrollment('due', '2026-11-24T15:00:00Z')]));
    expect(plan.poisoned).toEqual([
      expect.objectContaining({ stepId: 'id-d0', reason: expect.stringMatching(/^could not be processed: /) }),
    ]);
    expect(plan.poisoned[0].claimed.enrollment_id).toBe('bad');
    expect(plan.jobs.map((job) => job.claimed.enrollment_id)).toEqual(['due']);
    expect([...plan.notes, ...plan.updates].some((row) => JSON.stringify(row).includes('bad'))).toBe(false);
  });

  it('sends a held-out enrollment nothing: it waits for its last step’s due time, then completes', () => {
    const held = (id: string, startAt: string, extra: Partial<ClaimedEnrollment> = {}) =>
      enrollment(id, startAt, { holdout: true, ...extra });
    const plan = planBatch(
      input([
        held('waiting', '2026-11-24T15:00:00Z'),
        held('over', '2026-11-20T15:00:00Z'),
        held('gone', '2026-11-24T15:00:00Z', { contact_status: 'bounced' }),
      ]),
    );
    expect(plan.jobs).toEqual([]);
    expect(plan.notes).toEqual([]);
    expect(plan.updates).toEqual([
      expect.objectContaining({
        id: 'waiting',
        status: 'active',
        next_step_id: 'id-d1',
        next_due_at: '2026-11-25T15:00:00.000Z',
      }),
      expect.objectContaining({ id: 'over', status: 'completed', next_due_at: null }),
      expect.objectContaining({ id: 'gone', status: 'bounced', exit_reason: 'bounced' }),
    ]);
  });

  it('writes each deferral with its reason and kind: the send window, or a quiet date in the contact’s zone', () => {
    const windowed = { ...sequence, send_window: { from: '09:00', to: '20:00' } };
    const sequences = new Map([['s1', windowed as unknown as SequenceRow]]);
    // At 15:10 UTC it is 10:10 on 2026-11-24 in New York (window open, but a quiet date) and 00:10 on the 25th
    // in Tokyo (not quiet, but outside the window).
    const plan = planBatch({
      ...input([
        enrollment('quiet', '2026-11-24T15:00:00Z'),
        enrollment('early', '2026-11-24T00:00:00Z', { timezone: 'Asia/Tokyo' }),
      ]),
      now: new Date('2026-11-24T15:10:00Z'),
      sequences,
      quietDates: new Set(['2026-11-24']),
    });
    expect(plan.jobs).toEqual([]);
    expect(plan.notes).toEqual([
      expect.objectContaining({
        enrollment_id: 'quiet',
        status: 'deferred',
        deferral: 'quiet-date',
        reason: 'quiet-date: 2026-11-24 in America/New_York; next allowed 2026-11-25T09:00:00-05:00',
        next_attempt_at: '2026-11-25T14:00:00.000Z',
      }),
      expect.objectContaining({
        enrollment_id: 'early',
        status: 'deferred',
        deferral: 'window',
        reason: 'outside the send window; next opening 2026-11-25T00:00:00.000Z',
      }),
    ]);
  });

  it('runs an enrollment past its last step through the conversion window, then completes it', () => {
    const windowed = { ...sequence, conversion_window_days: 7 } as unknown as SequenceRow;
    const sentBoth = new Map([
      ['id-d0', { status: 'sent', next_attempt_at: null }],
      ['id-d1', { status: 'skipped', next_attempt_at: null }],
    ]);
    const plan = (row: ClaimedEnrollment) =>
      planBatch({ ...input([row], new Map([[row.enrollment_id, sentBoth]])), sequences: new Map([['s1', windowed]]) })
        .updates[0];
    // Just past its last step (claimed at it): the window starts now.
    expect(plan(enrollment('last', '2026-11-20T15:00:00Z', { next_step_id: 'id-d1' }))).toMatchObject({
      status: 'active',
      next_step_id: null,
      next_due_at: '2026-12-01T15:10:00.000Z',
    });
    // Claimed with no step: the window is over.
    expect(plan(enrollment('over', '2026-11-10T15:00:00Z', { next_step_id: null }))).toMatchObject({
      status: 'completed',
      next_due_at: null,
    });
    // Held out: the window runs from the last step's due time, as a treated enrollment's from its send.
    const held = planBatch({
      ...input([enrollment('held', '2026-11-20T15:00:00Z', { holdout: true, next_step_id: 'id-d1' })]),
      sequences: new Map([['s1', windowed]]),
    }).updates[0];
    expect(held).toMatchObject({ status: 'active', next_step_id: null, next_due_at: '2026-11-28T15:00:00.000Z' });
  });

  it('repairs the last step sent from the delivery log (an update a crash lost)', () => {
    const existing = new Map([['due', new Map([['id-d0', { status: 'sent', next_attempt_at: null }]])]]);
    const plan = planBatch(input([enrollment('due', '2026-11-23T15:00:00Z', { next_step_id: 'id-d1' })], existing));
    expect(plan.lastSent.get('due')).toBe('id-d0');
  });
});
