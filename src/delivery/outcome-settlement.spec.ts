import { stepRow } from '../../test/support/step-fixture.js';
import type { SequenceRow } from '../sequences/sequence.repository.js';
import type { SendJob } from './batch-planner.js';
import type { ClaimedEnrollment } from './delivery-rows.js';
import { SendError } from './mail-transport.js';
import { settle } from './outcome-settlement.js';

const step = (key: string, dayOffset: number) => stepRow(key, dayOffset);
const steps = [step('d0', 0), step('d1', 1)];
const claimed = (startAt: Date): ClaimedEnrollment => ({
  enrollment_id: 'e1',
  contact_id: 'c1',
  sequence_id: 's1',
  start_at: startAt,
  next_step_id: 'id-d0',
  email: 'ana@example.test',
  first_name: 'Ana',
  last_name: null,
  locale: 'ro',
  timezone: 'Europe/Chisinau',
  attributes: {},
  contact_status: 'active',
  holdout: false,
  event_name: null,
  event_properties: null,
});
const job = (index = 0, startAt = new Date('2026-11-23T10:00:00Z')): SendJob => ({
  claimed: claimed(startAt),
  sequence: { id: 's1', name: 'S', steps } as SequenceRow,
  step: steps[index],
  zone: 'Europe/Chisinau',
  dueAt: startAt,
});
const now = new Date('2026-11-23T10:00:05Z');
const policy = { maxAttempts: 3, retryBaseMs: 60_000, random: () => 0.5 };
const gate = (attempts = 1) => ({ id: 'd1', attempts });

describe('settle', () => {
  it('records a send and moves to the next step at its due time', () => {
    const result = settle(job(), gate(), { ok: { messageId: '<m@x>', response: '250 ok' }, locale: 'ro' }, now, policy);
    expect(result.outcome).toMatchObject({
      status: 'sent',
      message_id: '<m@x>',
      sent_at: now.toISOString(),
      locale: 'ro',
    });
    expect(result.update).toMatchObject({
      contact_id: 'c1',
      next_step_id: 'id-d1',
      next_due_at: '2026-11-24T10:00:00.000Z',
      status: 'active',
      last_sent_step_id: 'id-d0',
    });
    expect(result.bounced).toBe(false);
  });

  it('completes the enrollment after its last step', () => {
    const result = settle(job(1), gate(), { ok: { messageId: '<m@x>', response: '250' }, locale: null }, now, policy);
    expect(result.update).toMatchObject({ next_step_id: null, next_due_at: null, status: 'completed' });
  });

  it('keeps the enrollment running through its conversion window after the last step, with no step', () => {
    const windowed = { ...job(1), sequence: { ...job(1).sequence, conversion_window_days: 7 } };
    const sent = settle(windowed, gate(), { ok: { messageId: '<m@x>', response: '250' }, locale: null }, now, policy);
    expect(sent.update).toMatchObject({
      next_step_id: null,
      next_due_at: '2026-11-30T10:00:05.000Z',
      status: 'active',
      last_sent_step_id: 'id-d1',
    });
    const failed = settle(windowed, gate(3), { error: new Error('bad template'), locale: null }, now, policy);
    expect(failed.update).toMatchObject({ next_step_id: null, next_due_at: '2026-11-30T10:00:05.000Z' });
  });

  it('retries a transient failure with backoff, staying on the step', () => {
    const error = new SendError('busy', 451, '451 4.3.0 try later');
    const result = settle(job(), gate(1), { error, locale: null }, now, policy);
    expect(result.outcome).toMatchObject({ status: 'retrying', reason: '451 4.3.0 try later' });
    expect(result.outcome.next_attempt_at).toBe(new Date(now.getTime() + 60_000).toISOString());
    expect(result.update).toMatchObject({ next_step_id: 'id-d0', next_due_at: result.outcome.next_attempt_at });
  });

  it('gives up after the attempt limit and moves on', () => {
    const error = new SendError('busy', 451, '451 4.3.0 try later');
    const result = settle(job(), gate(3), { error, locale: null }, now, policy);
    expect(result.outcome).toMatchObject({ status: 'failed', reason: 'gave up after 3 attempts: 451 4.3.0 try later' });
    expect(result.update).toMatchObject({ next_step_id: 'id-d1', status: 'active' });
    expect(result.update).not.toHaveProperty('last_sent_step_id');
  });

  it('keeps a send the SMTP breaker held back retrying, whatever its attempts', () => {
    const error = new SendError('breaker open', undefined, 'SMTP breaker open', 'EBREAKER');
    const result = settle(job(), gate(9), { error, locale: null }, now, policy);
    expect(result.outcome).toMatchObject({ status: 'retrying', reason: 'SMTP breaker open' });
    expect(result.update).toMatchObject({ next_step_id: 'id-d0', status: 'active' });
  });

  it('fails a permanent reply for good; a 5.1.x is a hard bounce', () => {
    const soft = settle(
      job(),
      gate(),
      { error: new SendError('no', 554, '554 5.7.1 rejected'), locale: null },
      now,
      policy,
    );
    expect(soft.outcome).toMatchObject({ status: 'failed', reason: '554 5.7.1 rejected' });
    expect(soft.bounced).toBe(false);
    const hard = settle(
      job(),
      gate(),
      { error: new SendError('no', 550, '550 5.1.1 no such user'), locale: null },
      now,
      policy,
    );
    expect(hard.bounced).toBe(true);
  });

  it('fails a message that could not be built, naming why', () => {
    const result = settle(job(), gate(), { error: new Error('render budget exceeded'), locale: null }, now, policy);
    expect(result.outcome).toMatchObject({
      status: 'failed',
      reason: 'could not build the message: render budget exceeded',
    });
    expect(result.outcome.smtp_response).toBeNull();
  });

  it('drops NUL from a server reply, which PostgreSQL would refuse in a text column', () => {
    const result = settle(
      job(),
      gate(),
      { ok: { messageId: '<m@x>', response: '250 ok\0queued' }, locale: null },
      now,
      policy,
    );
    expect(result.outcome.smtp_response).toBe('250 okqueued');
  });

  it('still records the outcome when the next step cannot be planned, and says why for the enrollment', () => {
    const result = settle(
      job(0, new Date(Number.NaN)),
      gate(),
      { ok: { messageId: '<m@x>', response: '250' }, locale: null },
      now,
      policy,
    );
    expect(result.outcome.status).toBe('sent');
    expect(result.update).toBeInstanceOf(Error);
  });
});
