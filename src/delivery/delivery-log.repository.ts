import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Conditions, queryRows } from '../database/sql.js';

export interface DeliveryLogRow {
  id: string;
  contact_id: string;
  email: string | null;
  sequence_key: string;
  step_key: string;
  status: string;
  reason: string | null;
  attempts: number;
  locale: string | null;
  message_id: string | null;
  smtp_response: string | null;
  due_at: Date | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
  opened_at: Date | null;
  clicked_at: Date | null;
  bounced_at: Date | null;
  complained_at: Date | null;
  soft_bounced_at: Date | null;
  feedback: string | null;
  resend_count: number;
  resend_requested_at: Date | null;
  resend_requested_by: string | null;
  variant: string | null;
  created_at: Date;
}

export interface DeliveryLogFilter {
  sequence?: string;
  step?: string;
  status?: string;
  contactId?: string;
  since?: Date;
  until?: Date;
  after?: [string, string];
  limit: number;
}

@Injectable()
export class DeliveryLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first, keyset-paginated on (created_at, id) — index deliveries_created_idx. */
  findPage(filter: DeliveryLogFilter): Promise<DeliveryLogRow[]> {
    const where = new Conditions();
    if (filter.sequence) where.add('s.key = ?', filter.sequence);
    if (filter.step) where.add('st.key = ?', filter.step);
    if (filter.status) where.add('d.status = ?', filter.status);
    if (filter.contactId) where.add('d.contact_id = ?', filter.contactId);
    if (filter.since) where.add('d.created_at >= ?', filter.since);
    if (filter.until) where.add('d.created_at < ?', filter.until);
    if (filter.after) where.add('(d.created_at, d.id) < (?::timestamptz, ?::uuid)', filter.after[0], filter.after[1]);
    const limit = where.bind(filter.limit + 1);
    return queryRows<DeliveryLogRow>(
      this.dataSource,
      `SELECT d.id, d.contact_id, c.email, s.key AS sequence_key, st.key AS step_key, d.status, d.reason, d.attempts,
              d.locale, d.message_id, d.smtp_response, d.due_at, d.next_attempt_at, d.sent_at, d.opened_at, d.clicked_at,
              d.bounced_at, d.complained_at, d.soft_bounced_at, d.feedback, d.resend_count,
              d.resend_requested_at, d.resend_requested_by, d.variant, d.created_at
       FROM deliveries d
       JOIN contacts c ON c.id = d.contact_id
       JOIN sequences s ON s.id = d.sequence_id
       JOIN sequence_steps st ON st.id = d.step_id
       ${where.where()}
       ORDER BY d.created_at DESC, d.id DESC
       LIMIT ${limit}`,
      where.params,
    );
  }
}
