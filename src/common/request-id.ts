import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A caller's request id is kept so logs can be joined across services; otherwise one is made. */
export function requestIdOf(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Names the request before anything else runs, so a refusal made ahead of Nest's middleware (a body over
 * its limit, malformed JSON) carries the same request id as everything else; pino-http keeps an id it finds.
 */
export function assignRequestId(
  request: IncomingMessage & { id?: unknown },
  response: ServerResponse,
  next: () => void,
): void {
  request.id ??= requestIdOf(request, response);
  next();
}
