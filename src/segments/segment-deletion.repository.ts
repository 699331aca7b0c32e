import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../database/sql.js';

/** A sequence that names a segment: as its audience (step null), or a step of it as the step's segment. */
export interface SegmentUserRow {
  sequence: string;
  sequence_status: string;
  step: string | null;
  /** A step removed from the calendar but kept for its delivery history (its foreign key still holds). */
  removed: boolean;
}

const USERS = `
  SELECT s.key AS sequence, s.status AS sequence_status, NULL::text AS step, false AS removed, -1 AS position
  FROM sequences s WHERE s.audience_segment_id = $1
  UNION ALL
  SELECT s.key, s.status, st.key, st.removed_at IS NOT NULL, st.position
  FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
  WHERE st.segment_id = $1
  ORDER BY sequence, position, step`;

@Injectable()
export class SegmentDeletionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes the segment when nothing names it; undefined when there is no such segment, else its users (none:
   * deleted). The row is locked first, so a sequence or step being written with it (both are foreign keys)
   * either is seen here and refuses the delete, or waits and then fails on the key: never a dangling reference.
   */
  deleteUnused(key: string): Promise<SegmentUserRow[] | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const segment = await queryOne<{ id: string }>(manager, `SELECT id FROM segments WHERE key = $1 FOR UPDATE`, [
        key,
      ]);
      if (!segment) return undefined;
      const users = await queryRows<SegmentUserRow>(manager, USERS, [segment.id]);
      if (users.length === 0) await manager.query(`DELETE FROM segments WHERE id = $1`, [segment.id]);
      return users;
    });
  }
}
