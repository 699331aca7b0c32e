import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { isHeldOut } from './holdout.js';

describe('holdout assignment', () => {
  it('is stable and monotone in the percentage: held out at p is held out at every larger p', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), (id, a, b) => {
        expect(isHeldOut(id, a)).toBe(isHeldOut(id, a));
        if (isHeldOut(id, Math.min(a, b))) expect(isHeldOut(id, Math.max(a, b))).toBe(true);
      }),
    );
    expect(isHeldOut(randomUUID(), 0)).toBe(false);
  });

  it('holds out the given share of ids, within the binomial 99.9% range', () => {
    const n = 20_000;
    const ids = Array.from({ length: n }, () => randomUUID());
    for (const percent of [5, 20, 50]) {
      const held = ids.filter((id) => isHeldOut(id, percent)).length;
      const p = percent / 100;
      const spread = 3.3 * Math.sqrt(n * p * (1 - p));
      expect(Math.abs(held - n * p)).toBeLessThan(spread);
    }
  });

  it('does not change between versions: a fixed id keeps the bucket the SQL of the insert gives it', () => {
    // SELECT ('x' || substr(md5('00000000-0000-4000-8000-000000000001:holdout'), 1, 8))::bit(32)::bigint % 100 → 78
    const id = '00000000-0000-4000-8000-000000000001';
    expect(isHeldOut(id, 78)).toBe(false);
    expect(isHeldOut(id, 79)).toBe(true);
  });
});
