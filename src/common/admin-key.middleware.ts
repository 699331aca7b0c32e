import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type NestMiddleware, UnauthorizedException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * Guards everything under `/v1` by path (applied in AppModule), before routing: a new admin controller
 * cannot be left open by a forgotten decorator, and unknown admin paths do not reveal themselves with
 * 404 to a caller without the key. Keys are compared as SHA-256 digests in constant time.
 */
@Injectable()
export class AdminKeyMiddleware implements NestMiddleware {
  private readonly digests: Buffer[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.digests = config.adminApiKeys.map(digest);
  }

  use(request: Request, _response: Response, next: NextFunction): void {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException('Missing Authorization: Bearer <ADMIN_API_KEY>');
    const presented = digest(match[1]);
    // Compare with every key rather than stopping at a match, so timing does not tell which key matched.
    let accepted = false;
    for (const candidate of this.digests) accepted = timingSafeEqual(candidate, presented) || accepted;
    if (!accepted) throw new UnauthorizedException('Invalid API key');
    next();
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
