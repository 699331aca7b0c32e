import type { DataSource, EntityManager } from 'typeorm';

export type Queryable = DataSource | EntityManager;

/**
 * Runs SQL and returns its rows. TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, rowCount]` and everything else with `rows`; this hides the difference.
 */
export async function queryRows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

export async function queryOne<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  const rows = await queryRows<T>(db, sql, params);
  return rows[0];
}

/**
 * A WHERE clause built from optional filters, with bind parameters numbered as they are added. Each `?`
 * in a condition takes the next of its values; values never enter the SQL text.
 */
export class Conditions {
  readonly params: unknown[];
  private readonly parts: string[] = [];

  /** `params` are parameters already used by SQL placed before these conditions ($1…$n). */
  constructor(params: unknown[] = []) {
    this.params = [...params];
  }

  add(sql: string, ...values: unknown[]): this {
    let text = sql;
    for (const value of values) text = text.replace('?', this.bind(value));
    this.parts.push(text);
    return this;
  }

  /** Adds a parameter and returns its placeholder. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  where(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}
