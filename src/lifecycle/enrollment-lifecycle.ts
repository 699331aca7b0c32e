/**
 * The rules of an enrollment's life, in one place: which contacts may be enrolled or sent to, how a contact's
 * status ends its enrollments, and which delivery rows finish a step. The TypeScript checks use the sets; the
 * statements that filter use the SQL forms built from the same values, so the two cannot drift apart.
 */

export type ContactStatus = 'active' | 'unsubscribed' | 'bounced' | 'complained' | 'erased';
export type EnrollmentStatus = 'active' | 'completed' | 'converted' | 'unsubscribed' | 'bounced' | 'exited';
/** What a running enrollment can be ended as from outside the engine. */
export type EndedStatus = Exclude<EnrollmentStatus, 'active' | 'completed'>;
export type DeliveryStatus = 'pending' | 'sent' | 'retrying' | 'failed' | 'skipped' | 'deferred' | 'unknown';

/** The one contact status that may be enrolled and mailed; every other keeps the contact out of both. */
export const REACHABLE: ContactStatus = 'active';
/** A running enrollment: due steps are sent, and only it can be ended. */
export const RUNNING: EnrollmentStatus = 'active';

export const isReachable = (status: string): boolean => status === REACHABLE;

/** `alias.status` is a contact that may be enrolled and mailed (the same rule as isReachable, in SQL). */
export const reachableSql = (alias: string): string => `${alias}.status = '${REACHABLE}'`;

/**
 * How a contact's status ends its running enrollments: as what status (the reason is the contact's status).
 * A complaint counts as an unsubscribe in the funnel; an erased contact's enrollments are plainly exited.
 */
export const END_BY_CONTACT_STATUS: Readonly<Record<Exclude<ContactStatus, 'active'>, EndedStatus>> = {
  unsubscribed: 'unsubscribed',
  complained: 'unsubscribed',
  bounced: 'bounced',
  erased: 'exited',
};

/** How an enrollment of a contact in this status ends, or undefined while the contact is reachable. */
export function endForContactStatus(status: string): EndedStatus | undefined {
  return Object.hasOwn(END_BY_CONTACT_STATUS, status)
    ? END_BY_CONTACT_STATUS[status as keyof typeof END_BY_CONTACT_STATUS]
    : undefined;
}

/** Delivery rows that finish their step for the enrollment, whatever happened: the step is never planned again. */
export const FINISHED_DELIVERY: ReadonlySet<DeliveryStatus> = new Set(['sent', 'failed', 'skipped', 'unknown']);

/** FINISHED_DELIVERY as a SQL list, for `status IN ${finishedDeliverySql}`. */
export const finishedDeliverySql = `(${[...FINISHED_DELIVERY].map((status) => `'${status}'`).join(', ')})`;
