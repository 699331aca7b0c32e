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
 * memory at once.
 */
export async function streamCsv<T>(
  response: Response,
  filename: string,
  columns: Array<[header: string, value: (item: T) => unknown]>,
  nextPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<void> {
  response.status(200);
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  response.write(csvLine(columns.map(([header]) => header)));
  let cursor: string | undefined;
  do {
    const page = await nextPage(cursor);
    const chunk = page.items.map((item) => csvLine(columns.map(([, value]) => value(item)))).join('');
    if (chunk && !response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  response.end();
}
