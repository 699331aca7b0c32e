import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Clock } from '../common/clock.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { DeliveryRepository } from './delivery.repository.js';

/** The engine's Prometheus metrics, registered once per application. */
@Injectable()
export class SchedulerMetrics {
  readonly passes: Counter;
  readonly deliveries: Counter<'status' | 'reason'>;
  readonly claimed: Counter;
  readonly passSeconds: Histogram;
  /** Enrollments parked because the engine could not process them (poison isolation). */
  readonly parked: Counter;

  constructor(metrics: MetricsService, repository: DeliveryRepository, clock: Clock) {
    const registers = [metrics.registry];
    this.passes = new Counter({ name: 'touchpoint_scheduler_passes_total', help: 'Scheduler passes run', registers });
    this.claimed = new Counter({ name: 'touchpoint_scheduler_claimed_total', help: 'Enrollments claimed', registers });
    this.deliveries = new Counter({
      name: 'touchpoint_deliveries_total',
      help: 'Delivery log rows written, by status and reason',
      labelNames: ['status', 'reason'],
      registers,
    });
    this.parked = new Counter({
      name: 'touchpoint_scheduler_parked_total',
      help: 'Enrollments parked (exited with reason error) because the engine could not process them',
      registers,
    });
    this.passSeconds = new Histogram({
      name: 'touchpoint_scheduler_pass_seconds',
      help: 'Duration of scheduler passes',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    new Gauge({
      name: 'touchpoint_scheduler_due_backlog',
      help: 'Active enrollments due now (claimed or not)',
      registers,
      async collect() {
        this.set(await repository.dueBacklog(clock.now()));
      },
    });
  }
}
