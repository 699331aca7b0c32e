import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { AdminKeys } from './admin-key.middleware.js';
import { jsonBodyParser } from './json-body.js';

/** Requests under /v1: their bodies are read only once the admin key is known to be good. */
const adminRequests = new WeakSet<Request>();

/**
 * Bodies are read only when someone will use them: under /v1 only with a valid admin key (the refusal is
 * AdminKeyMiddleware's, further on; an unread body costs nothing), JSON up to 1 MB. The bulk import reads
 * its own body as a stream, so it can stop at the row limit (contacts/import-body.ts). Elsewhere only small
 * forms (the one-click unsubscribe posts one).
 */
export function applyBodyParsers(app: NestExpressApplication, config: AppConfig): void {
  const keys = new AdminKeys(config.adminApiKeys);
  const json = jsonBodyParser(1);
  app.use('/v1', (request: Request, response: Response, next: NextFunction) => {
    adminRequests.add(request);
    if (keys.check(request.headers.authorization) !== 'valid' || readsOwnBody(request)) return next();
    json(request, response, next);
  });
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  app.use((request: Request, response: Response, next: NextFunction) =>
    adminRequests.has(request) ? next() : form(request, response, next),
  );
}

/** Within the /v1 mount (case-insensitive and with an optional trailing slash, as the router matches). */
function readsOwnBody(request: Request): boolean {
  return /^\/contacts\/import\/?$/i.test(request.path);
}
