import { Injectable, Logger } from '@nestjs/common';
import { SettingsService } from '../settings/settings.service.js';
import type { SendJob } from './batch-planner.js';
import { DeliveryRepository } from './delivery.repository.js';
import type { NoteRow } from './delivery-rows.js';
import { frequencyDeferral, type JourneyRules } from './pacing.js';
import { PacingRepository } from './pacing.repository.js';
import type { PassState } from './pass-state.js';
import { SchedulerMetrics } from './scheduler-metrics.js';

/**
 * The frequency cap at the send gate. Before a chunk's sends are gated (the never-twice pending rows), each is
 * reserved in its contact's ledger: a non-transactional send the cap refuses becomes a `deferred` row with reason
 * `frequency`, to the first moment the cap allows; a transactional one is recorded (it counts) and never held.
 * A reservation whose send does not go out is taken back when the batch is done.
 */
@Injectable()
export class PacingGate {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly settings: SettingsService,
    private readonly ledger: PacingRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly metrics: SchedulerMetrics,
  ) {}

  /** The pass's rules, read on first use and kept for the rest of the pass. */
  rules(state: PassState): Promise<JourneyRules> {
    state.journey ??= this.settings
      .journey()
      .then((settings) => ({ cap: settings.frequencyCap, quietDates: new Set(settings.quietDates) }));
    return state.journey;
  }

  /** The reservations of one batch's sends. */
  open(state: PassState): PacingSession {
    return new PacingSession(this, state);
  }

  /** Reserves each job's send; returns the reserved ones and the refused ones' deferred rows (already written). */
  async reserve(state: PassState, jobs: SendJob[]): Promise<{ reserved: SendJob[]; deferred: NoteRow[] }> {
    const { now } = state;
    const rules = await this.rules(state);
    const reserved: SendJob[] = [];
    const refused: SendJob[] = [];
    for (const round of rounds(jobs)) {
      const exempt = round.filter((job) => job.sequence.transactional).map((job) => job.claimed.contact_id);
      const allowed = await this.ledger.reserve(
        round.map((job) => job.claimed.contact_id),
        exempt,
        rules.cap,
        now,
      );
      for (const job of round) (allowed.has(job.claimed.contact_id) ? reserved : refused).push(job);
    }
    if (refused.length === 0) return { reserved, deferred: [] };
    const ledgers = await this.ledger.ledgers(refused.map((job) => job.claimed.contact_id));
    const deferred = refused.map((job): NoteRow => {
      const deferral = frequencyDeferral(ledgers.get(job.claimed.contact_id) ?? [], rules.cap, now, {
        zone: job.zone,
        window: job.sequence.send_window,
        quietDates: rules.quietDates,
      });
      return {
        contact_id: job.claimed.contact_id,
        enrollment_id: job.claimed.enrollment_id,
        sequence_id: job.claimed.sequence_id,
        step_id: job.step.id,
        status: 'deferred',
        reason: deferral.reason,
        due_at: job.dueAt.toISOString(),
        next_attempt_at: deferral.until.toISOString(),
        deferral: 'frequency',
      };
    });
    await this.deliveries.writeNotes(deferred, now);
    state.result.deferred += deferred.length;
    this.metrics.deliveries.inc({ status: 'deferred', reason: 'frequency' }, deferred.length);
    return { reserved, deferred };
  }

  /** Takes back reservations whose sends did not go out (best effort: a failure leaves them counted, logged). */
  async release(state: PassState, jobs: SendJob[]): Promise<void> {
    try {
      for (const round of rounds(jobs)) {
        await this.ledger.release(
          round.map((job) => job.claimed.contact_id),
          state.now,
          state.now,
        );
      }
    } catch (error) {
      this.logger.warn({ err: error }, `${jobs.length} frequency-cap reservation(s) of unsent emails stay counted`);
    }
  }
}

/** One batch's reservations: which sends were held back (and until when), and which reserved ones did not go. */
export class PacingSession {
  private readonly held = new Map<string, Date>();
  private readonly reserved = new Set<string>();
  private readonly unsent: SendJob[] = [];

  constructor(
    private readonly gate: PacingGate,
    private readonly state: PassState,
  ) {}

  /** Reserves the jobs' sends; returns those that may go on to the gate. */
  async reserve(jobs: SendJob[]): Promise<SendJob[]> {
    const { reserved, deferred } = await this.gate.reserve(this.state, jobs);
    for (const job of reserved) this.reserved.add(job.claimed.enrollment_id);
    for (const note of deferred) this.held.set(note.enrollment_id, new Date(note.next_attempt_at!));
    return reserved;
  }

  /** When a send the cap held back may go (the enrollment's next due time), or undefined if it was not held. */
  heldUntil(enrollmentId: string): Date | undefined {
    return this.held.get(enrollmentId);
  }

  /** A job that did not send (refused at the gate, failed, retrying): its reservation is to be taken back. */
  notSent(job: SendJob): void {
    if (this.reserved.delete(job.claimed.enrollment_id)) this.unsent.push(job);
  }

  release(): Promise<void> {
    return this.gate.release(this.state, this.unsent.splice(0));
  }
}

/** The jobs in rounds holding each contact at most once (a contact in two sequences due together: two rounds). */
function rounds(jobs: SendJob[]): SendJob[][] {
  const result: SendJob[][] = [];
  const seen = new Map<string, number>();
  for (const job of jobs) {
    const round = seen.get(job.claimed.contact_id) ?? 0;
    seen.set(job.claimed.contact_id, round + 1);
    (result[round] ??= []).push(job);
  }
  return result;
}
