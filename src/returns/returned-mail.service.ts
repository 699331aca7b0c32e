import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Clock } from '../common/clock.js';
import type { ReturnedMail } from '../lifecycle/returned-mail.repository.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { FeedbackRepository, type FeedbackTarget } from './feedback.repository.js';
import { deliveryIdOf, normalizeMessageId, type ProviderEvent } from './provider-events.js';
import type { Verdict } from './report-parser.js';

/** What became of one report: acted on (or recorded, for a soft bounce), or ignored. */
export type Outcome = 'recorded' | 'ignored';

/**
 * Bounces and complaints that come back after the send — as mail to a return path, or from a provider's
 * webhook — found to their delivery or contact and recorded by the lifecycle's one rule (recordReturnedMail).
 * A report about nobody we know is ignored: it must not create or touch anyone.
 */
@Injectable()
export class ReturnedMailService {
  private readonly logger = new Logger('ReturnedMail');
  private readonly reports: Counter<'source' | 'kind' | 'outcome'>;

  constructor(
    private readonly repository: FeedbackRepository,
    private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    this.reports = new Counter({
      name: 'touchpoint_returned_mail_total',
      help: 'Bounces, soft bounces and complaints received after the send, by source (dsn, arf, webhook provider) and outcome (recorded, ignored)',
      labelNames: ['source', 'kind', 'outcome'],
      registers: [metrics.registry],
    });
  }

  /** A DSN or ARF report that came to the return path of `deliveryId` (the listener checked its token). */
  async fromMail(deliveryId: string, verdict: Verdict): Promise<Outcome> {
    const source = verdict.kind === 'complaint' ? 'arf' : 'dsn';
    const delivery = await this.repository.findDelivery(deliveryId);
    if (!delivery) return this.count(source, verdict.kind, 'ignored');
    await this.repository.record(
      [{ contactId: delivery.contact_id, deliveryId, kind: verdict.kind, source, diagnostic: verdict.diagnostic }],
      this.clock.now(),
    );
    this.log(source, verdict.kind, delivery.contact_id, deliveryId);
    return this.count(source, verdict.kind, 'recorded');
  }

  /** One webhook request's events, all written in one transaction (the body was read whole before). */
  async fromWebhook(provider: string, events: ProviderEvent[]): Promise<{ recorded: number; ignored: number }> {
    const reports: ReturnedMail[] = [];
    let ignored = 0;
    for (const event of events) {
      const target = event.kind ? await this.targetOf(event) : undefined;
      if (!event.kind || !target) {
        ignored++;
        if (event.kind) this.count(provider, event.kind, 'ignored');
        continue;
      }
      reports.push({ ...target, kind: event.kind, source: provider, diagnostic: event.diagnostic });
    }
    await this.repository.record(reports, this.clock.now());
    for (const report of reports) {
      this.count(provider, report.kind, 'recorded');
      this.log(provider, report.kind, report.contactId, report.deliveryId);
    }
    return { recorded: reports.length, ignored };
  }

  /**
   * The delivery an event's Message-ID names (one of ours carries the delivery id, and must be that delivery's),
   * or else the contact of its address. An event that names a message we never sent is ignored, even when
   * its address is a contact's: the provider speaks of someone else's email.
   */
  private async targetOf(event: ProviderEvent): Promise<FeedbackTarget | undefined> {
    if (event.messageId) {
      const id = deliveryIdOf(event.messageId);
      const delivery = id ? await this.repository.findDelivery(id) : undefined;
      if (!delivery?.message_id || normalizeMessageId(delivery.message_id) !== normalizeMessageId(event.messageId)) {
        return undefined;
      }
      return { contactId: delivery.contact_id, deliveryId: delivery.id };
    }
    if (!event.email) return undefined;
    const contact = await this.repository.findContactByEmail(event.email);
    return contact ? { contactId: contact.id, deliveryId: null } : undefined;
  }

  private count(source: string, kind: string, outcome: Outcome): Outcome {
    this.reports.inc({ source, kind, outcome });
    return outcome;
  }

  /** Ids only: never the address or the report's text. */
  private log(source: string, kind: string, contactId: string, deliveryId: string | null): void {
    this.logger.log({ source, kind, contactId, deliveryId }, `returned mail: ${kind} from ${source}`);
  }
}
