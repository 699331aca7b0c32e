import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Conditions, queryRows } from '../database/sql.js';
import type { EnrollmentRow } from './enrollment.repository.js';

/**
 * A row's sort time as ISO 8601 text with its microseconds (JSON's rendering of a timestamptz, whatever the
 * session's DateStyle): a cursor made from a JavaScript Date would drop them and skip the rows of the same
 * millisecond.
 */
const exactTime = (column: string): string => `to_json(${column}) #>> '{}'`;

export interface ListedEnrollmentRow extends EnrollmentRow {
  cursor_at: string;
}

export interface EventRow {
  id: string;
  name: string;
  occurred_at: Date;
  received_at: Date;
  properties: Record<string, unknown>;
  idempotency_key: string | null;
  cursor_at: string;
}

/** Newest first; a cursor is the last row's (time, id). */
export interface ListFilter {
  limit: number;
  after?: [string, string];
}

/** The studio's reads of enrollments (by sequence, by contact) and of a contact's events. */
@Injectable()
export class EnrollmentListRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * `e.*` rather than a column list: the enrollment view (toEnrollmentDto) reads whichever enrollment columns it
   * needs, and this list shows what POST /v1/sequences/:key/enrollments shows. By sequence the index
   * enrollments_sequence_created_idx gives the order; by contact enrollments_contact_idx finds the few rows.
   */
  findEnrollments(
    filter: ListFilter & { sequenceId?: string; contactId?: string; status?: string },
  ): Promise<ListedEnrollmentRow[]> {
    const where = new Conditions();
    if (filter.sequenceId) where.add('e.sequence_id = ?', filter.sequenceId);
    if (filter.contactId) where.add('e.contact_id = ?', filter.contactId);
    if (filter.status) where.add('e.status = ?', filter.status);
    if (filter.after) where.add('(e.created_at, e.id) < (?::timestamptz, ?::uuid)', filter.after[0], filter.after[1]);
    const limit = where.bind(filter.limit + 1);
    return queryRows<ListedEnrollmentRow>(
      this.dataSource,
      `SELECT e.*, s.key AS sequence_key, st.key AS next_step_key, ${exactTime('e.created_at')} AS cursor_at
       FROM enrollments e
       JOIN sequences s ON s.id = e.sequence_id
       LEFT JOIN sequence_steps st ON st.id = e.next_step_id
       ${where.where()}
       ORDER BY e.created_at DESC, e.id DESC LIMIT ${limit}`,
      where.params,
    );
  }

  /** A contact's events by the time they happened (index events_contact_idx). */
  findEvents(filter: ListFilter & { contactId: string }): Promise<EventRow[]> {
    const where = new Conditions().add('contact_id = ?', filter.contactId);
    if (filter.after) where.add('(occurred_at, id) < (?::timestamptz, ?::uuid)', filter.after[0], filter.after[1]);
    const limit = where.bind(filter.limit + 1);
    return queryRows<EventRow>(
      this.dataSource,
      `SELECT id, name, occurred_at, received_at, properties, idempotency_key, ${exactTime('occurred_at')} AS cursor_at
       FROM events ${where.where()}
       ORDER BY occurred_at DESC, id DESC LIMIT ${limit}`,
      where.params,
    );
  }
}
