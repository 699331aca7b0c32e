import { Controller, Get, HttpCode, Header, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Clock } from '../common/clock.js';
import { TokenService } from './token.service.js';
import { TrackingRepository } from './tracking.repository.js';
import { pageLanguage, unsubscribePage } from './unsubscribe-page.js';

/** The transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * Opens by mail-privacy proxies and security scanners fetch every image or link before a person does.
 * Apple's proxy fetches from 17.0.0.0/8 with a bare user agent; scanners name themselves.
 */
export function looksAutomated(request: Request): boolean {
  const agent = request.headers['user-agent'] ?? '';
  const ip = request.ip ?? '';
  if (/^(::ffff:)?17\./.test(ip)) return true;
  if (agent === '' || agent === 'Mozilla/5.0') return true;
  return /(barracuda|mimecast|proofpoint|symantec|forcepoint|bot|crawler|spider|preview)/i.test(agent);
}

/** Public endpoints reached from emails: no admin key, no cookies; tokens are signed (TokenService). */
@ApiExcludeController()
@Controller()
export class TrackingController {
  constructor(
    private readonly tokens: TokenService,
    private readonly tracking: TrackingRepository,
    private readonly clock: Clock,
  ) {}

  @Get('t/o/:token')
  @Header('Cache-Control', 'no-store, private')
  async open(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const payload = this.tokens.verify(token);
    if (payload?.k !== 'o') throw new NotFoundException();
    await this.tracking.recordOpen(payload.d, looksAutomated(request), agentOf(request), this.clock.now());
    response.type('image/gif').send(PIXEL);
  }

  @Get('t/c/:token')
  async click(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const payload = this.tokens.verify(token);
    // Only a link we signed into an email is followed: never an open redirect.
    if (payload?.k !== 'c' || !/^https?:\/\//i.test(payload.u)) throw new NotFoundException();
    await this.tracking.recordClick(payload.d, payload.u, agentOf(request), this.clock.now());
    response.redirect(302, payload.u);
  }

  @Get('u/:token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async page(@Param('token') token: string): Promise<string> {
    const recipient = await this.recipient(token);
    return unsubscribePage(pageLanguage(recipient.locale), recipient.status !== 'active');
  }

  /** RFC 8058 one-click: a bare POST unsubscribes at once, and again is harmless. */
  @Post('u/:token')
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async unsubscribe(@Param('token') token: string): Promise<string> {
    const payload = this.tokens.verify(token);
    if (payload?.k !== 'u') throw new NotFoundException();
    const recipient = await this.recipient(token);
    await this.tracking.unsubscribe(payload.d, this.clock.now());
    return unsubscribePage(pageLanguage(recipient.locale), true);
  }

  private async recipient(token: string) {
    const payload = this.tokens.verify(token);
    if (payload?.k !== 'u') throw new NotFoundException();
    const recipient = await this.tracking.findRecipient(payload.d);
    if (!recipient) throw new NotFoundException();
    return recipient;
  }
}

function agentOf(request: Request): string | null {
  return request.headers['user-agent']?.slice(0, 500) ?? null;
}
