import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne } from '../database/sql.js';
import { recordReturnedMail, type ReturnedMail } from '../lifecycle/returned-mail.repository.js';

export interface FeedbackTarget {
  contactId: string;
  deliveryId: string | null;
}

/** Finds what a report is about, and records it by the lifecycle's one rule for returned mail. */
@Injectable()
export class FeedbackRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A delivery (by primary key) of a contact that still exists as a person: an erased one is left alone. */
  findDelivery(deliveryId: string): Promise<{ id: string; contact_id: string; message_id: string | null } | undefined> {
    return queryOne(
      this.dataSource,
      `SELECT d.id, d.contact_id, d.message_id FROM deliveries d JOIN contacts c ON c.id = d.contact_id
       WHERE d.id = $1 AND c.status <> 'erased'`,
      [deliveryId],
    );
  }

  /** A contact by address, as the API matches addresses (index contacts_email_lower_key). */
  findContactByEmail(email: string): Promise<{ id: string } | undefined> {
    return queryOne(this.dataSource, `SELECT id FROM contacts WHERE lower(email) = lower($1)`, [email]);
  }

  /** All of one request's reports, or none of them. */
  async record(reports: ReturnedMail[], now: Date): Promise<void> {
    if (reports.length === 0) return;
    await this.dataSource.transaction((manager) => recordReturnedMail(manager, reports, now));
  }
}
