import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { withoutStatementTimeout } from '../database/statement-timeout.js';
import { isReachable } from '../lifecycle/enrollment-lifecycle.js';
import { DEFAULT_TIMEZONE } from '../sequences/schedule.js';
import { variantOf } from '../experiments/variant-choice.js';
import { SequenceRepository } from '../sequences/sequence.repository.js';
import type { SendJob } from './batch-planner.js';
import { DeliveryErrorCode, DeliveryException } from './delivery.exception.js';
import { DeliveryRepository } from './delivery.repository.js';
import { RESENDABLE, type ResendClaim, ResendRepository } from './resend.repository.js';
import { SendStage } from './send-stage.js';

export interface ResendAccepted {
  id: string;
  status: 'pending';
  attempts: number;
  resendCount: number;
  resendRequestedAt: string;
  resendRequestedBy: string;
}

/**
 * An operator's resend of a `failed` or `unknown` delivery: refused with the reason (404, 409) or claimed at
 * once, and then sent in the background through the engine's send stage, now, whatever the enrollment did
 * since. The claim is one conditional UPDATE, so one request sends one email however many arrive together.
 */
@Injectable()
export class ResendService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Resend');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly resends: ResendRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly sequences: SequenceRepository,
    private readonly sendStage: SendStage,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request(id: string, by: string, requestId: string | null): Promise<ResendAccepted> {
    const target = await this.resends.find(id);
    if (!target) throw new DeliveryException(DeliveryErrorCode.NOT_FOUND, `no delivery has id ${id}`);
    const refusal = this.refusal(target.status, target.contact_status);
    if (refusal) throw refusal;
    const sequence = await this.sequences.findById(target.sequence_id);
    const step = sequence?.steps.find((candidate) => candidate.id === target.step_id);
    if (!sequence || !step) {
      throw new DeliveryException(
        DeliveryErrorCode.STEP_REMOVED,
        'the step of this delivery was removed from its sequence',
      );
    }
    const variant = variantOf(step, target.variant);
    if (!variant) {
      throw new DeliveryException(
        DeliveryErrorCode.STEP_REMOVED,
        `the variant ${String(target.variant)} of this delivery is no longer one of its step's variants`,
      );
    }
    const now = this.clock.now();
    const claim = await this.resends.claim(target, {
      by,
      requestId,
      now,
      leaseUntil: new Date(now.getTime() + this.config.schedulerLeaseMs),
    });
    if (!claim) {
      // Something changed since the read above: another request claimed it, or the contact left.
      const current = await this.resends.find(id);
      throw (
        (current && this.refusal(current.status, current.contact_status)) ??
        new DeliveryException(DeliveryErrorCode.NOT_RESENDABLE, 'the delivery changed while the resend was asked for')
      );
    }
    const [claimed] = await this.deliveries.loadClaimed([target.enrollment_id]);
    const job: SendJob = {
      claimed,
      sequence,
      step,
      zone: claimed.timezone ?? sequence.default_timezone ?? DEFAULT_TIMEZONE,
      dueAt: target.due_at ? new Date(target.due_at) : now,
    };
    this.track(this.send(job, claim, now, variant.templateId));
    return {
      id: claim.id,
      status: 'pending',
      attempts: claim.attempts,
      resendCount: claim.resend_count,
      resendRequestedAt: new Date(claim.resend_requested_at).toISOString(),
      resendRequestedBy: claim.resend_requested_by,
    };
  }

  /** Resends accepted before shutdown are finished (their outcome written) before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private refusal(status: string, contactStatus: string): DeliveryException | undefined {
    if (!isReachable(contactStatus)) {
      return new DeliveryException(
        DeliveryErrorCode.CONTACT_NOT_ACTIVE,
        `the contact is ${contactStatus}; only an active contact is sent to`,
      );
    }
    if (!(RESENDABLE as readonly string[]).includes(status)) {
      return new DeliveryException(
        DeliveryErrorCode.NOT_RESENDABLE,
        `the delivery is ${status}; only a failed or unknown delivery can be sent again`,
      );
    }
    return undefined;
  }

  /**
   * Background work, like a pass: the API's statement timeout must not cut the write of an outcome the SMTP
   * server already has. A failure here leaves the row pending until its lease ends, then `unknown`.
   */
  private async send(job: SendJob, claim: ResendClaim, now: Date, templateId: string): Promise<void> {
    try {
      await withoutStatementTimeout(() =>
        this.sendStage.resend(job, { id: claim.id, attempts: claim.attempts }, now, templateId),
      );
    } catch (error) {
      this.logger.error(
        { err: error, deliveryId: claim.id, contactId: job.claimed.contact_id },
        'resend could not be completed',
      );
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
