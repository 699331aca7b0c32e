import { Coalescer } from './coalescer.js';

describe('Coalescer', () => {
  it('flushes the first item alone at once and the items that arrived meanwhile together', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const coalescer = new Coalescer<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) => item * 10);
    });
    const first = coalescer.submit(1);
    const rest = [2, 3, 4].map((n) => coalescer.submit(n));
    expect(batches).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps a batch and rejects only the items of a failed flush', async () => {
    const batches: string[][] = [];
    const coalescer = new Coalescer<string, string>(async (items) => {
      batches.push(items);
      if (items.includes('bad')) throw new Error('flush failed');
      return items;
    }, 2);
    const results = await Promise.allSettled(['a', 'b', 'bad', 'c', 'd'].map((item) => coalescer.submit(item)));
    expect(batches).toEqual([['a'], ['b', 'bad'], ['c', 'd']]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
  });
});
