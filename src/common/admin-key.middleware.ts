import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type NestMiddleware, UnauthorizedException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * The admin keys (several, for rotation), kept only as SHA-256 digests and compared in constant time.
 * Shared by the guard below and the failed-authentication rate limit (security.ts).
 */
export class AdminKeys {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }

  /** 'missing' when there is no bearer token at all, else whether it is one of the keys. */
  check(authorization: string | undefined): 'missing' | 'valid' | 'invalid' {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return 'missing';
    const presented = digest(match[1]);
    // Compare with every key rather than stopping at a match, so timing does not tell which key matched.
    let accepted = false;
    for (const candidate of this.digests) accepted = timingSafeEqual(candidate, presented) || accepted;
    return accepted ? 'valid' : 'invalid';
  }
}

/**
 * Guards everything under `/v1` by path (applied in AppModule), before routing: a new admin controller
 * cannot be left open by a forgotten decorator, and unknown admin paths do not reveal themselves with
 * 404 to a caller without the key.
 */
@Injectable()
export class AdminKeyMiddleware implements NestMiddleware {
  private readonly keys: AdminKeys;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.keys = new AdminKeys(config.adminApiKeys);
  }

  use(request: Request, _response: Response, next: NextFunction): void {
    const verdict = this.keys.check(request.headers.authorization);
    if (verdict === 'missing') throw new UnauthorizedException('Missing Authorization: Bearer <ADMIN_API_KEY>');
    if (verdict === 'invalid') throw new UnauthorizedException('Invalid API key');
    next();
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
