import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { assignmentPoint, assignVariant } from './assignment.js';

/** χ² critical values at p = 10⁻⁶ for 1–3 degrees of freedom: a fair assignment fails one run in a million. */
const CHI_SQUARE_CRITICAL = [23.928, 27.631, 30.665];

function chiSquare(counts: number[], weights: number[]): number {
  const n = counts.reduce((sum, count) => sum + count, 0);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return counts.reduce((sum, count, i) => {
    const expected = (n * weights[i]) / total;
    return sum + (count - expected) ** 2 / expected;
  }, 0);
}

const variantsArbitrary = fc
  .array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 })
  .map((weights) => weights.map((weight, i) => ({ key: `v${i}`, weight })));

describe('assignVariant', () => {
  it('is a pure function of (enrollment, step): the same pair always gets the same variant', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string({ minLength: 1, maxLength: 20 }), variantsArbitrary, (id, step, variants) => {
        const first = assignVariant(id, step, variants);
        expect(assignVariant(id, step, variants)).toBe(first);
        expect(assignVariant(id, step, structuredClone(variants))).toBe(first);
        expect(variants.map((variant) => variant.key)).toContain(first);
      }),
    );
  });

  it('does not change between versions: a fixed id gives the point it always gave (SHA-256, 48 bits)', () => {
    // Every instance, and every later release, must place a running enrollment where it was placed before.
    const point = assignmentPoint('00000000-0000-4000-8000-000000000001', 'welcome');
    expect(point).toBeCloseTo(0.46781222207045303, 15);
    const variants = [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 1 },
    ];
    expect(assignVariant('00000000-0000-4000-8000-000000000001', 'welcome', variants)).toBe('a');
  });

  it('is proportional to the weights over random ids (χ² at p = 10⁻⁶)', () => {
    fc.assert(
      fc.property(
        variantsArbitrary,
        fc.array(fc.uuid(), { minLength: 4000, maxLength: 4000 }),
        fc.string({ minLength: 1, maxLength: 12 }),
        (variants, ids, step) => {
          const counts = variants.map(() => 0);
          for (const id of ids) counts[variants.findIndex((v) => v.key === assignVariant(id, step, variants))]++;
          const weights = variants.map((variant) => variant.weight);
          expect(chiSquare(counts, weights)).toBeLessThan(CHI_SQUARE_CRITICAL[variants.length - 2]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('splits 1:3 within 5 standard deviations over 100,000 enrollments, and steps independently', () => {
    const variants = [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 3 },
    ];
    let a = 0;
    let same = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const first = assignVariant(id, 'one', variants);
      if (first === 'a') a++;
      if (assignVariant(id, 'two', variants) === first) same++;
    }
    const sd = Math.sqrt(n * 0.25 * 0.75);
    expect(Math.abs(a - n / 4)).toBeLessThan(5 * sd);
    // Independent draws agree with probability 1/16 + 9/16 = 0.625.
    expect(Math.abs(same - n * 0.625)).toBeLessThan(5 * Math.sqrt(n * 0.625 * 0.375));
  });

  it('refuses a step without variants', () => {
    expect(() => assignVariant(randomUUID(), 'x', [])).toThrow(RangeError);
  });
});
