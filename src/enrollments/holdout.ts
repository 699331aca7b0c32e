import { createHash } from 'node:crypto';

/**
 * Holdout assignment (API.md v1.1 "Holdout"): an enrollment is held out when the first 32 bits of
 * md5("<id>:holdout"), modulo 100, fall below the sequence's holdout_percent. It depends on the enrollment's id
 * alone (random, made in the insert), so it is decided once, the same on every instance and after a restart, and
 * it is independent of the A/B variant choice (a different suffix). holdoutSql is the form the insert uses;
 * isHeldOut is the same rule in TypeScript, for tests.
 */
export const holdoutSql = (id: string, percent: string): string =>
  `(('x' || substr(md5(${id}::text || ':holdout'), 1, 8))::bit(32)::bigint % 100 < ${percent})`;

export function isHeldOut(id: string, percent: number): boolean {
  const bucket = Number.parseInt(createHash('md5').update(`${id}:holdout`).digest('hex').slice(0, 8), 16) % 100;
  return bucket < percent;
}
