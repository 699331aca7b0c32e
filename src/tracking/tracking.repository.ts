import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne } from '../database/sql.js';

@Injectable()
export class TrackingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records an open: the first one sets opened_at, every one counts. `machine_open` stays true only while
   * every open so far looked automated (privacy-proxy prefetch, security scanners).
   */
  recordOpen(
    deliveryId: string,
    machine: boolean,
    userAgent: string | null,
    now: Date,
  ): Promise<{ id: string } | undefined> {
    return queryOne(
      this.dataSource,
      `WITH hit AS (
         UPDATE deliveries SET opened_at = COALESCE(opened_at, $3), open_count = open_count + 1,
                machine_open = CASE WHEN open_count = 0 THEN $2 ELSE machine_open AND $2 END, updated_at = $3
         WHERE id = $1 AND status = 'sent' RETURNING id, contact_id
       )
       INSERT INTO tracking_events (contact_id, delivery_id, kind, machine, user_agent, occurred_at)
       SELECT contact_id, id, 'open', $2, $4, $3 FROM hit RETURNING delivery_id AS id`,
      [deliveryId, machine, now, userAgent],
    );
  }

  /** Records a click (which also proves an open). */
  recordClick(
    deliveryId: string,
    url: string,
    userAgent: string | null,
    now: Date,
  ): Promise<{ id: string } | undefined> {
    return queryOne(
      this.dataSource,
      `WITH hit AS (
         UPDATE deliveries SET clicked_at = COALESCE(clicked_at, $3), click_count = click_count + 1,
                opened_at = COALESCE(opened_at, $3), open_count = GREATEST(open_count, 1), updated_at = $3
         WHERE id = $1 AND status = 'sent' RETURNING id, contact_id
       )
       INSERT INTO tracking_events (contact_id, delivery_id, kind, url, user_agent, occurred_at)
       SELECT contact_id, id, 'click', $2, $4, $3 FROM hit RETURNING delivery_id AS id`,
      [deliveryId, url, now, userAgent],
    );
  }

  /** The contact an unsubscribe link belongs to, with its language for the page. */
  findRecipient(
    deliveryId: string,
  ): Promise<{ contact_id: string; locale: string | null; status: string } | undefined> {
    return queryOne(
      this.dataSource,
      `SELECT c.id AS contact_id, COALESCE(c.locale, d.locale) AS locale, c.status
       FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE d.id = $1`,
      [deliveryId],
    );
  }

  /**
   * One-click unsubscribe: immediate and idempotent. The contact's running enrollments end in the same
   * transaction, so no later pass can send to it (the send gate also re-reads the contact's status).
   */
  unsubscribe(deliveryId: string, now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const contact = await queryOne<{ id: string }>(
        manager,
        `UPDATE contacts c SET status = 'unsubscribed', status_changed_at = $2, updated_at = $2
         FROM deliveries d WHERE d.id = $1 AND c.id = d.contact_id AND c.status = 'active' RETURNING c.id`,
        [deliveryId, now],
      );
      if (!contact) return false;
      await manager.query(
        `UPDATE enrollments SET status = 'unsubscribed', exit_reason = 'unsubscribed', next_due_at = NULL, ended_at = $2,
                updated_at = $2
         WHERE contact_id = $1 AND status = 'active'`,
        [contact.id, now],
      );
      await manager.query(
        `INSERT INTO tracking_events (contact_id, delivery_id, kind, occurred_at) VALUES ($1, $2, 'unsubscribe', $3)`,
        [contact.id, deliveryId, now],
      );
      return true;
    });
  }
}
