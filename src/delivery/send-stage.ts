import { Inject, Injectable, Logger } from '@nestjs/common';
import { Coalescer } from '../common/coalescer.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { trackingOf } from '../sequences/sequence.service.js';
import { TemplateRepository, type TemplateRow } from '../templates/template.repository.js';
import { chooseStepVariant } from '../experiments/variant-choice.js';
import type { Poisoned, SendJob } from './batch-planner.js';
import { describe } from './batch-planner.js';
import { DeliveryRepository } from './delivery.repository.js';
import type { EnrollmentUpdate, OutcomeRow, PendingRow } from './delivery-rows.js';
import { MailTransport } from './mail-transport.js';
import { MessageComposer } from './message-composer.js';
import { type SendAttempt, settle } from './outcome-settlement.js';
import { PacingGate } from './pacing-gate.js';
import { leaseUntil, type PassState } from './pass-state.js';
import { warnUnsent } from './outcome-log.js';
import { writeIsolated } from './row-isolation.js';
import { SchedulerMetrics } from './scheduler-metrics.js';

type Gate = { id: string; attempts: number };

export interface SendStageResult {
  updates: EnrollmentUpdate[];
  poisoned: Poisoned[];
}

/**
 * The send stage of a batch: gate each send with its delivery row (written before the SMTP call: never
 * twice), compose, send over the pooled transport, record the outcome, and say how each enrollment moves on.
 */
@Injectable()
export class SendStage {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly templates: TemplateRepository,
    private readonly composer: MessageComposer,
    private readonly transport: MailTransport,
    private readonly metrics: SchedulerMetrics,
    private readonly pacing: PacingGate,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get concurrency(): number {
    return Math.max(1, this.config.smtpMaxConnections * 2);
  }

  async send(state: PassState, jobs: SendJob[]): Promise<SendStageResult> {
    const result: SendStageResult = { updates: [], poisoned: [] };
    if (jobs.length === 0) return result;
    const { now } = state;
    // Sends are gated in chunks of the send concurrency, each chunk while the one before it is sending, and
    // each outcome is written right after its send (coalesced). A crash then leaves about two chunks
    // pending and later `unknown` — not the whole batch, most of which was never sent; and the gate costs
    // one statement per chunk (a statement per send cost a fifth of the engine's throughput).
    const concurrency = this.concurrency;
    // The frequency cap reserves each chunk's sends just before its gate (pacing-gate.ts).
    const pacing = this.pacing.open(state);
    const chunks = new Map<number, Promise<Map<string, Gate | Error>>>();
    const gateChunk = (index: number) => {
      let chunk = chunks.get(index);
      if (!chunk) {
        chunk = pacing
          .reserve(jobs.slice(index * concurrency, (index + 1) * concurrency))
          .then((reserved) => this.gate(state, reserved));
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
    const bounced: OutcomeRow[] = [];

    const settled = await Promise.allSettled(
      jobs.map((job, index) =>
        state.sendLimit(async () => {
          const { claimed, step } = job;
          // Read before the gate: a database error here leaves no gate row, so the step is simply retried
          // after the lease; past the gate, only SMTP and pure rendering can fail.
          const template = await this.template(state, chooseStepVariant(step, claimed.enrollment_id).templateId);
          const chunk = Math.floor(index / concurrency);
          const gate = (await gateChunk(chunk)).get(claimed.enrollment_id);
          void gateChunk(chunk + 1);
          if (!gate || gate instanceof Error) pacing.notSent(job);
          if (gate instanceof Error) {
            result.poisoned.push({ claimed, stepId: step.id, reason: describe(gate) });
            return;
          }
          if (!gate) {
            // The gate refused: an exit won, or the contact is no longer active. Look again next pass — or when
            // the frequency cap allows, if it held the send back.
            result.updates.push({
              id: claimed.enrollment_id,
              contact_id: claimed.contact_id,
              next_step_id: step.id,
              next_due_at: (pacing.heldUntil(claimed.enrollment_id) ?? now).toISOString(),
              status: 'active',
              exit_reason: null,
            });
            return;
          }
          const attempt = await this.attempt(job, gate, template, now);
          const settlement = settle(job, gate, attempt, now, {
            maxAttempts: this.config.smtpMaxAttempts,
            retryBaseMs: this.config.smtpRetryBaseMs,
          });
          recorded.push(settlement.outcome);
          if (settlement.outcome.status !== 'sent') pacing.notSent(job);
          warnUnsent(this.logger, settlement.outcome, {
            enrollmentId: claimed.enrollment_id,
            attempts: gate.attempts,
            attempt,
          });
          written.push(outcomes.submit(settlement.outcome));
          if (settlement.bounced) bounced.push(settlement.outcome);
          if (settlement.update instanceof Error) {
            result.poisoned.push({ claimed, stepId: null, reason: describe(settlement.update) });
          } else {
            result.updates.push(settlement.update);
          }
        }),
      ),
    );
    // Every send that started is recorded before a failure (a lost database connection) ends the pass.
    await Promise.all(written);
    await pacing.release();
    const failure = settled.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    await this.repository.markBounced(bounced, now);
    for (const outcome of recorded) {
      state.result[outcome.status]++;
      this.metrics.deliveries.inc({ status: outcome.status, reason: outcome.status === 'sent' ? '' : 'smtp' });
    }
    return result;
  }

  /** Composes and sends one gated message; every failure becomes the attempt's error, for the settlement. */
  private async attempt(job: SendJob, gate: Gate, template: TemplateRow | undefined, now: Date): Promise<SendAttempt> {
    let locale: string | null = null;
    try {
      if (!template) throw new Error(`template ${job.step.template_key} no longer exists`);
      const { claimed, step } = job;
      const composed = this.composer.compose({
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
        event: claimed.event_name ? { name: claimed.event_name, properties: claimed.event_properties ?? {} } : null,
        enrollment: { startAt: claimed.start_at },
        template,
        now,
        tracking: trackingOf(job.sequence, this.config.mail.tracking),
      });
      locale = composed.locale;
      return { ok: await this.transport.send(composed.message), locale };
    } catch (error) {
      return { error, locale };
    }
  }

  /**
   * The gate rows of one chunk, by enrollment: the row this instance may send, nothing when the gate refused,
   * or the error for an enrollment whose own values the database refused (the others are gated regardless).
   */
  private async gate(state: PassState, jobs: SendJob[]): Promise<Map<string, Gate | Error>> {
    const gates = new Map<string, Gate | Error>();
    const rows: PendingRow[] = jobs.map((job) => ({
      contact_id: job.claimed.contact_id,
      enrollment_id: job.claimed.enrollment_id,
      sequence_id: job.claimed.sequence_id,
      step_id: job.step.id,
      due_at: job.dueAt.toISOString(),
      // Recorded at the gate: the row says which variant this send uses before it leaves.
      variant: chooseStepVariant(job.step, job.claimed.enrollment_id).variant,
    }));
    const refused = await writeIsolated(
      rows,
      (row) => row.enrollment_id,
      async (group) => {
        const owned = await this.repository.insertPending(
          state.owner,
          group,
          state.now,
          leaseUntil(state, this.config.schedulerLeaseMs),
        );
        for (const row of owned) gates.set(row.enrollment_id, row);
      },
    );
    for (const [enrollmentId, error] of refused) {
      gates.set(enrollmentId, error instanceof Error ? error : new Error(String(error)));
    }
    return gates;
  }

  /**
   * An outcome records what already happened at the SMTP server; losing it to a database blip would turn a
   * delivered message into `unknown`. So it is retried for a few seconds (the pool reconnects meanwhile).
   * A row whose own values the database refuses is logged and left pending: it ends `unknown`, never resent.
   */
  private async writeOutcomes(rows: OutcomeRow[], now: Date): Promise<void> {
    const write = () =>
      writeIsolated(
        rows,
        (row) => row.id,
        (group) => this.repository.writeOutcomes(group, now),
      );
    let refused: Map<string, unknown> | undefined;
    for (const delayMs of [200, 1000, 3000]) {
      try {
        refused = await write();
        break;
      } catch (error) {
        this.logger.warn({ err: error }, `recording ${rows.length} send outcome(s) failed; retrying in ${delayMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    refused ??= await write();
    for (const [id, error] of refused) {
      this.logger.error({ err: error, deliveryId: id }, 'the database refused a send outcome; it will show as unknown');
    }
  }

  /**
   * An operator's resend of one row the caller already claimed as `pending` (resend.service.ts): composed and sent
   * as a pass would, its outcome written the same way. The enrollment has moved on and is left alone, so a
   * transient failure ends `failed` too (no pass would take the row up again); a hard bounce acts as always.
   */
  async resend(job: SendJob, gate: Gate, now: Date, templateId = job.step.template_id): Promise<OutcomeRow> {
    const template = await this.templates.findById(templateId);
    const attempt = await this.attempt(job, gate, template, now);
    const { outcome, bounced } = settle(job, gate, attempt, now, {
      maxAttempts: 0,
      retryBaseMs: this.config.smtpRetryBaseMs,
    });
    if (outcome.status === 'retrying') {
      Object.assign(outcome, {
        status: 'failed',
        reason: `the resend was not sent: ${outcome.reason}`,
        next_attempt_at: null,
      });
    }
    warnUnsent(this.logger, outcome, { enrollmentId: job.claimed.enrollment_id, attempts: gate.attempts, attempt });
    await this.writeOutcomes([outcome], now);
    if (bounced) await this.repository.markBounced([outcome], now);
    this.metrics.deliveries.inc({ status: outcome.status, reason: outcome.status === 'sent' ? 'resend' : 'smtp' });
    return outcome;
  }

  private async template(state: PassState, id: string): Promise<TemplateRow | undefined> {
    if (!state.templates.has(id)) state.templates.set(id, await this.templates.findById(id));
    return state.templates.get(id);
  }
}
