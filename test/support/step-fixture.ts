import type { StepRow } from '../../src/sequences/sequence.repository.js';

/** A sequence step as the repository loads it, for the engine's unit tests. */
export const stepRow = (key: string, dayOffset: number, extra: Partial<StepRow> = {}): StepRow => ({
  id: `id-${key}`,
  key,
  position: dayOffset,
  day_offset: dayOffset,
  at_time: null,
  template_id: 't',
  template_key: 't',
  segment_id: null,
  segment_key: null,
  max_lateness_hours: 48,
  variants: null,
  experiment: null,
  winner: null,
  ...extra,
});
