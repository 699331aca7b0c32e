import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Conditions, queryOne, queryRows, type SqlFragment } from '../database/sql.js';
import { reachableSql } from '../lifecycle/enrollment-lifecycle.js';
import { recordReturnedMail, type ReturnedMail } from '../lifecycle/returned-mail.repository.js';
import {
  type ClaimedEnrollment,
  columns,
  type EnrollmentUpdate,
  type ExistingDelivery,
  type NoteRow,
  type OutcomeRow,
  type ParkedRow,
  type PendingRow,
} from './delivery-rows.js';

/**
 * The claim statement, exported so test/integration/schema.spec.ts can EXPLAIN this very text: $1 owner, $2 now,
 * $3 lease until, $4 limit, $5 enrollment ids to leave out. One statement in one method (claim), so a distributed
 * database, which refuses FOR UPDATE across shards, can swap it for another form.
 */
export const CLAIM_SQL = `UPDATE enrollments SET locked_by = $1, locked_until = $3
       WHERE id IN (
         SELECT e.id FROM enrollments e
         WHERE e.status = 'active' AND e.next_due_at IS NOT NULL AND e.next_due_at <= $2
           AND (e.locked_until IS NULL OR e.locked_until < $2)
           AND NOT (e.id = ANY($5::uuid[]))
           AND EXISTS (SELECT 1 FROM sequences s WHERE s.id = e.sequence_id AND s.status = 'active')
         ORDER BY e.next_due_at
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING id`;

/**
 * All SQL of the delivery engine. Every statement is a single autocommit statement: a pass never holds a
 * transaction open, least of all across an SMTP call.
 */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * In-flight sends whose lease ran out belong to an instance that died mid-send: whether the message
   * left is unknowable, so they become `unknown` (shown to ops, never resent) and their enrollments
   * are made due again to move on. Index: deliveries_pending_idx.
   */
  async expireInFlight(now: Date): Promise<number> {
    const row = await queryOne<{ n: number }>(
      this.dataSource,
      `WITH stale AS (
         UPDATE deliveries SET status = 'unknown', updated_at = $1,
           reason = 'outcome unknown: the sending instance stopped before recording the result; not resent automatically'
         WHERE status = 'pending' AND next_attempt_at < $1
         RETURNING contact_id, enrollment_id
       ), released AS (
         UPDATE enrollments e SET next_due_at = LEAST(e.next_due_at, $1), locked_by = NULL, locked_until = NULL
         FROM stale WHERE e.contact_id = stale.contact_id AND e.id = stale.enrollment_id AND e.status = 'active'
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM stale`,
      [now],
    );
    return row!.n;
  }

  /**
   * Claims up to `limit` due enrollments of active sequences under a lease. SKIP LOCKED lets any number
   * of instances claim side by side without waiting on each other; the lease (locked_until) keeps a
   * claimed row away from others until this instance is done or presumed dead. The subquery walks
   * enrollments_due_idx in due order, so the cost follows the due rows, not the table.
   */
  claim(owner: string, now: Date, leaseUntil: Date, limit: number, exclude: string[]): Promise<Array<{ id: string }>> {
    return queryRows<{ id: string }>(this.dataSource, CLAIM_SQL, [owner, now, leaseUntil, limit, exclude]);
  }

  loadClaimed(ids: string[]): Promise<ClaimedEnrollment[]> {
    return queryRows<ClaimedEnrollment>(
      this.dataSource,
      `SELECT e.id AS enrollment_id, e.contact_id, e.sequence_id, e.start_at, e.next_step_id,
              c.email, c.first_name, c.last_name, c.locale, c.timezone, c.attributes, c.status AS contact_status,
              e.holdout, ev.name AS event_name, ev.properties AS event_properties
       FROM enrollments e JOIN contacts c ON c.id = e.contact_id
       LEFT JOIN events ev ON ev.contact_id = e.contact_id AND ev.id = e.trigger_event_id
       WHERE e.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  existingDeliveries(enrollmentIds: string[]): Promise<ExistingDelivery[]> {
    return queryRows<ExistingDelivery>(
      this.dataSource,
      `SELECT enrollment_id, step_id, status, attempts, next_attempt_at FROM deliveries WHERE enrollment_id = ANY($1::uuid[])`,
      [enrollmentIds],
    );
  }

  /** Which of `contactIds` match a compiled segment rule. */
  async segmentMembers(contactIds: string[], rule: SqlFragment): Promise<Set<string>> {
    const where = new Conditions().add('c.id = ANY(?::uuid[])', contactIds).add(rule);
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT c.id FROM contacts c ${where.where()}`,
      where.params,
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Skipped and deferred rows. A row already sent, failed, unknown or in flight is never overwritten. */
  async writeNotes(rows: NoteRow[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, reason, due_at, next_attempt_at, created_at, updated_at)
       SELECT x.contact_id, x.enrollment_id, x.sequence_id, x.step_id, x.status, x.reason, x.due_at, x.next_attempt_at, $2, $2
       FROM jsonb_to_recordset($1::jsonb) AS x(contact_id uuid, enrollment_id uuid, sequence_id uuid, step_id uuid,
                                               status text, reason text, due_at timestamptz, next_attempt_at timestamptz)
       ON CONFLICT (contact_id, enrollment_id, step_id) DO UPDATE SET
         status = EXCLUDED.status, reason = EXCLUDED.reason, next_attempt_at = EXCLUDED.next_attempt_at, updated_at = EXCLUDED.updated_at
       WHERE deliveries.status IN ('deferred', 'retrying')`,
      [JSON.stringify(rows), now],
    );
  }

  /**
   * The never-twice gate, written before any SMTP call: a row moves to `pending` only if it is new or
   * was deferred/retrying, and only while the enrollment is still active and held by this instance and
   * the contact still active — read now, under the claim, so an exit committed before this statement
   * stops the send (exits win). Returns the rows this instance may send, with their attempt number.
   */
  insertPending(owner: string, rows: PendingRow[], now: Date, leaseUntil: Date) {
    return queryRows<{ id: string; enrollment_id: string; attempts: number }>(
      this.dataSource,
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, attempts, due_at, next_attempt_at, created_at, updated_at, variant)
       SELECT x.contact_id, x.enrollment_id, x.sequence_id, x.step_id, 'pending', 1, x.due_at, $8, $7, $7, x.variant
       FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[], $9::text[])
              AS x(contact_id, enrollment_id, sequence_id, step_id, due_at, variant)
       JOIN enrollments e ON e.id = x.enrollment_id AND e.status = 'active' AND e.locked_by = $1
       JOIN contacts c ON c.id = x.contact_id AND ${reachableSql('c')}
       ON CONFLICT (contact_id, enrollment_id, step_id) DO UPDATE SET
         status = 'pending', reason = NULL, attempts = deliveries.attempts + 1, next_attempt_at = EXCLUDED.next_attempt_at,
         updated_at = EXCLUDED.updated_at, variant = EXCLUDED.variant
       WHERE deliveries.status IN ('deferred', 'retrying')
       RETURNING id, enrollment_id, attempts`,
      [
        owner,
        ...columns(rows, ['contact_id', 'enrollment_id', 'sequence_id', 'step_id', 'due_at']),
        now,
        leaseUntil,
        rows.map((row) => row.variant ?? null),
      ],
    );
  }

  /**
   * Outcomes by primary key. unnest() over arrays, not jsonb_to_recordset: the planner knows how many rows
   * the arrays hold (a set-returning function counts as 100), so it joins by key instead of scanning.
   */
  async writeOutcomes(rows: OutcomeRow[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.query(
      `UPDATE deliveries d SET status = x.status, reason = x.reason, message_id = x.message_id, smtp_response = x.smtp_response,
              sent_at = x.sent_at, next_attempt_at = x.next_attempt_at, locale = x.locale, updated_at = $9
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[], $10::uuid[])
              AS x(id, status, reason, message_id, smtp_response, sent_at, next_attempt_at, locale, contact_id)
       WHERE d.contact_id = x.contact_id AND d.id = x.id AND d.status = 'pending'`,
      [
        ...columns(rows, [
          'id',
          'status',
          'reason',
          'message_id',
          'smtp_response',
          'sent_at',
          'next_attempt_at',
          'locale',
        ]),
        now,
        rows.map((row) => row.contact_id),
      ],
    );
  }

  /**
   * Hard bounces at send time, by the rule every source of returned mail follows (recordReturnedMail): the
   * delivery row gets bouncedAt with the SMTP reply, the contact is bounced and every running enrollment of it
   * ends, in one transaction (short: a few statements, after the SMTP reply).
   */
  async markBounced(
    outcomes: Array<Pick<OutcomeRow, 'id' | 'contact_id' | 'smtp_response'>>,
    now: Date,
  ): Promise<void> {
    if (outcomes.length === 0) return;
    const reports: ReturnedMail[] = outcomes.map((outcome) => ({
      contactId: outcome.contact_id,
      deliveryId: outcome.id,
      kind: 'bounce',
      source: 'smtp',
      diagnostic: outcome.smtp_response,
    }));
    await this.dataSource.transaction((manager) => recordReturnedMail(manager, reports, now));
  }

  /**
   * Moves claimed enrollments on and releases them. Guarded by owner, and by status: an enrollment that was
   * converted, unsubscribed or exited meanwhile keeps that state — but still records the step it was sent
   * while the exit came in (the gate had passed), so the funnel counts the loss after the email they got.
   * An exit releases the lease (endRunningEnrollments), so an ended row is recorded when it is still this
   * instance's or nobody's; the step recorded is one this instance's delivery rows show as sent.
   */
  async updateEnrollments(owner: string, rows: EnrollmentUpdate[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    const live = `e.status = 'active'`;
    await this.dataSource.query(
      `UPDATE enrollments e SET
              next_step_id = CASE WHEN ${live} THEN x.next_step_id ELSE e.next_step_id END,
              next_due_at = CASE WHEN ${live} THEN x.next_due_at ELSE e.next_due_at END,
              status = CASE WHEN ${live} THEN x.status ELSE e.status END,
              exit_reason = CASE WHEN ${live} THEN x.exit_reason ELSE e.exit_reason END,
              ended_at = CASE WHEN NOT ${live} THEN e.ended_at WHEN x.status = 'active' THEN NULL ELSE $8::timestamptz END,
              last_sent_step_id = COALESCE(x.last_sent_step_id, e.last_sent_step_id),
              locked_by = NULL, locked_until = NULL, updated_at = $8
       FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::uuid[], $9::uuid[])
              AS x(id, next_step_id, next_due_at, status, exit_reason, last_sent_step_id, contact_id)
       WHERE e.contact_id = x.contact_id AND e.id = x.id
         AND ((${live} AND e.locked_by = $1)
              OR (NOT ${live} AND (e.locked_by = $1 OR e.locked_by IS NULL)
                  AND x.last_sent_step_id IS NOT NULL AND x.last_sent_step_id IS DISTINCT FROM e.last_sent_step_id))`,
      [
        owner,
        ...columns(rows, ['id', 'next_step_id', 'next_due_at', 'status', 'exit_reason', 'last_sent_step_id']),
        now,
        rows.map((row) => row.contact_id),
      ],
    );
  }

  /**
   * Parks enrollments the engine could not process (a value the database refuses, a date no calendar holds):
   * each ends as `exited` with reason `error`, its lease released, and its current step gets a `failed`
   * delivery row with the reason, so ops find it in the delivery log. Nothing but `now` and the reason text
   * is written, so the values that poisoned the enrollment cannot poison this statement.
   */
  async park(owner: string, rows: ParkedRow[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.query(
      `WITH parked AS (
         UPDATE enrollments e SET status = 'exited', exit_reason = 'error', next_due_at = NULL, ended_at = $6,
                locked_by = NULL, locked_until = NULL, updated_at = $6
         FROM unnest($2::uuid[], $3::uuid[]) AS x(contact_id, enrollment_id)
         WHERE e.contact_id = x.contact_id AND e.id = x.enrollment_id AND e.locked_by = $1 AND e.status = 'active'
         RETURNING e.contact_id, e.id, e.sequence_id
       )
       INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, reason, attempts, due_at, created_at, updated_at)
       SELECT x.contact_id, x.enrollment_id, p.sequence_id, x.step_id, 'failed', x.reason, 0, $6, $6, $6
       FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[]) AS x(contact_id, enrollment_id, step_id, reason)
       JOIN parked p ON p.contact_id = x.contact_id AND p.id = x.enrollment_id
       WHERE x.step_id IS NOT NULL
       ON CONFLICT (contact_id, enrollment_id, step_id) DO UPDATE SET
         status = 'failed', reason = EXCLUDED.reason, next_attempt_at = NULL, updated_at = EXCLUDED.updated_at
       WHERE deliveries.status IN ('deferred', 'retrying')`,
      [owner, ...columns(rows, ['contact_id', 'enrollment_id', 'step_id', 'reason']), now],
    );
  }

  /** Active enrollments of active sequences due by `now` (the backlog gauge). */
  async dueBacklog(now: Date): Promise<number> {
    const row = await queryOne<{ n: number }>(
      this.dataSource,
      `SELECT count(*)::int AS n FROM enrollments WHERE status = 'active' AND next_due_at IS NOT NULL AND next_due_at <= $1`,
      [now],
    );
    return row!.n;
  }
}
