import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Statuses that mean "never mail this address again"; each is kept as a suppression when the contact is erased. */
export const SUPPRESSING_STATUSES = ['unsubscribed', 'bounced', 'complained'] as const;

export function isSuppressing(status: string): boolean {
  return (SUPPRESSING_STATUSES as readonly string[]).includes(status);
}

/**
 * The suppression list: keyed hashes of addresses whose owner unsubscribed, bounced or complained. Read by the
 * contact upserts as a join (see contact.repository.ts); written here, inside the caller's transaction.
 */
@Injectable()
export class SuppressionRepository {
  /** The latest status wins: a bounce recorded after an unsubscribe is what the address is now. */
  async suppress(manager: EntityManager, emailHash: string, status: string, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO suppressions (email_hash, status, created_at, updated_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (email_hash) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
      [emailHash, status, now],
    );
  }
}
