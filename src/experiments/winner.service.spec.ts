import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock.js';
import type { SequenceService } from '../sequences/sequence.service.js';
import type { OpenExperiment, WinnerRepository } from './winner.repository.js';
import { WinnerService } from './winner.service.js';

const experiment = (a: number, b: number): OpenExperiment => ({
  step_id: 'step-1',
  step_key: 'offer',
  sequence_key: 'welcome',
  variants: [{ key: 'a' }, { key: 'b' }],
  experiment: { metric: 'click', minPerVariant: 20, probabilityToBeat: 0.95 },
  counts: { a: { sends: 40, clicks: a, conversions: 0 }, b: { sends: 40, clicks: b, conversions: 0 } },
});

describe('WinnerService.decide', () => {
  // The failed check below is logged at error level by design; not in the test output.
  beforeAll(() => Logger.overrideLogger(false));
  it('re-judges a step only when its counts changed, and then decides as of the pass', async () => {
    const open: OpenExperiment[][] = [[experiment(4, 5)], [experiment(4, 5)], [experiment(1, 12)], []];
    const written: unknown[] = [];
    const repository = {
      openExperiments: () => Promise.resolve(open.shift()!),
      decide: (stepId: string, winner: unknown) => {
        written.push({ stepId, winner });
        return Promise.resolve(true);
      },
    } as unknown as WinnerRepository;
    const service = new WinnerService(repository, {} as SequenceService, {} as Clock);
    const now = new Date('2026-11-24T09:00:00Z');
    await service.decide(now);
    await service.decide(now);
    expect(written).toEqual([]);
    await service.decide(now);
    expect(written).toEqual([
      {
        stepId: 'step-1',
        winner: { variant: 'b', probability: expect.any(Number) as number, decidedAt: now.toISOString(), by: 'auto' },
      },
    ]);
    await service.decide(now);
    expect(written).toHaveLength(1);
  });

  it('never throws: a failed check waits for the next pass', async () => {
    const repository = { openExperiments: () => Promise.reject(new Error('gone')) } as unknown as WinnerRepository;
    const service = new WinnerService(repository, {} as SequenceService, {} as Clock);
    await expect(service.decide(new Date())).resolves.toBeUndefined();
  });
});
