import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * The statement timeout of the work being done: set for the span of each HTTP request, absent for background
 * work (the scheduler's passes, migrations at boot). A heavy API query is cancelled at the limit; the
 * scheduler's statements are bounded by its batch size instead, and cutting one mid-pass would turn mail
 * already handed to the SMTP server into `unknown`; a migration over a large table may take minutes.
 */
const scope = new AsyncLocalStorage<number>();

/** Runs `work` (and everything it awaits) with its database statements limited to `timeoutMs`. */
export function withStatementTimeout<T>(timeoutMs: number, work: () => T): T {
  return scope.run(timeoutMs, work);
}

/** Runs `work` as background work: the session's own default (none unless the database sets one). */
export function withoutStatementTimeout<T>(work: () => T): T {
  return scope.exit(work);
}

/** Express middleware: the rest of the request runs under `timeoutMs`. */
export function statementTimeoutMiddleware(timeoutMs: number) {
  return (_request: unknown, _response: unknown, next: () => void): void => withStatementTimeout(timeoutMs, next);
}

type Query = (...args: unknown[]) => unknown;
const query = pg.Client.prototype.query as unknown as Query;

/**
 * A pg client that sets `statement_timeout` before a statement when the connection's setting differs from what
 * the caller's scope wants: a pooled connection serves requests and the scheduler in turn, so the setting
 * follows the statement, at the cost of one `SET` when a connection changes hands between the two.
 */
export class ScopedTimeoutClient extends pg.Client {
  /** What the session holds: a limit in ms, null for its default, undefined when unknown (after a rollback). */
  private applied: number | null | undefined = null;

  static {
    (ScopedTimeoutClient.prototype as unknown as { query: Query }).query = function (
      this: ScopedTimeoutClient,
      ...args: unknown[]
    ) {
      const wanted = scope.getStore() ?? null;
      if (wanted !== this.applied) {
        this.applied = wanted;
        const setting = wanted === null ? 'RESET statement_timeout' : `SET statement_timeout = ${Math.floor(wanted)}`;
        // Queued ahead of the statement on this connection; if it fails, so does the statement, and the next
        // statement sets it again.
        (query.call(this, setting) as Promise<unknown>).catch(() => {
          this.applied = undefined;
        });
      }
      const text = typeof args[0] === 'string' ? args[0] : '';
      // A SET inside a transaction that rolls back is undone with it.
      if (/^\s*ROLLBACK/i.test(text)) this.applied = undefined;
      return query.apply(this, args);
    };
  }
}
