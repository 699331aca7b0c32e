import { Conditions, type Queryable, queryRows } from '../database/sql.js';
import { type EndedStatus, RUNNING } from './enrollment-lifecycle.js';

/**
 * Whose running enrollments end: one enrollment (with its contact, the key every write to enrollments names),
 * the contacts' own, or one sequence's (every contact's: the one write here not narrowed to contacts).
 */
export type Running =
  | { contactId: string; enrollmentId: string }
  | { contactId: string; sequenceIds: string[] }
  | { contactIds: string[] }
  | { sequenceId: string };

export interface Ended {
  id: string;
  contact_id: string;
  sequence_id: string;
}

export interface Ending {
  status: EndedStatus;
  reason: string;
}

/**
 * The one statement that ends running enrollments from outside the engine: erase, unsubscribe, bounce, archive,
 * manual exit and conversion (which then logs what it ended). The
 * row lock it takes makes a send that has not passed the gate yet see the exit (exits win: the gate reads the
 * status and the lease under the claim). The lease is released, so the row is nobody's; a send already past
 * the gate still records the step it sent (updateEnrollments). `now` is the caller's clock, never the
 * database's. Within a transaction, pass its EntityManager. Returns the ended enrollments.
 */
export function endRunningEnrollments(db: Queryable, whose: Running, ending: Ending, now: Date): Promise<Ended[]> {
  const where = new Conditions([ending.status, ending.reason, now]);
  if ('enrollmentId' in whose) where.add('contact_id = ?::uuid AND id = ?::uuid', whose.contactId, whose.enrollmentId);
  else if ('sequenceIds' in whose)
    where.add('contact_id = ?::uuid AND sequence_id = ANY(?::uuid[])', whose.contactId, whose.sequenceIds);
  else if ('contactIds' in whose) where.add('contact_id = ANY(?::uuid[])', whose.contactIds);
  else where.add('sequence_id = ?::uuid', whose.sequenceId);
  where.add(`status = '${RUNNING}'`);
  return queryRows<Ended>(
    db,
    `UPDATE enrollments SET status = $1, exit_reason = $2, next_due_at = NULL, locked_by = NULL, locked_until = NULL,
            ended_at = $3, updated_at = $3
     ${where.where()}
     RETURNING id, contact_id, sequence_id`,
    where.params,
  );
}
