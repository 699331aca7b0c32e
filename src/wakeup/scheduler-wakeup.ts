import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { WakeupRepository } from './wakeup.repository.js';

/**
 * At most one NOTIFY per this span: a burst of 500 signups costs a handful of notifications, not 500, and the
 * receiving schedulers space their wake passes anyway. Small next to the second API.md allows for a send.
 */
const BROADCAST_SPACING_MS = 50;

/**
 * Lets a write that creates due work (an enrollment at day 0) wake the schedulers at once instead of at their
 * next interval — the seeds' "answer within minutes" rule, and API.md's "sent by a scheduling instance within a
 * second" when the write lands on an API-only instance. This process's scheduler is woken directly; those of the
 * other instances on the database by a NOTIFY that their WakeupListener hears. Callers notify after their commit,
 * so a woken pass sees the new rows.
 */
@Injectable()
export class SchedulerWakeup implements OnModuleInit, BeforeApplicationShutdown {
  /** Sent as the payload, so a listener skips its own process's notifications (already woken directly). */
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('SchedulerWakeup');
  private readonly listeners: Array<() => void> = [];
  private acrossSessions = false;
  private broadcastTimer: NodeJS.Timeout | undefined;
  private lastBroadcastAt = -Infinity;
  private readonly inFlight = new Set<Promise<void>>();
  private failing = false;
  private stopping = false;

  constructor(private readonly repository: WakeupRepository) {}

  async onModuleInit(): Promise<void> {
    this.acrossSessions = await this.repository.reachesOtherSessions();
  }

  /** Whether other instances can be woken (and can wake this one) through the database. */
  get reachesOtherInstances(): boolean {
    return this.acrossSessions;
  }

  /** Sends the last wake-up still waiting out its spacing: work committed just before shutdown is announced. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.broadcastTimer) {
      clearTimeout(this.broadcastTimer);
      this.broadcast();
    }
    await Promise.all(this.inFlight);
  }

  onWake(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** New due work was committed: wake this process's scheduler and, through the database, the others'. */
  notify(): void {
    this.wakeLocal();
    this.scheduleBroadcast();
  }

  /** Wakes this process's scheduler only (a notification from another instance, or a listener back online). */
  wakeLocal(): void {
    for (const listener of this.listeners) listener();
  }

  /**
   * A wake-up asked for while one waits out its spacing rides on that one: it is sent after this caller's
   * commit. One already sent may have woken a pass that started before the commit, so it does not count.
   */
  private scheduleBroadcast(): void {
    if (!this.acrossSessions || this.broadcastTimer) return;
    const wait = this.stopping ? 0 : this.lastBroadcastAt + BROADCAST_SPACING_MS - performance.now();
    if (wait <= 0) this.broadcast();
    else
      this.broadcastTimer = setTimeout(() => {
        this.broadcastTimer = undefined;
        this.broadcast();
      }, wait);
  }

  private broadcast(): void {
    this.broadcastTimer = undefined;
    this.lastBroadcastAt = performance.now();
    // A lost wake-up costs latency, not mail: the interval finds the work. So a failure is logged once per
    // outage and the request that created the work is not failed for it.
    const sent = this.repository.notify(this.instanceId).then(
      () => {
        if (this.failing) this.logger.log('wake-ups reach the other instances again');
        this.failing = false;
      },
      (error: unknown) => {
        if (!this.failing) {
          this.logger.warn(
            `cannot wake the other instances' schedulers (${(error as Error).message}); they find new work at their next interval`,
          );
        }
        this.failing = true;
      },
    );
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }
}
