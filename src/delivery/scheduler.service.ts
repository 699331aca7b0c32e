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
import pLimit from 'p-limit';
import { Clock } from '../common/clock.js';
import { ComplaintBreaker } from '../complaint-breaker/complaint-breaker.service.js';
import { WinnerService } from '../experiments/winner.service.js';
import { SchedulerWakeup } from '../wakeup/scheduler-wakeup.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { withoutStatementTimeout } from '../database/statement-timeout.js';
import { DeliveryPass } from './delivery-pass.js';
import type { PassResult, PassState } from './pass-state.js';
import { SchedulerMetrics } from './scheduler-metrics.js';

export type { PassResult } from './pass-state.js';

const INTERVAL_NAME = 'touchpoint-scheduler';
const WAKE_SPACING_MS = 250;

/**
 * When passes run: at every interval, on wake-ups (new due work), or on demand (`run`), one at a time per
 * process, and finished before shutdown. What a pass does is DeliveryPass's.
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

  constructor(
    private readonly deliveryPass: DeliveryPass,
    private readonly metrics: SchedulerMetrics,
    private readonly clock: Clock,
    private readonly registry: SchedulerRegistry,
    private readonly wakeup: SchedulerWakeup,
    private readonly complaintBreaker: ComplaintBreaker,
    private readonly winners: WinnerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
    const stopTimer = this.metrics.passSeconds.startTimer();
    const state: PassState = {
      now,
      startedAt: this.lastPassStartedAt,
      owner: `${this.instanceId}:${++this.passCounter}`,
      result: { claimed: 0, sent: 0, failed: 0, skipped: 0, deferred: 0, retrying: 0, unknown: 0 },
      sequences: new Map(),
      templates: new Map(),
      rules: new Map(),
      sendLimit: pLimit(this.deliveryPass.sendConcurrency),
    };
    try {
      // A pass is background work even when a request asked for it (or woke it): cutting one of its writes at
      // the API's statement timeout would turn mail already handed to the SMTP server into `unknown`.
      await withoutStatementTimeout(() => this.deliveryPass.run(state, () => this.stopping));
      await this.complaintBreaker.check(now);
      await this.winners.decide(now);
      this.metrics.passes.inc();
      return state.result;
    } finally {
      stopTimer();
    }
  }
}
