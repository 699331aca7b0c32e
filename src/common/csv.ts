import type { Response } from 'express';

/** One CSV field: quoted when needed; a leading =, +, - or @ is prefixed so spreadsheets do not run it as a formula. */
function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(field).join(',')}\r\n`;
}

export function wantsCsv(accept: string | undefined): boolean {
  return (accept ?? '').toLowerCase().includes('text/csv');
}

/**
 * Streams every page of a keyset-paginated query as CSV, so an export of a million rows never sits in
 * memory at once. The first page is fetched before anything is written: a filter the database refuses
 * gets the same error reply as the JSON list. Once the 200 has gone out an error can no longer be
 * reported; the transfer is then cut (the socket destroyed) so the client sees a broken download instead
 * of waiting on an unfinished one, and the error is rethrown for the exception filter to log.
 */
export async function streamCsv<T>(
  response: Response,
  filename: string,
  columns: Array<[header: string, value: (item: T) => unknown]>,
  nextPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<void> {
  const rows = (items: T[]) => items.map((item) => csvLine(columns.map(([, value]) => value(item)))).join('');
  let page = await nextPage(undefined);
  const first = csvLine(columns.map(([header]) => header)) + rows(page.items);
  response.status(200);
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  try {
    let open = await write(response, first);
    while (open && page.nextCursor) {
      page = await nextPage(page.nextCursor);
      open = await write(response, rows(page.items));
    }
    // A client that hung up gets no more pages fetched for it.
    if (!open) return;
  } catch (error) {
    response.destroy();
    throw error;
  }
  response.end();
}

/** Writes with backpressure; false once the client has gone (the response closed before it ended). */
async function write(response: Response, chunk: string): Promise<boolean> {
  if (chunk && !response.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }
  return !response.socket?.destroyed && !response.destroyed;
}
