import { Controller, Get, HttpCode, Header, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Counter } from 'prom-client';
import { Clock } from '../common/clock.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { looksAutomated } from './machine-rules.js';
import { isOverPublicBudget } from './public-rate-limit.js';
import { TokenService } from './token.service.js';
import { type Recorded, TrackingRepository } from './tracking.repository.js';
import {
  browserLanguage,
  type PageKind,
  type PageLanguage,
  pageLanguage,
  unsubscribePage,
} from './unsubscribe-page.js';
import { TrackingErrorCode, TrackingException } from './tracking.exception.js';

/** The transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Why an open or a click was not recorded, or how it was. */
type Outcome = Recorded | 'head' | 'throttled' | 'error';

/**
 * Public endpoints reached from emails: no admin key, no cookies; tokens are signed (TokenService).
 *
 * What the contact asked for is always given — the pixel, the redirect, the unsubscribe — whatever the
 * address's budget (public-rate-limit.ts), the request's look (machine-rules.ts) or the contact's state
 * (an erased contact's links answer and write nothing); recording an open or a click is best effort and
 * its failure never costs the contact their redirect.
 */
@ApiExcludeController()
@Controller()
export class TrackingController {
  private readonly logger = new Logger('Tracking');
  private readonly hits: Counter<'kind' | 'outcome'>;

  constructor(
    private readonly tokens: TokenService,
    private readonly tracking: TrackingRepository,
    private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    this.hits = new Counter({
      name: 'touchpoint_tracking_hits_total',
      help: 'Opens and clicks by outcome: human and machine (recorded apart), head, throttled, ignored (no such sent delivery, or an erased contact), error',
      labelNames: ['kind', 'outcome'],
      registers: [metrics.registry],
    });
  }

  @Get('t/o/:token')
  @Header('Cache-Control', 'no-store, private')
  async open(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const payload = this.tokens.verify(token);
    if (payload?.k !== 'o') throw new TrackingException(TrackingErrorCode.LINK_INVALID, 'Not Found');
    await this.record('open', request, () =>
      this.tracking.recordOpen(payload.d, looksAutomated(request), agentOf(request), this.clock.now()),
    );
    response.type('image/gif').send(PIXEL);
  }

  @Get('t/c/:token')
  async click(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const payload = this.tokens.verify(token);
    // Only a link we signed into an email is followed: never an open redirect.
    if (payload?.k !== 'c' || !/^https?:\/\//i.test(payload.u))
      throw new TrackingException(TrackingErrorCode.LINK_INVALID, 'Not Found');
    await this.record('click', request, () =>
      this.tracking.recordClick(payload.d, payload.u, looksAutomated(request), agentOf(request), this.clock.now()),
    );
    response.redirect(302, payload.u);
  }

  /**
   * The unsubscribe page. Whatever happens, the contact gets an HTML page in their language, never an error's
   * JSON: a damaged token (404, in the browser's language: no contact is known), a link whose delivery is gone
   * (404), or a database that cannot answer now (503: try again).
   */
  @Get('u/:token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(
    @Param('token') token: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    return this.answerPage(request, response, async (browser) => {
      const payload = this.tokens.verify(token);
      if (payload?.k !== 'u') return { status: 404, language: browser, kind: 'invalid' };
      // Past the budget the page costs no query: the form, in the browser's language (posting it works).
      if (isOverPublicBudget(request)) return { status: 200, language: browser, kind: 'ask' };
      const recipient = await this.tracking.findRecipient(payload.d);
      if (!recipient) return { status: 404, language: browser, kind: 'unknown' };
      // An erased contact's link: a page that says nothing of them (nobody is mailed there any more).
      if (recipient.status === 'erased') return { status: 200, language: browser, kind: 'done' };
      const language = pageLanguage(recipient.locale);
      return { status: 200, language, kind: recipient.status === 'active' ? 'ask' : 'done' };
    });
  }

  /**
   * RFC 8058 one-click: a bare POST (a mail client's `List-Unsubscribe=One-Click`, or the page's form) unsubscribes
   * at once, without cookies or a redirect, and again is harmless. Never throttled.
   */
  @Post('u/:token')
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  unsubscribe(
    @Param('token') token: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    return this.answerPage(request, response, async (browser) => {
      const payload = this.tokens.verify(token);
      if (payload?.k !== 'u') return { status: 404, language: browser, kind: 'invalid' };
      const recipient = await this.tracking.unsubscribe(payload.d, this.clock.now());
      if (!recipient) return { status: 404, language: browser, kind: 'unknown' };
      const language = recipient.status === 'erased' ? browser : pageLanguage(recipient.locale);
      return { status: 200, language, kind: 'done' };
    });
  }

  private async answerPage(
    request: Request,
    response: Response,
    decide: (browser: PageLanguage) => Promise<{ status: number; language: PageLanguage; kind: PageKind }>,
  ): Promise<string> {
    const browser = browserLanguage(request.headers['accept-language']);
    let page: { status: number; language: PageLanguage; kind: PageKind };
    try {
      page = await decide(browser);
    } catch (error) {
      this.logger.error({ err: error }, `the unsubscribe page could not be served: ${(error as Error).message}`);
      page = { status: 503, language: browser, kind: 'unavailable' };
    }
    response.status(page.status);
    return unsubscribePage(page.language, page.kind);
  }

  /**
   * Records an open or a click unless it is a HEAD (a link checker: nothing was opened or followed) or
   * past the address's budget. A failed write is logged and counted, never the contact's problem.
   */
  private async record(kind: 'open' | 'click', request: Request, write: () => Promise<Recorded>): Promise<void> {
    let outcome: Outcome;
    if (request.method === 'HEAD') outcome = 'head';
    else if (isOverPublicBudget(request)) outcome = 'throttled';
    else {
      try {
        outcome = await write();
      } catch (error) {
        outcome = 'error';
        this.logger.error(`Could not record ${kind}: ${(error as Error).message}`);
      }
    }
    this.hits.inc({ kind, outcome });
  }
}

function agentOf(request: Request): string | null {
  return request.headers['user-agent']?.slice(0, 500) ?? null;
}
