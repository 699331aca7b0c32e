import { Injectable } from '@nestjs/common';

/**
 * Lets a write that creates due work (an enrollment at day 0) wake the scheduler at once instead of
 * waiting for the next interval — the seeds' "answer within minutes" rule. In-process; other instances
 * still find the work at their next interval.
 */
@Injectable()
export class SchedulerWakeup {
  private readonly listeners: Array<() => void> = [];

  onWake(listener: () => void): void {
    this.listeners.push(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
