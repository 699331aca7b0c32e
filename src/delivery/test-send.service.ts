import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { tooMany } from '../common/too-many-requests.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TemplateService } from '../templates/template.service.js';
import { MailTransport, SendError } from './mail-transport.js';
import type { TestSendDto, TestSendResultDto } from './test-send.dto.js';

/**
 * Test sends per server and minute. A marketer checks a template a few times in a row; a script looping over
 * this endpoint would spend the sender's reputation on addresses that are not contacts, so it is refused early.
 */
export const TEST_SENDS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

/**
 * Sends a template, rendered as its preview is, to one address through the engine's own mail transport (so
 * DKIM, the SMTP pool and its breaker apply). Nothing in it can reach a contact: no delivery row, no tracking,
 * and the unsubscribe variable points at a link that unsubscribes nobody; the message carries no
 * List-Unsubscribe header at all, because a mailbox's "unsubscribe" button on a one-off test would either do
 * nothing or, with a real token, unsubscribe the contact whose data filled the preview.
 */
@Injectable()
export class TestSendService {
  /** When each recent test send went out (this process; each instance counts its own). */
  private readonly recent: number[] = [];

  constructor(
    private readonly templates: TemplateService,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async send(key: string, dto: TestSendDto): Promise<TestSendResultDto> {
    const { email, ...preview } = dto;
    // Rendered first: an unknown template (404) or one failing with this data (422) costs no budget.
    const rendered = await this.templates.preview(key, preview);
    this.spendBudget();
    const subject = `[test] ${rendered.subject}`;
    try {
      const result = await this.transport.send({
        from: this.config.mailFrom,
        to: email,
        subject,
        html: rendered.html,
        text: rendered.text,
        headers: { 'X-Touchpoint-Test': key },
      });
      return { messageId: result.messageId, to: email, subject, locale: rendered.locale };
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      throw new HttpException(
        { statusCode: HttpStatus.BAD_GATEWAY, error: 'Bad Gateway', message: [`the mail server: ${error.response}`] },
        HttpStatus.BAD_GATEWAY,
      );
    }
  }

  private spendBudget(): void {
    const now = this.clock.now().getTime();
    while (this.recent.length > 0 && this.recent[0] <= now - WINDOW_MS) this.recent.shift();
    if (this.recent.length >= TEST_SENDS_PER_MINUTE) {
      throw tooMany(`at most ${TEST_SENDS_PER_MINUTE} test sends a minute; try again shortly`);
    }
    this.recent.push(now);
  }
}
