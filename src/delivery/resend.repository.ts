import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne } from '../database/sql.js';
import { reachableSql } from '../lifecycle/enrollment-lifecycle.js';

/** The statuses an operator may send again: the engine gave up on the row, or cannot know what became of it. */
export const RESENDABLE = ['failed', 'unknown'] as const;

export interface ResendTarget {
  id: string;
  contact_id: string;
  enrollment_id: string;
  sequence_id: string;
  step_id: string;
  status: string;
  contact_status: string;
  due_at: Date | null;
  /** The A/B variant the row was sent with: a resend sends that variant's template again. */
  variant: string | null;
}

export interface ResendClaim {
  id: string;
  attempts: number;
  resend_count: number;
  resend_requested_at: Date;
  resend_requested_by: string;
}

export interface ResendRequest {
  by: string;
  requestId: string | null;
  now: Date;
  /** The claim's lease: past it, a pass takes the send for interrupted and marks the row `unknown`. */
  leaseUntil: Date;
}

/** The SQL of an operator's resend (resend.service.ts). */
@Injectable()
export class ResendRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The row and its contact's status, to refuse a resend with the reason. Index: the primary key. */
  find(id: string): Promise<ResendTarget | undefined> {
    return queryOne<ResendTarget>(
      this.dataSource,
      `SELECT d.id, d.contact_id, d.enrollment_id, d.sequence_id, d.step_id, d.status, d.due_at, d.variant, c.status AS contact_status
       FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE d.id = $1`,
      [id],
    );
  }

  /**
   * The claim: one conditional UPDATE from failed|unknown to pending under a lease, checking the contact in the
   * same statement. Of two requests at once, the second waits for the first's row lock, re-reads the row as
   * `pending` and matches nothing: one send. A pending row's lease is next_attempt_at, as the engine's gate's.
   */
  claim(target: Pick<ResendTarget, 'id' | 'contact_id'>, request: ResendRequest): Promise<ResendClaim | undefined> {
    return queryOne<ResendClaim>(
      this.dataSource,
      `UPDATE deliveries d SET status = 'pending', reason = NULL, attempts = d.attempts + 1, next_attempt_at = $4,
              resend_count = d.resend_count + 1, resend_requested_at = $3, resend_requested_by = $5,
              resend_request_id = $6, updated_at = $3
       WHERE d.contact_id = $2 AND d.id = $1 AND d.status IN (${RESENDABLE.map((status) => `'${status}'`).join(', ')})
         AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = d.contact_id AND ${reachableSql('c')})
       RETURNING d.id, d.attempts, d.resend_count, d.resend_requested_at, d.resend_requested_by`,
      [target.id, target.contact_id, request.now, request.leaseUntil, request.by, request.requestId],
    );
  }
}
