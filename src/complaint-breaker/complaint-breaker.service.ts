import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ComplaintBreakerRepository } from './complaint-breaker.repository.js';
import { reachesLimit, sendsWorthCounting, WINDOW_MS } from './complaint-breaker.js';

/**
 * The complaint breaker: when complaints reach COMPLAINT_RATE_LIMIT of the emails sent in the last 24 h (once
 * at least 300 were sent), every active non-transactional sequence is paused with reason `complaint-rate`, before
 * mailbox providers (whose limit is about 0.3 %) start blocking the sender. Only a marketer's activate resumes
 * a sequence; the complaints that tripped the breaker are not counted again after that, only new ones.
 * Checked after every scheduling pass, as of that pass's `now`.
 */
@Injectable()
export class ComplaintBreaker {
  private readonly logger = new Logger('ComplaintBreaker');
  private readonly trips: Counter;
  private readonly paused: Counter;

  constructor(
    private readonly repository: ComplaintBreakerRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    const registers = [metrics.registry];
    this.trips = new Counter({
      name: 'touchpoint_complaint_breaker_trips_total',
      help: 'Times the complaint rate of the last 24 h reached COMPLAINT_RATE_LIMIT and marketing sequences were paused',
      registers,
    });
    this.paused = new Counter({
      name: 'touchpoint_complaint_breaker_paused_sequences_total',
      help: 'Sequences paused by the complaint breaker (pausedReason complaint-rate)',
      registers,
    });
  }

  /** Judges the last 24 h as of `now`; never throws (a failed check is logged, and the next pass checks again). */
  async check(now: Date): Promise<void> {
    try {
      const windowStart = new Date(now.getTime() - WINDOW_MS);
      const { complaints, trippedAt } = await this.repository.complaints(windowStart, now);
      if (complaints === 0) return;
      // Complaints already acted on (before the last trip) do not trip the breaker again once resumed.
      const fresh =
        trippedAt && trippedAt > windowStart
          ? (await this.repository.complaints(trippedAt, now)).complaints
          : complaints;
      const limit = this.config.complaintRateLimit;
      const sent = await this.repository.sent(windowStart, now, sendsWorthCounting(fresh, limit));
      if (!reachesLimit(sent, fresh, limit)) return;
      const sequences = await this.repository.trip(now);
      if (sequences.length === 0) return;
      this.trips.inc();
      this.paused.inc(sequences.length);
      this.logger.error(
        { complaints: fresh, sent, limit, sequences },
        `complaint rate ${fresh}/${sent} reached COMPLAINT_RATE_LIMIT ${limit}: paused ${sequences.length} sequence(s) (pausedReason complaint-rate); activate resumes them`,
      );
    } catch (error) {
      this.logger.error({ err: error }, 'complaint breaker check failed');
    }
  }
}
