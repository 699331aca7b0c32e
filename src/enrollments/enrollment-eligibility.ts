import { reachableSql, RUNNING } from '../lifecycle/enrollment-lifecycle.js';

/**
 * Who may enter a sequence now, and why not (API.md v1.1 "Re-entry"), written once for every door: events, a
 * single enrollment and a segment enrollment all insert through the statement built from these pieces
 * (enrollment.repository.ts), so the reason an event reply gives, the count a segment reply gives and the 409 a
 * single enrollment gives come from the same CASE.
 */

/** Why a live sequence did not enroll a contact: the event reply's `notEnrolled[].reason`. */
export type NotEnrolledReason = 'reentry' | 'cooldown' | 'audience' | 'already-active' | 'contact-status';

/** The reasons a segment enrollment counts as `ineligible`; `already-active` is `alreadyEnrolled`. */
export const INELIGIBLE: ReadonlySet<NotEnrolledReason> = new Set([
  'reentry',
  'cooldown',
  'contact-status',
  'audience',
]);

/** `reason IN (…ineligible…)`, for the segment reply's count. */
export const ineligibleSql = (reason: string): string =>
  `${reason} IN (${[...INELIGIBLE].map((value) => `'${value}'`).join(', ')})`;

/**
 * The contact's history in the sequence `$sequence`, one row per contact that was ever enrolled in it: a hash
 * join for a segment, and for one contact the planner pushes `contact_id = …` into it (a grouping column).
 */
export const historySql = (sequence: string): string => `
  SELECT contact_id,
         bool_or(status = '${RUNNING}') AS active,
         bool_or(status = 'converted') AS converted,
         max(ended_at) AS last_ended_at
  FROM enrollments WHERE sequence_id = ${sequence} GROUP BY contact_id`;

/**
 * When the cooldown ends: a day is 24 hours (not a calendar day in some zone), counted from the end of the
 * contact's latest enrollment in the sequence; NULL without a cooldown or a finished enrollment.
 */
export const cooldownEndSql = (s: string, h: string): string =>
  `${h}.last_ended_at + make_interval(hours => 24 * ${s}.reentry_cooldown_days)`;

/**
 * The reason contact `c` may not enter sequence `s` starting at `startAt`, given its history `h` (historySql,
 * LEFT JOINed), or NULL when it may. The permanent refusals come first: a `never` sequence says `reentry` even
 * while the contact's one enrollment is still running, which is also what a concurrent event that lost the race
 * for the `enrollments_once_key` index is told (lostRaceSql). `audience` is the event door's own check: the SQL
 * of "c is in the sequence's audience segment", or undefined when there is none to check.
 */
export function refusalSql(c: string, s: string, h: string, startAt: string, audience?: string): string {
  return `CASE
    WHEN NOT (${reachableSql(c)}) THEN 'contact-status'
    ${audience ? `WHEN NOT COALESCE((${audience}), false) THEN 'audience'` : ''}
    WHEN ${s}.reentry = 'never' AND ${h}.contact_id IS NOT NULL THEN 'reentry'
    WHEN ${s}.reentry = 'after-completion' AND ${h}.converted THEN 'reentry'
    WHEN ${h}.active THEN 'already-active'
    WHEN ${cooldownEndSql(s, h)} > ${startAt} THEN 'cooldown'
  END`;
}

/**
 * The reason of a contact that passed refusalSql but whose insert met a unique index anyway: another transaction
 * enrolled it meanwhile, in a `never` sequence (enrollments_once_key) or while it is running (one active).
 */
export const lostRaceSql = (reentry: string): string =>
  `CASE WHEN ${reentry} = 'never' THEN 'reentry' ELSE 'already-active' END`;

/** A `never` sequence's enrollment is marked once, so enrollments_once_key admits one per contact, ever. */
export const onceSql = (s: string): string => `${s}.reentry = 'never'`;

export interface Refusal {
  reason: NotEnrolledReason;
  contactId: string;
  sequence: { key: string; reentry: string; reentry_cooldown_days: number | null };
  /** The cooldown's end, for `cooldown`. */
  nextAllowedAt: Date | null;
}

/** The 409 message of a refused single enrollment, naming the rule that refused it. */
export function refusalMessage({ reason, contactId, sequence, nextAllowedAt }: Refusal): string {
  const who = `contact ${contactId}`;
  switch (reason) {
    case 'reentry':
      return sequence.reentry === 'never'
        ? `${who} was already enrolled in sequence ${sequence.key}, whose reentry is never`
        : `${who} converted in sequence ${sequence.key} before; its reentry is after-completion, so a contact who converted is not enrolled again`;
    case 'cooldown':
      return `${who} left sequence ${sequence.key} less than its reentry cooldown of ${sequence.reentry_cooldown_days} days ago: next allowed at ${nextAllowedAt?.toISOString() ?? 'later'}`;
    case 'already-active':
      return `${who} is already active in sequence ${sequence.key}`;
    case 'contact-status':
      return `${who} is not active, so it is not enrolled`;
    case 'audience':
      return `${who} is not in the audience of sequence ${sequence.key}`;
  }
}
