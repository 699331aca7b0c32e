import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AppConfig } from '../config/app-config.js';

/** Requests that came past their address's budget: answered all the same, but not recorded. */
const overBudget = new WeakSet<Request>();

/**
 * /t/* and /u/* are reached by the contacts themselves, often through one shared address (a mailbox
 * provider's image proxy, an office's NAT), so the budget per address never refuses anything: a contact
 * always gets their pixel, their redirect and their unsubscribe. What the budget decides is whether an
 * open or a click is *recorded* (a database write each): past it, a script hammering a link costs us a
 * signature check and a static answer. Tokens are HMAC-signed, so guessing one is hopeless anyway.
 * The RateLimit headers stay, so a client (or a test of the proxy settings) can see which budget it uses.
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
        // TRUST_PROXY decides whose X-Forwarded-For counts; one ignored on purpose is not a misconfiguration.
        validate: { xForwardedForHeader: false },
        handler: (request, _response, next) => {
          overBudget.add(request);
          next();
        },
      }),
    );
  }
}

/** Whether this request is past its address's budget (its open or click is then not recorded). */
export function isOverPublicBudget(request: Request): boolean {
  return overBudget.has(request);
}
