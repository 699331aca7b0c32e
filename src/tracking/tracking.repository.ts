import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../database/sql.js';
import { END_BY_CONTACT_STATUS, isReachable } from '../lifecycle/enrollment-lifecycle.js';
import { endRunningEnrollments } from '../lifecycle/enrollment-lifecycle.repository.js';
import { BURST_WINDOW_MS, MIN_HUMAN_CLICK_DELAY_MS } from './machine-rules.js';

/** What became of a hit: counted as the person's, kept apart as a machine's, or not written at all. */
export type Recorded = 'human' | 'machine' | 'ignored';

export interface Recipient {
  locale: string | null;
  status: string;
}

/**
 * The writes of the public endpoints. Only a `sent` delivery of a contact that is not erased is written to:
 * an erased contact's old links must not bring anything about them back (docs/data-model.md, Erasure).
 */
@Injectable()
export class TrackingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records an open. A person's first one sets opened_at (what the funnel counts) and each counts in
   * open_count; a machine's counts in machine_open_count only (machine-rules.ts).
   */
  async recordOpen(deliveryId: string, machine: boolean, userAgent: string | null, now: Date): Promise<Recorded> {
    const row = await queryOne<{ id: string }>(
      this.dataSource,
      `WITH hit AS (
         UPDATE deliveries d SET
                opened_at = CASE WHEN $2::boolean THEN d.opened_at ELSE COALESCE(d.opened_at, $3) END,
                open_count = d.open_count + CASE WHEN $2::boolean THEN 0 ELSE 1 END,
                machine_open_count = d.machine_open_count + CASE WHEN $2::boolean THEN 1 ELSE 0 END,
                updated_at = $3
         FROM contacts c
         WHERE d.id = $1 AND d.status = 'sent' AND c.id = d.contact_id AND c.status <> 'erased'
         RETURNING d.id, d.contact_id
       )
       INSERT INTO tracking_events (contact_id, delivery_id, kind, machine, user_agent, occurred_at)
       SELECT contact_id, id, 'open', $2, $4, $3 FROM hit RETURNING delivery_id AS id`,
      [deliveryId, machine, now, userAgent],
    );
    return !row ? 'ignored' : machine ? 'machine' : 'human';
  }

  /**
   * Records a click. A person's sets clicked_at and, since a click proves the email was opened, opened_at;
   * a machine's counts in machine_click_count only. Besides what the request looks like (`machine`), the
   * timing decides (machine-rules.ts): too soon after the send, or a burst over several links — whose
   * earlier clicks, taken for a person's when they came, are then reclassified. The delivery row is locked
   * first, so concurrent clicks of one email (a scanner's burst) are judged one after the other, each
   * seeing the ones before it.
   */
  recordClick(
    deliveryId: string,
    url: string,
    machine: boolean,
    userAgent: string | null,
    now: Date,
  ): Promise<Recorded> {
    return this.dataSource.transaction(async (manager) => {
      const delivery = await queryOne<{ contact_id: string; sent_at: Date | null }>(
        manager,
        `SELECT d.contact_id, d.sent_at FROM deliveries d JOIN contacts c ON c.id = d.contact_id
         WHERE d.id = $1 AND d.status = 'sent' AND c.status <> 'erased' FOR UPDATE OF d`,
        [deliveryId],
      );
      if (!delivery) return 'ignored';
      const tooSoon =
        delivery.sent_at !== null && now.getTime() - new Date(delivery.sent_at).getTime() < MIN_HUMAN_CLICK_DELAY_MS;
      const burst = await this.reclassifyBurst(manager, { contactId: delivery.contact_id, deliveryId }, url, now);
      const isMachine = machine || tooSoon || burst;
      await manager.query(
        `INSERT INTO tracking_events (contact_id, delivery_id, kind, url, machine, user_agent, occurred_at)
         VALUES ($1, $2, 'click', $3, $4, $5, $6)`,
        [delivery.contact_id, deliveryId, url, isMachine, userAgent, now],
      );
      await manager.query(
        isMachine
          ? `UPDATE deliveries SET machine_click_count = machine_click_count + 1, updated_at = $2
             WHERE contact_id = $3 AND id = $1`
          : `UPDATE deliveries SET clicked_at = COALESCE(clicked_at, $2), click_count = click_count + 1,
                    opened_at = COALESCE(opened_at, $2), updated_at = $2
             WHERE contact_id = $3 AND id = $1`,
        [deliveryId, now, delivery.contact_id],
      );
      return isMachine ? 'machine' : 'human';
    });
  }

  /**
   * Whether a click on `url` now makes a burst with a click on another link of the email. If so, the
   * person's clicks of that burst become machine ones, and the delivery's first click and open are
   * recomputed from what is left (a burst is rare, and a delivery has few events, so this costs little).
   */
  private async reclassifyBurst(
    manager: EntityManager,
    { contactId, deliveryId }: { contactId: string; deliveryId: string },
    url: string,
    now: Date,
  ): Promise<boolean> {
    const window = [new Date(now.getTime() - BURST_WINDOW_MS), new Date(now.getTime() + BURST_WINDOW_MS)];
    const burst = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM tracking_events
       WHERE contact_id = $5 AND delivery_id = $1 AND kind = 'click' AND occurred_at > $2 AND occurred_at < $3
         AND url IS DISTINCT FROM $4
       LIMIT 1`,
      [deliveryId, window[0], window[1], url, contactId],
    );
    if (burst.length === 0) return false;
    const moved = await queryOne<{ moved: number }>(
      manager,
      `WITH moved AS (
         UPDATE tracking_events SET machine = true
         WHERE contact_id = $5 AND delivery_id = $1 AND kind = 'click' AND NOT machine
           AND occurred_at > $2 AND occurred_at < $3
         RETURNING 1
       ), counted AS (
         UPDATE deliveries SET
                click_count = click_count - (SELECT count(*) FROM moved)::int,
                machine_click_count = machine_click_count + (SELECT count(*) FROM moved)::int,
                updated_at = $4
         WHERE contact_id = $5 AND id = $1
       )
       SELECT count(*)::int AS moved FROM moved`,
      [deliveryId, window[0], window[1], now, contactId],
    );
    if (!moved?.moved) return true;
    // A separate statement: it must see the events the one above marked.
    await manager.query(
      `UPDATE deliveries SET
              clicked_at = (SELECT min(occurred_at) FROM tracking_events
                            WHERE contact_id = $2 AND delivery_id = $1 AND kind = 'click' AND NOT machine),
              opened_at = (SELECT min(occurred_at) FROM tracking_events
                           WHERE contact_id = $2 AND delivery_id = $1 AND kind IN ('open', 'click') AND NOT machine)
       WHERE contact_id = $2 AND id = $1`,
      [deliveryId, contactId],
    );
    return true;
  }

  /** The contact an unsubscribe link belongs to, with its language for the page (an erased one's is not used). */
  async findRecipient(deliveryId: string): Promise<Recipient | undefined> {
    const recipient = await queryOne<Recipient>(
      this.dataSource,
      `SELECT COALESCE(c.locale, d.locale) AS locale, c.status
       FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE d.id = $1`,
      [deliveryId],
    );
    return recipient;
  }

  /**
   * One-click unsubscribe: immediate and idempotent. The contact's running enrollments end in the same
   * transaction, so no later pass can send to it (the send gate also re-reads the contact's status). The
   * contact's row is locked first, so an erasure running at the same time either comes after (and finds an
   * unsubscribed contact) or before (and this writes nothing). Returns the recipient as it was (an erased one
   * unchanged), or undefined when the link's delivery is gone.
   */
  unsubscribe(deliveryId: string, now: Date): Promise<Recipient | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const recipient = await queryOne<Recipient & { contact_id: string }>(
        manager,
        `SELECT c.id AS contact_id, COALESCE(c.locale, d.locale) AS locale, c.status
         FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE d.id = $1 FOR UPDATE OF c`,
        [deliveryId],
      );
      if (!recipient || !isReachable(recipient.status)) return recipient;
      await manager.query(
        `UPDATE contacts SET status = 'unsubscribed', status_changed_at = $2, updated_at = $2 WHERE id = $1`,
        [recipient.contact_id, now],
      );
      await endRunningEnrollments(
        manager,
        { contactIds: [recipient.contact_id] },
        { status: END_BY_CONTACT_STATUS.unsubscribed, reason: 'unsubscribed' },
        now,
      );
      await manager.query(
        `INSERT INTO tracking_events (contact_id, delivery_id, kind, occurred_at) VALUES ($1, $2, 'unsubscribe', $3)`,
        [recipient.contact_id, deliveryId, now],
      );
      return recipient;
    });
  }
}
