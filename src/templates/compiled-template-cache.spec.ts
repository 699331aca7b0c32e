import { CompiledTemplateCache } from './compiled-template-cache.js';
import type { CompiledVariant } from './template-renderer.js';

const variant = (sourceLength: number): CompiledVariant => ({
  textSource: 'derived',
  sourceLength,
  render: () => ({ subject: '', html: '', text: '' }),
});

describe('the compiled-template cache', () => {
  it('keeps at most its number of entries, dropping the least recently used', () => {
    const cache = new CompiledTemplateCache({ entries: 3, bytes: 1e12 });
    for (let id = 0; id < 10; id++) cache.get(`t${id}`, 1, 'en', () => variant(10));
    expect(cache.size).toBe(3);
    expect(cache.has('t9', 1, 'en') && cache.has('t7', 1, 'en')).toBe(true);
    expect(cache.has('t6', 1, 'en')).toBe(false);
  });

  it('keeps at most its weight: large templates push each other out', () => {
    const cache = new CompiledTemplateCache({ entries: 1_000, bytes: 64 * 1024 * 1024 });
    for (let version = 1; version <= 60; version++) cache.get(`t${version}`, version, 'en', () => variant(424 * 1024));
    expect(cache.weight).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(cache.size).toBeLessThan(10);
    expect(cache.has('t60', 60, 'en')).toBe(true);
  });

  it('compiles once per version and forgets an edited template’s older versions', () => {
    const cache = new CompiledTemplateCache();
    let compiles = 0;
    const compile = () => (compiles++, variant(100));
    cache.get('a', 1, 'en', compile);
    cache.get('a', 1, 'ro', compile);
    cache.get('a', 1, 'en', compile);
    cache.get('b', 1, 'en', compile);
    expect(compiles).toBe(3);
    cache.put('a', 2, 'en', variant(100));
    expect([
      cache.has('a', 1, 'en'),
      cache.has('a', 1, 'ro'),
      cache.has('a', 2, 'en'),
      cache.has('b', 1, 'en'),
    ]).toEqual([false, false, true, true]);
    cache.get('a', 2, 'en', compile);
    expect(compiles).toBe(3);
  });
});
