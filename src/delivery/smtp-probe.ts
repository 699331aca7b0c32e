import { Inject, Injectable, Logger } from '@nestjs/common';
import nodemailer from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MailTransport } from './mail-transport-contract.js';

export type SmtpHealth = 'up' | 'down' | 'outbox';

/** How long a verification's answer stands before /health asks the SMTP server again. */
export const SMTP_CHECK_TTL_MS = 30_000;
/** How long /health waits for a verification it started before answering from what it knew. */
const WAIT_FOR_CHECK_MS = 2_000;

/**
 * Whether the SMTP server answers, as cheaply as /health can know it. An open breaker (recent sends found it
 * silent) is `down` at once. Otherwise the answer of one verification — connect, EHLO, AUTH when the URL names
 * a user, QUIT, on a connection of its own, outside the sending pool — stands for SMTP_CHECK_TTL_MS: however
 * often /health is called, the server sees at most one such connection per 30 s, and none while nobody asks.
 */
@Injectable()
export class SmtpProbe {
  private readonly logger = new Logger('SmtpProbe');
  private last: { up: boolean; at: number } | undefined;
  private inFlight: Promise<boolean> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transport: MailTransport,
  ) {}

  async status(): Promise<SmtpHealth> {
    if (!this.config.smtpUrl) return 'outbox';
    if (this.transport.smtpStatus() === 'down') return 'down';
    if (this.last && performance.now() - this.last.at < SMTP_CHECK_TTL_MS) return this.last.up ? 'up' : 'down';
    const check = this.inFlight ?? this.verify();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), WAIT_FOR_CHECK_MS)),
    );
    const up = await Promise.race([check, waited]).finally(() => clearTimeout(timer));
    // A server that has not even greeted us within the wait is not one mail can go to now.
    return (up ?? this.last?.up ?? false) ? 'up' : 'down';
  }

  private verify(): Promise<boolean> {
    const transporter = nodemailer.createTransport({
      url: this.config.smtpUrl,
      connectionTimeout: this.config.smtpConnectionTimeoutMs,
      greetingTimeout: this.config.smtpGreetingTimeoutMs,
      socketTimeout: this.config.smtpSocketTimeoutMs,
    } as unknown as Parameters<typeof nodemailer.createTransport>[0]);
    const check = transporter
      .verify()
      .then(
        () => true,
        (error: unknown) => {
          if (this.last?.up !== false) {
            // The reason names the server and the failure, never a recipient: nothing is being sent.
            this.logger.warn(
              `the SMTP server does not answer: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
          return false;
        },
      )
      .then((up) => {
        this.last = { up, at: performance.now() };
        this.inFlight = undefined;
        transporter.close();
        return up;
      });
    this.inFlight = check;
    return check;
  }
}
