import { SchedulerWakeup } from './scheduler-wakeup.js';
import type { WakeupRepository } from './wakeup.repository.js';

/** Records the NOTIFYs sent; `next()` resolves at the next one. */
class FakeRepository implements Pick<WakeupRepository, 'notify' | 'reachesOtherSessions'> {
  readonly payloads: string[] = [];
  failing = false;
  private waiter: (() => void) | undefined;

  constructor(private readonly acrossSessions = true) {}

  async reachesOtherSessions(): Promise<boolean> {
    return this.acrossSessions;
  }

  async notify(payload: string): Promise<void> {
    this.payloads.push(payload);
    this.waiter?.();
    if (this.failing) throw new Error('connection refused');
  }

  next(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

async function wakeupOn(repository: FakeRepository): Promise<SchedulerWakeup> {
  const wakeup = new SchedulerWakeup(repository as unknown as WakeupRepository);
  await wakeup.onModuleInit();
  return wakeup;
}

describe('SchedulerWakeup', () => {
  it('wakes its own scheduler for every write, and the other instances with one NOTIFY now and one after a burst', async () => {
    const repository = new FakeRepository();
    const wakeup = await wakeupOn(repository);
    let localWakes = 0;
    wakeup.onWake(() => localWakes++);
    for (let i = 0; i < 500; i++) wakeup.notify();
    const trailing = repository.next();
    expect(localWakes).toBe(500);
    // The first write is announced at once; the 499 after it may have committed after that NOTIFY was sent, so
    // one more follows once the spacing has passed, for all of them.
    expect(repository.payloads).toEqual([wakeup.instanceId]);
    await trailing;
    expect(repository.payloads).toHaveLength(2);
    await wakeup.beforeApplicationShutdown();
    expect(repository.payloads).toHaveLength(2);
  });

  it('sends the wake-up still waiting out its spacing at shutdown', async () => {
    const repository = new FakeRepository();
    const wakeup = await wakeupOn(repository);
    wakeup.notify();
    wakeup.notify();
    expect(repository.payloads).toHaveLength(1);
    await wakeup.beforeApplicationShutdown();
    expect(repository.payloads).toHaveLength(2);
  });

  it('sends no NOTIFY where notifications do not reach other sessions (PGlite)', async () => {
    const repository = new FakeRepository(false);
    const wakeup = await wakeupOn(repository);
    let localWakes = 0;
    wakeup.onWake(() => localWakes++);
    wakeup.notify();
    await wakeup.beforeApplicationShutdown();
    expect(localWakes).toBe(1);
    expect(wakeup.reachesOtherInstances).toBe(false);
    expect(repository.payloads).toEqual([]);
  });

  it('does not fail the write whose NOTIFY fails', async () => {
    const repository = new FakeRepository();
    repository.failing = true;
    const wakeup = await wakeupOn(repository);
    expect(() => wakeup.notify()).not.toThrow();
    await expect(wakeup.beforeApplicationShutdown()).resolves.toBeUndefined();
    expect(repository.payloads).toHaveLength(1);
  });
});
