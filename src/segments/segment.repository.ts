import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Queryable, queryOne, queryRows } from '../database/sql.js';

export interface SegmentRow {
  id: string;
  key: string;
  name: string;
  rule: unknown;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, key, name, rule, created_at, updated_at';

@Injectable()
export class SegmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Undefined when the key is taken. */
  insert(key: string, name: string, rule: unknown): Promise<SegmentRow | undefined> {
    return queryOne<SegmentRow>(
      this.dataSource,
      `INSERT INTO segments (key, name, rule) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`,
      [key, name, JSON.stringify(rule)],
    );
  }

  update(key: string, name: string, rule: unknown): Promise<SegmentRow | undefined> {
    return queryOne<SegmentRow>(
      this.dataSource,
      `UPDATE segments SET name = $2, rule = $3, updated_at = now() WHERE key = $1 RETURNING ${COLUMNS}`,
      [key, name, JSON.stringify(rule)],
    );
  }

  findByKey(key: string): Promise<SegmentRow | undefined> {
    return queryOne<SegmentRow>(this.dataSource, `SELECT ${COLUMNS} FROM segments WHERE key = $1`, [key]);
  }

  findByKeys(keys: string[]): Promise<SegmentRow[]> {
    return queryRows<SegmentRow>(this.dataSource, `SELECT ${COLUMNS} FROM segments WHERE key = ANY($1::text[])`, [
      keys,
    ]);
  }

  findById(id: string, db: Queryable = this.dataSource): Promise<SegmentRow | undefined> {
    return queryOne<SegmentRow>(db, `SELECT ${COLUMNS} FROM segments WHERE id = $1`, [id]);
  }

  /** Every segment (breakdowns); there are tens, not millions. */
  findAll(): Promise<SegmentRow[]> {
    return queryRows<SegmentRow>(this.dataSource, `SELECT ${COLUMNS} FROM segments ORDER BY key`);
  }

  findPage(limit: number, afterKey?: string): Promise<SegmentRow[]> {
    return queryRows<SegmentRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM segments WHERE ($1::text IS NULL OR key > $1) ORDER BY key LIMIT $2`,
      [afterKey ?? null, limit + 1],
    );
  }
}
