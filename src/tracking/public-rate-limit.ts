import type { NestExpressApplication } from '@nestjs/platform-express';
import { rateLimit } from 'express-rate-limit';
import { tooMany } from '../common/too-many-requests.js';
import type { AppConfig } from '../config/app-config.js';

/**
 * /t/* and /u/* are reachable by anyone who has a link: a per-address budget stops a script from
 * hammering them (the tokens are HMAC-signed, so guessing one is hopeless anyway).
 */
export function applyPublicRateLimit(app: NestExpressApplication, config: AppConfig): void {
  if (config.publicRateLimit > 0) {
    app.use(
      ['/t', '/u'],
      rateLimit({
        windowMs: 60_000,
        limit: config.publicRateLimit,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        handler: (_request, _response, next) => next(tooMany('Too many requests; try again in a minute')),
      }),
    );
  }
}
