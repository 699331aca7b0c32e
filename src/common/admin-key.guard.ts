import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * Guards everything under `/v1` by path rather than by decorator, so a new admin controller cannot be
 * left open by forgetting an annotation. Keys are compared as SHA-256 digests in constant time.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly digests: Buffer[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.digests = config.adminApiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!isAdminPath(request.path)) return true;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedException('Missing Authorization: Bearer <ADMIN_API_KEY>');
    const presented = digest(match[1]);
    // Check every key, not the first match, so timing does not reveal which key matched.
    let accepted = false;
    for (const candidate of this.digests) accepted = timingSafeEqual(candidate, presented) || accepted;
    if (!accepted) throw new UnauthorizedException('Invalid API key');
    return true;
  }
}

export function isAdminPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
