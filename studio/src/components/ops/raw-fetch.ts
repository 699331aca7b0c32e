import { ApiError } from '../../api/client';
import { session } from '../../session';

/** Nest's error shape, as the typed client reads it: `message` is one string or, for a 400, one per bad field. */
async function messagesOf(response: Response): Promise<string[]> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (Array.isArray(body.message)) return body.message.map(String);
    return typeof body.message === 'string' ? [body.message] : [];
  } catch {
    return [];
  }
}

/**
 * A call the typed client cannot make: a CSV body in or out. Same rules as `unwrap`: the admin key as a bearer
 * header (never in a URL a download could leak), a 401 ends the session, anything else not ok is an ApiError.
 */
export async function rawFetch(
  path: string,
  init: RequestInit & { headers: Record<string, string> },
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${session.key() ?? ''}` },
    });
  } catch {
    throw new ApiError(0, []);
  }
  if (response.ok) return response;
  if (response.status === 401) session.expire();
  throw new ApiError(response.status, await messagesOf(response));
}

/** Fetches `path` as CSV and hands it to the browser as a downloaded file named `filename`. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const response = await rawFetch(path, { headers: { Accept: 'text/csv' } });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL can go once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A query string of the filled-in filters only. */
export function queryOf(filters: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters))
    if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
