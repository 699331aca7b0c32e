import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { AppConfig } from '../config/app-config.js';
import { AdminKeys } from './admin-key.middleware.js';
import { tooMany } from './too-many-requests.js';

/**
 * Security headers (helmet) and rate limits, in front of everything else.
 *
 * - The API and the public pages get a strict CSP; /docs (Swagger UI needs its inline bits) gets
 *   helmet without one.
 * - /t/* and /u/* (reachable by anyone who has a link) get tracking's own budget (public-rate-limit.ts,
 *   applied beside this by bootstrap: common knows no feature).
 * - Failed admin authentications count per address; past the budget every /v1 call from that address
 *   is refused with 429 for the rest of the window, so keys cannot be guessed at speed.
 * Every budget is per `request.ip`, which TRUST_PROXY decides (X-Forwarded-For believed only from the
 * proxies it names). Counters live in the process: behind a load balancer each instance counts on its own (README, "Scale out").
 */
export function applySecurity(app: NestExpressApplication, config: AppConfig): void {
  const strict = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
  });
  const withoutCsp = helmet({ contentSecurityPolicy: false });
  app.use((request: Request, response: Response, next: NextFunction) =>
    request.path === '/docs' || request.path.startsWith('/docs/')
      ? withoutCsp(request, response, next)
      : strict(request, response, next),
  );

  if (config.authFailureLimit > 0) {
    const keys = new AdminKeys(config.adminApiKeys);
    app.use(
      '/v1',
      rateLimit({
        windowMs: 15 * 60_000,
        limit: config.authFailureLimit,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        // Only refused keys count: a busy integration with a good key is never slowed down, however many
        // of its requests are in flight.
        skip: (request) => keys.check(request.headers.authorization) === 'valid',
        // TRUST_PROXY decides whose X-Forwarded-For counts; one ignored on purpose is not a misconfiguration.
        validate: { xForwardedForHeader: false },
        handler: (_request, _response, next) =>
          next(tooMany('Too many failed authentications from this address; try again later')),
      }),
    );
  }
}
