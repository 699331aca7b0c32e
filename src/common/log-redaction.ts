/** Query parameters that name a person; their values never reach the log (compared without case). */
const PERSONAL_PARAMETERS = new Set(['email', 'firstname', 'first_name', 'lastname', 'last_name']);

export const REDACTED = '[redacted]';

/** `email`, `email[]`, `contact[email]`… are all about an email. */
function isPersonal(key: string, value: string): boolean {
  const names = key.toLowerCase().split(/[[\].]+/);
  return names.some((name) => PERSONAL_PARAMETERS.has(name)) || value.includes('@');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The URL with the values of personal query parameters (and any value holding an address) replaced. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      return isPersonal(decode(key), decode(value)) ? `${key}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, mark + 1)}${query}`;
}

/** A redacted copy of a parsed query (Express's `req.query`, which may nest); the request's own is untouched. */
function redactQuery(query: unknown, personal = false): unknown {
  if (typeof query === 'string') return personal || query.includes('@') ? REDACTED : query;
  if (Array.isArray(query)) return query.map((item) => redactQuery(item, personal));
  if (query && typeof query === 'object') {
    return Object.fromEntries(
      Object.entries(query).map(([key, value]) => [key, redactQuery(value, personal || isPersonal(key, ''))]),
    );
  }
  return query;
}

interface SerializedRequest {
  url?: string;
  query?: unknown;
}

/**
 * pino-http's request serializer, after the standard one: an access log line must not name a contact, and
 * `GET /v1/contacts?email=…` would (erasure cannot reach a log that was already shipped).
 */
export function redactRequest<T extends SerializedRequest>(request: T): T {
  if (typeof request.url === 'string') request.url = redactUrl(request.url);
  if (request.query !== undefined) request.query = redactQuery(request.query);
  return request;
}
