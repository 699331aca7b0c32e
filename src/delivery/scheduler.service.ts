import { randomUUID } from 'node:crypto';
import os from 'node:os';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import pLimit, { type LimitFunction } from 'p-limit';
import { Coalescer } from '../common/coalescer.js';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Clock } from '../common/clock.js';
import { SchedulerWakeup } from '../common/scheduler-wakeup.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { compileRule, type Rule } from '../segments/segment-rule.js';
import { SegmentRepository } from '../segments/segment.repository.js';
import { DEFAULT_TIMEZONE } from '../sequences/schedule.js';
import { SequenceRepository, type SequenceRow, type StepRow } from '../sequences/sequence.repository.js';
import { TemplateRepository, type TemplateRow } from '../templates/template.repository.js';
import {
  type ClaimedEnrollment,
  DeliveryRepository,
  type EnrollmentUpdate,
  type NoteRow,
  type OutcomeRow,
  type PendingRow,
} from './delivery.repository.js';
import { nextStep, planEnrollment, retryDelayMs } from './delivery-planner.js';
import { MailTransport, SendError } from './mail-transport.js';
import { MessageComposer } from './message-composer.js';

export interface PassResult {
  claimed: number;
  sent: number;
  failed: number;
  skipped: number;
  deferred: number;
  retrying: number;
  unknown: number;
}

const INTERVAL_NAME = 'touchpoint-scheduler';
/** A pass stops claiming after this many enrollments; the rest waits for the next pass. */
const MAX_PER_PASS = 200_000;
const WAKE_SPACING_MS = 250;

interface PassState {
  now: Date;
  /** performance.now() at the start of the pass: leases count real elapsed time, whatever `now` says. */
  startedAt: number;
  owner: string;
  result: PassResult;
  sequences: Map<string, SequenceRow>;
  templates: Map<string, TemplateRow | undefined>;
  rules: Map<string, { sql: string; params: unknown[] } | undefined>;
  /** Sends in flight across the pass's batches (they overlap): the SMTP pool's connections, twice over. */
  sendLimit: LimitFunction;
}

interface SendJob {
  claimed: ClaimedEnrollment;
  sequence: SequenceRow;
  step: StepRow;
  zone: string;
  dueAt: Date;
}

/**
 * The scheduling pass: claim due enrollments in batches, decide per enrollment (planEnrollment), log
 * skips and deferrals, gate each send with a unique delivery row written before the SMTP call, send
 * concurrently over the pooled transport, record outcomes, and move enrollments on.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private passCounter = 0;
  /** Passes of one process run one after another; other instances run alongside via SKIP LOCKED. */
  private chain: Promise<unknown> = Promise.resolve();
  private wakeQueued = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private lastPassStartedAt = 0;
  private stopping = false;

  private readonly passes: Counter;
  private readonly deliveries: Counter<'status' | 'reason'>;
  private readonly claimedTotal: Counter;
  private readonly passSeconds: Histogram;

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly sequences: SequenceRepository,
    private readonly templates: TemplateRepository,
    private readonly segments: SegmentRepository,
    private readonly composer: MessageComposer,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    private readonly registry: SchedulerRegistry,
    private readonly wakeup: SchedulerWakeup,
    metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const register = [metrics.registry];
    this.passes = new Counter({
      name: 'touchpoint_scheduler_passes_total',
      help: 'Scheduler passes run',
      registers: register,
    });
    this.claimedTotal = new Counter({
      name: 'touchpoint_scheduler_claimed_total',
      help: 'Enrollments claimed',
      registers: register,
    });
    this.deliveries = new Counter({
      name: 'touchpoint_deliveries_total',
      help: 'Delivery log rows written, by status and reason',
      labelNames: ['status', 'reason'],
      registers: register,
    });
    this.passSeconds = new Histogram({
      name: 'touchpoint_scheduler_pass_seconds',
      help: 'Duration of scheduler passes',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: register,
    });
    const backlog = () => this.repository.dueBacklog(this.clock.now());
    new Gauge({
      name: 'touchpoint_scheduler_due_backlog',
      help: 'Active enrollments due now (claimed or not)',
      registers: register,
      async collect() {
        this.set(await backlog());
      },
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => this.trigger(), this.config.schedulerIntervalMs),
    );
    this.wakeup.onWake(() => this.wake());
    this.trigger();
  }

  /** Finishes the pass in flight (its claimed enrollments and sends) before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.chain.catch(() => undefined);
  }

  /** Runs one pass now (after any pass in flight), as of `now` when given (the test clock). */
  run(now?: Date): Promise<PassResult> {
    const pass = this.chain.then(() => this.pass(now ?? this.clock.now()));
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  /**
   * A stream of signups wakes the scheduler for each one; spacing wake-triggered passes by WAKE_SPACING_MS
   * lets one pass take them together instead of running a near-empty pass per event, while a lone signup
   * is still sent within a fraction of a second.
   */
  private wake(): void {
    if (this.wakeTimer || this.stopping) return;
    const wait = Math.max(0, this.lastPassStartedAt + WAKE_SPACING_MS - performance.now());
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.trigger();
    }, wait);
  }

  /** Coalesces wake-ups and interval ticks: at most one extra pass is queued behind the running one. */
  private trigger(): void {
    if (this.wakeQueued || this.stopping) return;
    this.wakeQueued = true;
    const pass = this.chain.then(() => {
      this.wakeQueued = false;
      return this.stopping ? undefined : this.pass(this.clock.now());
    });
    this.chain = pass.catch((error: unknown) => this.logger.error({ err: error }, 'scheduler pass failed'));
  }

  private async pass(now: Date): Promise<PassResult> {
    this.lastPassStartedAt = performance.now();
    const stopTimer = this.passSeconds.startTimer();
    const state: PassState = {
      now,
      startedAt: this.lastPassStartedAt,
      owner: `${this.instanceId}:${++this.passCounter}`,
      result: { claimed: 0, sent: 0, failed: 0, skipped: 0, deferred: 0, retrying: 0, unknown: 0 },
      sequences: new Map(),
      templates: new Map(),
      rules: new Map(),
      sendLimit: pLimit(this.sendConcurrency),
    };
    try {
      state.result.unknown = await this.repository.expireInFlight(now);
      if (state.result.unknown > 0) {
        this.deliveries.inc({ status: 'unknown', reason: 'interrupted' }, state.result.unknown);
        this.logger.warn(`${state.result.unknown} interrupted send(s) marked unknown; they are not resent`);
      }
      // Enrollments handled in this pass are not claimed again in it: one step per contact and sequence per pass.
      const seen: string[] = [];
      let previous: Promise<void> = Promise.resolve();
      while (seen.length < MAX_PER_PASS && !this.stopping) {
        const claimed = await this.repository.claim(
          state.owner,
          now,
          this.leaseUntil(state),
          this.config.schedulerBatchSize,
          seen,
        );
        if (claimed.length === 0) break;
        const ids = claimed.map((row) => row.id);
        seen.push(...ids);
        state.result.claimed += ids.length;
        this.claimedTotal.inc(ids.length);
        // Two batches overlap: this one loads and plans while the one before sends its last messages, and
        // the next claim runs while this one sends, so the SMTP connections do not idle between batches.
        const current = this.processBatch(state, ids);
        current.catch(() => undefined); // awaited below, after the batch before it
        try {
          await previous;
        } catch (error) {
          await current.catch(() => undefined);
          throw error;
        }
        previous = current;
      }
      await previous;
      this.passes.inc();
      return state.result;
    } finally {
      stopTimer();
    }
  }

  private async processBatch(state: PassState, ids: string[]): Promise<void> {
    const { now } = state;
    const claimed = await this.repository.loadClaimed(ids);
    const existing = new Map<string, Map<string, { status: string; next_attempt_at: Date | null }>>();
    for (const row of await this.repository.existingDeliveries(ids)) {
      if (!existing.has(row.enrollment_id)) existing.set(row.enrollment_id, new Map());
      existing.get(row.enrollment_id)!.set(row.step_id, row);
    }
    const membership = await this.segmentMembership(state, claimed);

    const notes: NoteRow[] = [];
    const updates: EnrollmentUpdate[] = [];
    const jobs: SendJob[] = [];
    // The last step each enrollment was sent, from the delivery log: a send whose enrollment update a crash
    // lost is counted again this way.
    const lastSent = new Map<string, string>();
    for (const row of claimed) {
      const sequence = await this.sequence(state, row.sequence_id);
      const rows = existing.get(row.enrollment_id);
      const sent = rows && sequence.steps.findLast((step) => rows.get(step.id)?.status === 'sent');
      if (sent) lastSent.set(row.enrollment_id, sent.id);
      const zone = row.timezone ?? sequence.default_timezone ?? DEFAULT_TIMEZONE;
      const plan = planEnrollment({
        now,
        startAt: row.start_at,
        zone,
        window: sequence.send_window,
        steps: sequence.steps,
        currentStepId: row.next_step_id,
        contactStatus: row.contact_status,
        existing: existing.get(row.enrollment_id) ?? new Map(),
        inSegment: (segmentId) => membership.get(segmentId)?.has(row.contact_id) ?? false,
      });
      const note = (step: StepRow, status: NoteRow['status'], reason: string, due: Date, until: Date | null = null) =>
        notes.push({
          contact_id: row.contact_id,
          enrollment_id: row.enrollment_id,
          sequence_id: row.sequence_id,
          step_id: step.id,
          status,
          reason,
          due_at: due.toISOString(),
          next_attempt_at: until?.toISOString() ?? null,
        });
      for (const skip of plan.skips) note(skip.step, 'skipped', skip.reason, skip.dueAt);
      const active = (step: StepRow | null, due: Date | null): EnrollmentUpdate => ({
        id: row.enrollment_id,
        next_step_id: step?.id ?? null,
        next_due_at: due?.toISOString() ?? null,
        status: 'active',
        exit_reason: null,
      });
      const outcome = plan.outcome;
      switch (outcome.kind) {
        case 'send':
          jobs.push({ claimed: row, sequence, step: outcome.step, zone, dueAt: outcome.dueAt });
          break;
        case 'defer':
          note(
            outcome.step,
            'deferred',
            `outside the send window; next opening ${outcome.until.toISOString()}`,
            outcome.dueAt,
            outcome.until,
          );
          updates.push(active(outcome.step, outcome.until));
          break;
        case 'wait':
          updates.push(active(outcome.step, outcome.until));
          break;
        case 'end':
          if (outcome.step) note(outcome.step, 'skipped', outcome.reason, now);
          updates.push({
            id: row.enrollment_id,
            next_step_id: null,
            next_due_at: null,
            status: outcome.status,
            exit_reason: outcome.reason,
          });
          break;
        case 'complete':
          updates.push({
            id: row.enrollment_id,
            next_step_id: null,
            next_due_at: null,
            status: 'completed',
            exit_reason: null,
          });
          break;
      }
    }

    await this.repository.writeNotes(notes, now);
    for (const note of notes) {
      state.result[note.status]++;
      this.deliveries.inc({ status: note.status, reason: note.status === 'deferred' ? 'window' : note.reason });
    }
    updates.push(...(await this.send(state, jobs)));
    for (const update of updates) update.last_sent_step_id ??= lastSent.get(update.id) ?? null;
    await this.repository.updateEnrollments(state.owner, updates, now);
  }

  /** Gates, sends and records the batch's sends; returns how their enrollments move on. */
  private async send(state: PassState, jobs: SendJob[]): Promise<EnrollmentUpdate[]> {
    if (jobs.length === 0) return [];
    const { now } = state;
    // Sends are gated in chunks of the send concurrency, each chunk while the one before it is sending, and
    // each outcome is written right after its send (coalesced). A crash then leaves about two chunks
    // pending and later `unknown` — not the whole batch, most of which was never sent; and the gate costs
    // one statement per chunk (a statement per send cost a fifth of the engine's throughput).
    const concurrency = this.sendConcurrency;
    const chunks = new Map<number, Promise<Map<string, { id: string; attempts: number }>>>();
    const gateChunk = (index: number) => {
      let chunk = chunks.get(index);
      if (!chunk) {
        const rows: PendingRow[] = jobs.slice(index * concurrency, (index + 1) * concurrency).map((job) => ({
          contact_id: job.claimed.contact_id,
          enrollment_id: job.claimed.enrollment_id,
          sequence_id: job.claimed.sequence_id,
          step_id: job.step.id,
          due_at: job.dueAt.toISOString(),
        }));
        chunk =
          rows.length === 0
            ? Promise.resolve(new Map())
            : this.repository
                .insertPending(state.owner, rows, now, this.leaseUntil(state))
                .then((owned) => new Map(owned.map((row) => [row.enrollment_id, row])));
        // A prefetched chunk whose insert fails is reported by the job that awaits it, not as unhandled.
        chunk.catch(() => undefined);
        chunks.set(index, chunk);
      }
      return chunk;
    };
    const outcomes = new Coalescer<OutcomeRow, void>(async (rows) => {
      await this.writeOutcomes(rows, now);
      return rows.map(() => undefined);
    });
    const written: Array<Promise<void>> = [];
    const recorded: OutcomeRow[] = [];

    const bounced: string[] = [];
    const updates: EnrollmentUpdate[] = [];
    const limit = state.sendLimit;
    const settled = await Promise.allSettled(
      jobs.map((job, index) =>
        limit(async () => {
          const { claimed, step } = job;
          // Read before the gate: a database error here leaves no gate row, so the step is simply retried
          // after the lease; past the gate, only SMTP and pure rendering can fail.
          const template = await this.template(state, step.template_id);
          const chunk = Math.floor(index / concurrency);
          const gate = (await gateChunk(chunk)).get(claimed.enrollment_id);
          void gateChunk(chunk + 1);
          const moveOn = (sent: boolean) => {
            const next = nextStep(job.sequence.steps, step, claimed.start_at, job.zone);
            updates.push({
              id: claimed.enrollment_id,
              next_step_id: next?.step.id ?? null,
              next_due_at: next?.dueAt.toISOString() ?? null,
              status: next ? 'active' : 'completed',
              exit_reason: null,
              ...(sent ? { last_sent_step_id: step.id } : {}),
            });
          };
          if (!gate) {
            // The gate refused: an exit won, or the contact is no longer active. Look again next pass.
            updates.push({
              id: claimed.enrollment_id,
              next_step_id: step.id,
              next_due_at: now.toISOString(),
              status: 'active',
              exit_reason: null,
            });
            return;
          }
          const outcome: OutcomeRow = {
            id: gate.id,
            status: 'sent',
            reason: null,
            message_id: null,
            smtp_response: null,
            sent_at: null,
            next_attempt_at: null,
            locale: null,
          };
          try {
            if (!template) throw new Error(`template ${step.template_key} no longer exists`);
            const { message, locale } = this.composer.compose({
              deliveryId: gate.id,
              contact: {
                email: claimed.email!,
                firstName: claimed.first_name,
                lastName: claimed.last_name,
                locale: claimed.locale,
                timezone: job.zone,
                attributes: claimed.attributes,
              },
              sequenceName: job.sequence.name,
              step: { key: step.key, dayOffset: step.day_offset },
              template,
              now,
            });
            outcome.locale = locale;
            outcome.message_id = typeof message.messageId === 'string' ? message.messageId : null;
            const sent = await this.transport.send(message);
            Object.assign(outcome, {
              message_id: sent.messageId,
              smtp_response: sent.response,
              sent_at: now.toISOString(),
            });
            moveOn(true);
          } catch (error) {
            if (error instanceof SendError && error.transient && gate.attempts < this.config.smtpMaxAttempts) {
              const retryAt = new Date(now.getTime() + retryDelayMs(gate.attempts, this.config.smtpRetryBaseMs));
              Object.assign(outcome, {
                status: 'retrying',
                reason: error.response,
                smtp_response: error.response,
                next_attempt_at: retryAt.toISOString(),
              });
              updates.push({
                id: claimed.enrollment_id,
                next_step_id: step.id,
                next_due_at: retryAt.toISOString(),
                status: 'active',
                exit_reason: null,
              });
              return;
            }
            const reason =
              error instanceof SendError
                ? error.transient
                  ? `gave up after ${gate.attempts} attempts: ${error.response}`
                  : error.response
                : `could not build the message: ${(error as Error).message}`;
            Object.assign(outcome, {
              status: 'failed',
              reason,
              smtp_response: error instanceof SendError ? error.response : null,
            });
            if (error instanceof SendError && error.hardBounce) bounced.push(claimed.contact_id);
            moveOn(false);
          } finally {
            recorded.push(outcome);
            written.push(outcomes.submit(outcome));
          }
        }),
      ),
    );
    // Every send that started is recorded before a failure (a lost database connection) ends the pass.
    await Promise.all(written);
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    await this.repository.markBounced(bounced, now);
    for (const outcome of recorded) {
      state.result[outcome.status]++;
      this.deliveries.inc({ status: outcome.status, reason: outcome.status === 'sent' ? '' : 'smtp' });
    }
    return updates;
  }

  /**
   * An outcome records what already happened at the SMTP server; losing it to a database blip would turn a
   * delivered message into `unknown`. So it is retried for a few seconds (the pool reconnects meanwhile).
   */
  private async writeOutcomes(rows: OutcomeRow[], now: Date): Promise<void> {
    for (const delayMs of [200, 1000, 3000]) {
      try {
        return await this.repository.writeOutcomes(rows, now);
      } catch (error) {
        this.logger.warn({ err: error }, `recording ${rows.length} send outcome(s) failed; retrying in ${delayMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    await this.repository.writeOutcomes(rows, now);
  }

  private get sendConcurrency(): number {
    return Math.max(1, this.config.smtpMaxConnections * 2);
  }

  /**
   * A lease runs from the moment it is taken, not from the pass's start: `now` is fixed for the whole
   * pass (the test clock can set it), but a long pass must not hand out leases that are already running out.
   */
  private leaseUntil(state: PassState): Date {
    return new Date(state.now.getTime() + (performance.now() - state.startedAt) + this.config.schedulerLeaseMs);
  }

  private async sequence(state: PassState, id: string): Promise<SequenceRow> {
    let sequence = state.sequences.get(id);
    if (!sequence) {
      sequence = (await this.sequences.findById(id))!;
      state.sequences.set(id, sequence);
    }
    return sequence;
  }

  private async template(state: PassState, id: string): Promise<TemplateRow | undefined> {
    if (!state.templates.has(id)) state.templates.set(id, await this.templates.findById(id));
    return state.templates.get(id);
  }

  /** Members among the batch's contacts of every segment the batch's steps are conditioned on. */
  private async segmentMembership(state: PassState, claimed: ClaimedEnrollment[]): Promise<Map<string, Set<string>>> {
    const segmentIds = new Set<string>();
    for (const row of claimed) {
      for (const step of (await this.sequence(state, row.sequence_id)).steps)
        if (step.segment_id) segmentIds.add(step.segment_id);
    }
    const contactIds = claimed.map((row) => row.contact_id);
    const membership = new Map<string, Set<string>>();
    for (const segmentId of segmentIds) {
      if (!state.rules.has(segmentId)) {
        const segment = await this.segments.findById(segmentId);
        state.rules.set(segmentId, segment ? compileRule(segment.rule as Rule, 'c', 2) : undefined);
      }
      const rule = state.rules.get(segmentId);
      membership.set(
        segmentId,
        rule ? await this.repository.segmentMembers(contactIds, rule.sql, rule.params) : new Set(),
      );
    }
    return membership;
  }
}
