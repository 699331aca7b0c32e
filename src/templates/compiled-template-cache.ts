import { LRUCache } from 'lru-cache';
import type { CompiledVariant } from './template-renderer.js';

/**
 * Bytes of heap a compiled variant holds per character of its source (Handlebars' generated functions and
 * what they keep): measured at 30 for a 20 KB template, 23 at 100 KB and 17 at 250 KB; the highest, rounded up.
 */
const BYTES_PER_SOURCE_CHAR = 32;

export interface CacheLimits {
  /** Variants kept at most, whatever their size. */
  entries: number;
  /** Approximate heap held by the kept variants, in bytes. */
  bytes: number;
}

/**
 * Without a bound, an entry per template version and locale grew with every edit (+437 MB over 60 edits of a
 * 424 KB template). 128 MB holds some 160 compiled variants of a typical 15 KB email (with its derived text
 * part), many more than the templates a pass sends, or ten at the largest size a template may have.
 */
export const DEFAULT_CACHE_LIMITS: CacheLimits = { entries: 1_000, bytes: 128 * 1024 * 1024 };

/** Compiled variants by template id, version and locale; least recently used first out. */
export class CompiledTemplateCache {
  private readonly cache: LRUCache<string, CompiledVariant>;

  constructor(limits: CacheLimits = DEFAULT_CACHE_LIMITS) {
    this.cache = new LRUCache<string, CompiledVariant>({
      max: limits.entries,
      maxSize: limits.bytes,
      sizeCalculation: (compiled) => Math.max(1, compiled.sourceLength * BYTES_PER_SOURCE_CHAR),
    });
  }

  get(templateId: string, version: number, locale: string, compile: () => CompiledVariant): CompiledVariant {
    const key = cacheKey(templateId, version, locale);
    let compiled = this.cache.get(key);
    if (!compiled) {
      compiled = compile();
      this.cache.set(key, compiled);
    }
    return compiled;
  }

  /** Keeps a variant just compiled (when its template was saved), and forgets the template's other versions. */
  put(templateId: string, version: number, locale: string, compiled: CompiledVariant): void {
    this.forgetOtherVersions(templateId, version);
    this.cache.set(cacheKey(templateId, version, locale), compiled);
  }

  /** An edited template's earlier versions are never rendered again by this process: drop them now. */
  forgetOtherVersions(templateId: string, version: number): void {
    const prefix = `${templateId}:`;
    const current = `${templateId}:${version}:`;
    for (const key of [...this.cache.keys()]) {
      if (key.startsWith(prefix) && !key.startsWith(current)) this.cache.delete(key);
    }
  }

  get size(): number {
    return this.cache.size;
  }

  /** The approximate heap held, in bytes. */
  get weight(): number {
    return this.cache.calculatedSize;
  }

  has(templateId: string, version: number, locale: string): boolean {
    return this.cache.has(cacheKey(templateId, version, locale));
  }
}

const cacheKey = (templateId: string, version: number, locale: string) => `${templateId}:${version}:${locale}`;
