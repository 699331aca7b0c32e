import createClient from 'openapi-fetch';
import { session } from '../session';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** The typed client of the admin API: paths, parameters and bodies come from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use({
  onRequest({ request }) {
    const key = session.key();
    if (key !== null && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${key}`);
    return request;
  },
});

/** What went wrong with a call, for the screen to say: no answer (`status` 0), or the server's status and messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(messages.join('; ') || `HTTP ${status}`);
  }
}

/** Nest's error shape: `message` is a string or, for a 400, every bad field's message. */
function messagesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || !('message' in body)) return [];
  const { message } = body as { message: unknown };
  if (Array.isArray(message)) return message.map(String);
  return typeof message === 'string' ? [message] : [];
}

/**
 * The data of a successful call, or an ApiError. A 401 means the server no longer takes the key: the session
 * ends and the sign-in screen says so.
 */
export async function unwrap<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: Awaited<typeof pending>;
  try {
    result = await pending;
  } catch {
    throw new ApiError(0, []);
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.status === 401) session.expire();
  throw new ApiError(result.response.status, messagesOf(result.error));
}
