import type { LimitFunction } from 'p-limit';
import type { SqlFragment } from '../database/sql.js';
import type { SequenceRow } from '../sequences/sequence.repository.js';
import type { TemplateRow } from '../templates/template.repository.js';
import type { JourneyRules } from './pacing.js';

export interface PassResult {
  claimed: number;
  sent: number;
  failed: number;
  skipped: number;
  deferred: number;
  retrying: number;
  unknown: number;
}

/** What one pass carries through its batches: its time, its lease owner, its counts and per-pass lookups. */
export interface PassState {
  now: Date;
  /** performance.now() at the start of the pass: leases count real elapsed time, whatever `now` says. */
  startedAt: number;
  owner: string;
  result: PassResult;
  sequences: Map<string, SequenceRow>;
  templates: Map<string, TemplateRow | undefined>;
  rules: Map<string, SqlFragment | undefined>;
  /** Sends in flight across the pass's batches (they overlap): the SMTP pool's connections, twice over. */
  sendLimit: LimitFunction;
  /**
   * Settings' frequency cap and quiet dates, read once per pass on first use (PacingGate.rules): every batch of a
   * pass follows the same rules, and a PUT /v1/settings applies from the next pass, on every instance.
   */
  journey?: Promise<JourneyRules>;
}

/**
 * A lease runs from the moment it is taken, not from the pass's start: `now` is fixed for the whole pass
 * (the test clock can set it), but a long pass must not hand out leases that are already running out.
 */
export function leaseUntil(state: PassState, leaseMs: number): Date {
  return new Date(state.now.getTime() + (performance.now() - state.startedAt) + leaseMs);
}
