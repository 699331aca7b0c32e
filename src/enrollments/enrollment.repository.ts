import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Conditions, type Queryable, queryOne, queryRows, type SqlFragment } from '../database/sql.js';
import { reachableSql, RUNNING } from '../lifecycle/enrollment-lifecycle.js';
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
  created_at: Date;
}

export interface DeliverySummaryRow {
  step_id: string;
  status: string;
  reason: string | null;
  sent_at: Date | null;
}

const SELECT_ENROLLMENT = `
  SELECT e.id, e.contact_id, e.sequence_id, s.key AS sequence_key, e.status, e.exit_reason, e.start_at,
         st.key AS next_step_key, e.next_due_at, e.created_at
  FROM enrollments e
  JOIN sequences s ON s.id = e.sequence_id
  LEFT JOIN sequence_steps st ON st.id = e.next_step_id`;

/**
 * Enrolls the contacts selected by `source` (a FROM/WHERE over `contacts c`) at their first current step,
 * due per touchpoint_due_at() in the contact's zone. The partial unique index turns "already active in
 * this sequence" into a skipped row rather than an error, which makes segment enrollment idempotent.
 */
function enrollSql(source: string): string {
  return `
    INSERT INTO enrollments (contact_id, sequence_id, start_at, next_step_id, next_due_at)
    SELECT c.id, s.id, $2::timestamptz, st.id,
           touchpoint_due_at($2::timestamptz, COALESCE(c.timezone, s.default_timezone, 'UTC'), st.day_offset, st.at_time)
    FROM ${source}
    JOIN sequences s ON s.id = $1
    JOIN LATERAL (SELECT id, day_offset, at_time FROM sequence_steps
                  WHERE sequence_id = s.id AND removed_at IS NULL ORDER BY position LIMIT 1) st ON true
    ON CONFLICT (contact_id, sequence_id) WHERE status = '${RUNNING}' DO NOTHING`;
}

@Injectable()
export class EnrollmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The new enrollment, or undefined when the contact is already active in the sequence or may not be enrolled
   * (not `active`: unsubscribed, bounced, complained, erased, or created again with a suppressed address). The
   * callers check the status first for a clear answer; this guard holds against a status that changed since.
   */
  async enrollOne(
    contactId: string,
    sequenceId: string,
    startAt: Date,
    db: Queryable = this.dataSource,
  ): Promise<EnrollmentRow | undefined> {
    const row = await queryOne<{ id: string }>(
      db,
      `WITH target AS (SELECT * FROM contacts t WHERE t.id = $3 AND ${reachableSql('t')}) ${enrollSql('target c')} RETURNING id`,
      [sequenceId, startAt, contactId],
    );
    return row ? this.findById(row.id, db) : undefined;
  }

  /** Set-based enrollment of a segment's active members; returns how many were new. */
  async enrollSegment(sequenceId: string, startAt: Date, rule: SqlFragment): Promise<number> {
    const members = new Conditions([sequenceId, startAt]).add(reachableSql('c')).add(rule);
    const row = await queryOne<{ enrolled: number }>(
      this.dataSource,
      `WITH inserted AS (
         ${enrollSql(`(SELECT * FROM contacts c ${members.where()}) c`)}
         RETURNING 1)
       SELECT count(*)::int AS enrolled FROM inserted`,
      members.params,
    );
    return row!.enrolled;
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
