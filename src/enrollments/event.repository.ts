import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne } from '../database/sql.js';

export interface NewEvent {
  contactId: string;
  name: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
  idempotencyKey: string | null;
}

/** The events table, within the event's transaction. */
@Injectable()
export class EventRepository {
  /** The stored event's id, or undefined when the contact already sent this idempotency key. */
  async insert(manager: EntityManager, event: NewEvent): Promise<string | undefined> {
    const row = await queryOne<{ id: string }>(
      manager,
      `INSERT INTO events (contact_id, name, occurred_at, properties, idempotency_key)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (contact_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [event.contactId, event.name, event.occurredAt, JSON.stringify(event.properties), event.idempotencyKey],
    );
    return row?.id;
  }

  async findByIdempotencyKey(manager: EntityManager, contactId: string, key: string): Promise<string | undefined> {
    const row = await queryOne<{ id: string }>(
      manager,
      `SELECT id FROM events WHERE contact_id = $1 AND idempotency_key = $2`,
      [contactId, key],
    );
    return row?.id;
  }
}
