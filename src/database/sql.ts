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
 * A piece of SQL whose parameters are numbered only where it is placed: `render` receives the statement's
 * binder and returns the text with that statement's placeholders. A fragment can be placed after any other
 * parameters, or beside another fragment, and cannot misbind (segment rules compile to these).
 */
export interface SqlFragment {
  render(bind: (value: unknown) => string): string;
}

/** A fragment from text whose each `?` takes the next of `values`. */
export function sqlFragment(text: string, ...values: unknown[]): SqlFragment {
  return {
    render: (bind) => {
      let at = 0;
      return text.replace(/\?/g, () => {
        if (at >= values.length) throw new Error(`sqlFragment: more ? than values in ${text}`);
        return bind(values[at++]);
      });
    },
  };
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

  add(sql: string | SqlFragment, ...values: unknown[]): this {
    this.parts.push(this.place(typeof sql === 'string' ? sqlFragment(sql, ...values) : sql));
    return this;
  }

  /** A fragment's text with its parameters bound after those already here (for SQL outside the WHERE). */
  place(fragment: SqlFragment): string {
    return fragment.render((value) => this.bind(value));
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
