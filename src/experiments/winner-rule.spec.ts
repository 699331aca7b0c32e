import { decideWinner, type VariantCounts } from './winner-rule.js';

const variants = [{ key: 'a' }, { key: 'b' }];
const clicks = { metric: 'click' as const, minPerVariant: 100, probabilityToBeat: 0.95 };
const counts = (entries: Record<string, Partial<VariantCounts>>) =>
  new Map(Object.entries(entries).map(([key, c]) => [key, { sends: 0, clicks: 0, conversions: 0, ...c }]));

describe('decideWinner', () => {
  it('waits until every variant has minPerVariant sends, however clear the difference', () => {
    expect(decideWinner(variants, clicks, counts({ a: { sends: 99 }, b: { sends: 500, clicks: 200 } }))).toBeNull();
    expect(decideWinner(variants, clicks, counts({ b: { sends: 500, clicks: 200 } }))).toBeNull();
  });

  it('decides once a variant beats the others with at least probabilityToBeat', () => {
    const decision = decideWinner(variants, clicks, counts({ a: { sends: 100 }, b: { sends: 100, clicks: 10 } }));
    expect(decision?.variant).toBe('b');
    expect(decision!.probability).toBeGreaterThan(0.999);
  });

  it('does not decide below the threshold (10/100 vs 15/100: P = 0.853)', () => {
    const close = counts({ a: { sends: 100, clicks: 10 }, b: { sends: 100, clicks: 15 } });
    expect(decideWinner(variants, clicks, close)).toBeNull();
    expect(decideWinner(variants, { ...clicks, probabilityToBeat: 0.85 }, close)).toEqual({
      variant: 'b',
      probability: expect.closeTo(0.8532837899339661, 9) as number,
    });
  });

  it('judges the metric the experiment names', () => {
    const data = counts({
      a: { sends: 200, clicks: 40, conversions: 0 },
      b: { sends: 200, clicks: 0, conversions: 12 },
    });
    expect(decideWinner(variants, clicks, data)?.variant).toBe('a');
    expect(decideWinner(variants, { ...clicks, metric: 'conversion' }, data)?.variant).toBe('b');
  });

  it('compares every variant with every other for three or more', () => {
    const three = [{ key: 'a' }, { key: 'b' }, { key: 'c' }];
    const data = counts({
      a: { sends: 300, clicks: 30 },
      b: { sends: 300, clicks: 33 },
      c: { sends: 300, clicks: 60 },
    });
    expect(decideWinner(three, clicks, data)?.variant).toBe('c');
    // b is clearly better than a but not than c.
    const tied = counts({ a: { sends: 300, clicks: 5 }, b: { sends: 300, clicks: 60 }, c: { sends: 300, clicks: 58 } });
    expect(decideWinner(three, clicks, tied)).toBeNull();
  });
});
