import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, HttpCode, Inject, Logger, Param, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { parseJsonText } from '../common/json-body.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PROVIDERS } from './provider-payloads.js';
import { ReturnedMailService } from './returned-mail.service.js';
import { ReturnsErrorCode, ReturnsException } from './returns.exception.js';

/** SendGrid posts events in batches; a few MB holds thousands of them. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Provider webhooks for bounces and complaints: `POST /hooks/email-events/:provider?token=<WEBHOOK_TOKEN>`.
 * Off (404) without WEBHOOK_TOKEN. The body is read only once the token is right, and parsed whole before
 * anything is written: a malformed body is refused (400) with nothing written.
 */
@ApiExcludeController()
@Controller('hooks/email-events')
export class WebhooksController {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly returnedMail: ReturnedMailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(':provider')
  @HttpCode(200)
  async receive(
    @Param('provider') provider: string,
    @Query('token') token: unknown,
    @Req() request: Request,
  ): Promise<{ recorded: number; ignored: number }> {
    const parse = Object.hasOwn(PROVIDERS, provider) ? PROVIDERS[provider] : undefined;
    if (!this.config.webhookToken || !parse) {
      throw new ReturnsException(ReturnsErrorCode.WEBHOOK_UNKNOWN_PROVIDER, `no webhook for provider "${provider}"`);
    }
    if (!this.tokenMatches(token)) {
      throw new ReturnsException(ReturnsErrorCode.WEBHOOK_UNAUTHORIZED, 'missing or wrong webhook token');
    }
    const parsed = parse(parseJsonText(await readBody(request)));
    if (parsed.subscribeUrl) {
      // Confirming is the operator's act (open the URL once): the server makes no calls a request asks for.
      this.logger.warn(
        { provider, subscribeUrl: parsed.subscribeUrl },
        'SNS subscription to confirm: open SubscribeURL',
      );
    }
    return this.returnedMail.fromWebhook(provider, parsed.events);
  }

  /** Compared as hashes, in constant time whatever the lengths. */
  private tokenMatches(token: unknown): boolean {
    if (typeof token !== 'string') return false;
    return timingSafeEqual(digest(token), digest(this.config.webhookToken!));
  }
}

/** The raw body as text, whatever its content type (SNS posts JSON as text/plain), up to MAX_BODY_BYTES. */
async function readBody(request: Request): Promise<string> {
  if (typeof request.body === 'object' && request.body !== null && Object.keys(request.body).length > 0) {
    throw new ReturnsException(ReturnsErrorCode.WEBHOOK_MALFORMED, 'body must be JSON');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new ReturnsException(
        ReturnsErrorCode.WEBHOOK_TOO_LARGE,
        `body is too large: at most ${MAX_BODY_BYTES / 1024 / 1024} MB`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
