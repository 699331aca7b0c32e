import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Conditions, type Queryable, queryOne, queryRows, type SqlFragment } from '../database/sql.js';
import { RUNNING } from '../lifecycle/enrollment-lifecycle.js';
import {
  cooldownEndSql,
  historySql,
  ineligibleSql,
  lostRaceSql,
  type NotEnrolledReason,
  onceSql,
  refusalSql,
} from './enrollment-eligibility.js';
import { holdoutSql } from './holdout.js';
import { endRunningEnrollments } from '../lifecycle/enrollment-lifecycle.repository.js';

export interface EnrollmentRow {
  id: string;
  contact_id: string;
  sequence_id: string;
  sequence_key: string;
  status: string;
  exit_reason: string | null;
  start_at: Date;
  next_step_key: string | null;
  next_due_at: Date | null;
  holdout: boolean;
  trigger_event_id: string | null;
  created_at: Date;
}

export interface DeliverySummaryRow {
  step_id: string;
  status: string;
  reason: string | null;
  sent_at: Date | null;
}

/** What one contact's enrollment came to: the new enrollment, or why there is none. */
export type EnrollOutcome =
  | { enrollment: EnrollmentRow; reason?: undefined }
  | { enrollment?: undefined; reason: NotEnrolledReason; nextAllowedAt: Date | null };

export interface SegmentEnrollment {
  enrolled: number;
  alreadyEnrolled: number;
  ineligible: number;
}

const SELECT_ENROLLMENT = `
  SELECT e.id, e.contact_id, e.sequence_id, s.key AS sequence_key, e.status, e.exit_reason, e.start_at,
         st.key AS next_step_key, e.next_due_at, e.holdout, e.trigger_event_id, e.created_at
  FROM enrollments e
  JOIN sequences s ON s.id = e.sequence_id
  LEFT JOIN sequence_steps st ON st.id = e.next_step_id`;

/**
 * Enrolls the contacts selected by `source` (`contacts c` narrowed by a WHERE) into sequence $1 with day 0 = $2,
 * each at its first current step, due per touchpoint_due_at() in the contact's zone, and started by event $3
 * (NULL: a marketer or a segment). Every candidate first gets its reason not to be enrolled (refusalSql: status,
 * audience, re-entry, cooldown); the others are inserted, with their id made here so that the holdout is decided
 * from it in the same statement, and `once` for a `never` sequence. ON CONFLICT without a target covers both
 * unique indexes that a concurrent enrollment can hit (one running per contact and sequence; once ever): such a
 * row is skipped, never an error, so the event that lost the race is still stored. `select` reads `x` (the
 * candidates, with their `reason`) LEFT JOINed to `i` (the inserted rows).
 */
function enrollSql(source: string, select: string, audience?: string): string {
  return `
    WITH candidates AS MATERIALIZED (
      SELECT gen_random_uuid() AS id, c.id AS contact_id, c.timezone, s.reentry,
             ${refusalSql('c', 's', 'h', '$2::timestamptz', audience)} AS reason,
             ${cooldownEndSql('s', 'h')} AS next_allowed_at
      FROM ${source}
      JOIN sequences s ON s.id = $1
      LEFT JOIN (${historySql('$1')}) h ON h.contact_id = c.id
    ), inserted AS (
      INSERT INTO enrollments (id, contact_id, sequence_id, start_at, next_step_id, next_due_at, once, holdout,
                               trigger_event_id)
      SELECT x.id, x.contact_id, s.id, $2::timestamptz, st.id,
             touchpoint_due_at($2::timestamptz, COALESCE(x.timezone, s.default_timezone, 'UTC'), st.day_offset, st.at_time),
             ${onceSql('s')}, ${holdoutSql('x.id', 's.holdout_percent')}, $3::uuid
      FROM candidates x
      JOIN sequences s ON s.id = $1
      JOIN LATERAL (SELECT id, day_offset, at_time FROM sequence_steps
                    WHERE sequence_id = s.id AND removed_at IS NULL ORDER BY position LIMIT 1) st ON true
      WHERE x.reason IS NULL
      ON CONFLICT DO NOTHING
      RETURNING id
    ), outcome AS (
      SELECT x.contact_id, i.id AS enrollment_id, x.next_allowed_at,
             CASE WHEN i.id IS NOT NULL THEN NULL ELSE COALESCE(x.reason, ${lostRaceSql('x.reentry')}) END AS reason
      FROM candidates x LEFT JOIN inserted i ON i.id = x.id
    )
    ${select}`;
}

@Injectable()
export class EnrollmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Enrolls one contact (a marketer's enrollment, or an event's with `options.triggerEventId` and the sequence's
   * `options.audience` as a fragment over `contacts c`): the new enrollment, or the reason there is none. The
   * callers check the contact's status first for a clear answer; the statement holds against a status changed
   * since. Within a transaction, pass its EntityManager (an event's enrollments are part of it).
   */
  async enrollOne(
    contactId: string,
    sequenceId: string,
    startAt: Date,
    options: { db?: Queryable; triggerEventId?: string; audience?: SqlFragment } = {},
  ): Promise<EnrollOutcome> {
    const db = options.db ?? this.dataSource;
    const params = new Conditions([sequenceId, startAt, options.triggerEventId ?? null]);
    const contact = params.bind(contactId);
    const audience = options.audience ? params.place(options.audience) : undefined;
    const row = await queryOne<{
      enrollment_id: string | null;
      reason: NotEnrolledReason | null;
      next_allowed_at: Date | null;
    }>(
      db,
      enrollSql(
        `(SELECT * FROM contacts c WHERE c.id = ${contact}) c`,
        `SELECT enrollment_id, reason, next_allowed_at FROM outcome`,
        audience,
      ),
      params.params,
    );
    // No row: the contact is gone (erased meanwhile); its status is the reason.
    if (!row) return { reason: 'contact-status', nextAllowedAt: null };
    if (row.enrollment_id) return { enrollment: (await this.findById(row.enrollment_id, db))! };
    return { reason: row.reason!, nextAllowedAt: row.next_allowed_at };
  }

  /**
   * Set-based enrollment of a segment's members (not erased), counted by outcome in the same statement:
   * `ineligible` are those the contact's status or the re-entry rule refused (enrollment-eligibility.ts).
   */
  async enrollSegment(sequenceId: string, startAt: Date, rule: SqlFragment): Promise<SegmentEnrollment> {
    const members = new Conditions([sequenceId, startAt, null]).add(`c.status <> 'erased'`).add(rule);
    const row = await queryOne<SegmentEnrollment>(
      this.dataSource,
      enrollSql(
        `(SELECT * FROM contacts c ${members.where()}) c`,
        `SELECT count(*) FILTER (WHERE enrollment_id IS NOT NULL)::int AS enrolled,
                count(*) FILTER (WHERE reason = 'already-active')::int AS "alreadyEnrolled",
                count(*) FILTER (WHERE ${ineligibleSql('reason')})::int AS ineligible
         FROM outcome`,
      ),
      members.params,
    );
    return row!;
  }

  findById(id: string, db: Queryable = this.dataSource): Promise<EnrollmentRow | undefined> {
    return queryOne<EnrollmentRow>(db, `${SELECT_ENROLLMENT} WHERE e.id = $1`, [id]);
  }

  /** The running enrollment of a contact in a sequence, else the latest finished one. */
  findLatest(contactId: string, sequenceId: string): Promise<EnrollmentRow | undefined> {
    return queryOne<EnrollmentRow>(
      this.dataSource,
      `${SELECT_ENROLLMENT} WHERE e.contact_id = $1 AND e.sequence_id = $2
       ORDER BY (e.status = '${RUNNING}') DESC, e.created_at DESC LIMIT 1`,
      [contactId, sequenceId],
    );
  }

  deliveriesOf(contactId: string, enrollmentId: string): Promise<DeliverySummaryRow[]> {
    return queryRows<DeliverySummaryRow>(
      this.dataSource,
      `SELECT step_id, status, reason, sent_at FROM deliveries WHERE contact_id = $1 AND enrollment_id = $2`,
      [contactId, enrollmentId],
    );
  }

  /** Ends a running enrollment by hand: whether it was running, and the row after; undefined when there is none. */
  async exit(id: string, now: Date): Promise<{ ended: boolean; row: EnrollmentRow } | undefined> {
    const enrollment = await this.findById(id);
    if (!enrollment) return undefined;
    const ended = await endRunningEnrollments(
      this.dataSource,
      { contactId: enrollment.contact_id, enrollmentId: id },
      { status: 'exited', reason: 'manual' },
      now,
    );
    return { ended: ended.length > 0, row: (await this.findById(id))! };
  }

  /**
   * Ends the contact's running enrollments in sequences converted by `event` and logs each conversion,
   * attributed to the last step sent before it (exits win, as for every end: endRunningEnrollments).
   */
  async convert(
    manager: EntityManager,
    contactId: string,
    event: { id: string; name: string; occurredAt: Date },
    now: Date,
  ): Promise<Array<{ sequence_key: string }>> {
    const sequences = await queryRows<{ id: string; key: string }>(
      manager,
      `SELECT id, key FROM sequences WHERE conversion_event = $1 AND status IN ('active', 'paused')`,
      [event.name],
    );
    if (sequences.length === 0) return [];
    const ended = await endRunningEnrollments(
      manager,
      { contactId, sequenceIds: sequences.map((sequence) => sequence.id) },
      { status: 'converted', reason: 'converted' },
      now,
    );
    if (ended.length === 0) return [];
    // Read first, then written: no subquery over the delivery log inside the insert (a distributed database
    // plans a write with a correlated subquery over another distributed table poorly or not at all).
    const lastSent = await queryRows<{ enrollment_id: string; step_id: string }>(
      manager,
      `SELECT DISTINCT ON (enrollment_id) enrollment_id, step_id FROM deliveries
       WHERE contact_id = $1 AND enrollment_id = ANY($2::uuid[]) AND status = 'sent' AND sent_at <= $3
       ORDER BY enrollment_id, sent_at DESC`,
      [contactId, ended.map((row) => row.id), event.occurredAt],
    );
    const attributed = new Map(lastSent.map((row) => [row.enrollment_id, row.step_id]));
    await manager.query(
      `INSERT INTO conversions (contact_id, enrollment_id, sequence_id, event_id, event_name, attributed_step_id,
                                occurred_at, created_at)
       SELECT $1, x.enrollment_id, x.sequence_id, $3, $2, x.step_id, $4, $8
       FROM unnest($5::uuid[], $6::uuid[], $7::uuid[]) AS x(enrollment_id, sequence_id, step_id)
       ON CONFLICT DO NOTHING`,
      [
        contactId,
        event.name,
        event.id,
        event.occurredAt,
        ended.map((row) => row.id),
        ended.map((row) => row.sequence_id),
        ended.map((row) => attributed.get(row.id) ?? null),
        now,
      ],
    );
    const keys = new Map(sequences.map((sequence) => [sequence.id, sequence.key]));
    return ended
      .map((row) => keys.get(row.sequence_id)!)
      .sort()
      .map((key) => ({ sequence_key: key }));
  }
}
