import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

export type OutgoingMessage = Mail.Options;

export interface SendResult {
  messageId: string;
  response: string;
}

/** What went wrong with one send, classified for the retry policy. */
export class SendError extends Error {
  constructor(
    message: string,
    /** SMTP reply code when the server answered; undefined for connection-level failures. */
    readonly responseCode: number | undefined,
    readonly response: string,
  ) {
    super(message);
  }

  /** 4xx replies and connection failures are worth another try; 5xx replies are final. */
  get transient(): boolean {
    return this.responseCode === undefined || this.responseCode < 500;
  }

  /** The mailbox does not exist (enhanced status 5.1.x, or 550/551/553 without one): a hard bounce. */
  get hardBounce(): boolean {
    if (this.transient) return false;
    const enhanced = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(this.response);
    if (enhanced) return enhanced[1] === '5' && enhanced[2] === '1';
    return this.responseCode === 550 || this.responseCode === 551 || this.responseCode === 553;
  }
}

/** The mail transport is a provider so tests and the file outbox swap it without touching the engine. */
export abstract class MailTransport {
  abstract send(message: OutgoingMessage): Promise<SendResult>;
  abstract close(): Promise<void>;
}

function toSendError(error: unknown): SendError {
  const record = (error ?? {}) as { message?: string; responseCode?: number; response?: string; code?: string };
  const response = record.response ?? record.message ?? String(error);
  return new SendError(record.message ?? response, record.responseCode, response.slice(0, 1000));
}

/** nodemailer over SMTP with a connection pool and an optional rate limit. */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(config: AppConfig) {
    super();
    const options = {
      url: config.smtpUrl,
      pool: true,
      maxConnections: config.smtpMaxConnections,
      maxMessages: Infinity,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
      ...(config.smtpRateLimit ? { rateDelta: 1000, rateLimit: Math.max(1, Math.round(config.smtpRateLimit)) } : {}),
    };
    // nodemailer accepts the URL inside the options object; its types want the pool shape.
    this.transporter = nodemailer.createTransport(
      options as unknown as Parameters<typeof nodemailer.createTransport>[0],
    );
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    try {
      const info = await this.transporter.sendMail(message);
      return { messageId: info.messageId, response: String(info.response ?? '') };
    } catch (error) {
      throw toSendError(error);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/** Without SMTP_URL, each message becomes an .eml file under DATA_DIR/outbox (open it in any mail client). */
export class FileOutboxTransport extends MailTransport {
  private readonly transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(private readonly directory: string) {
    super();
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const info = await this.transporter.sendMail(message);
    await mkdir(this.directory, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^A-Za-z0-9@.-]/g, '')}.eml`;
    const file = path.join(this.directory, name);
    await writeFile(file, info.message as Buffer);
    return { messageId: info.messageId, response: `written to ${file}` };
  }

  async close(): Promise<void> {}
}

@Injectable()
export class MailTransportLifecycle implements OnApplicationShutdown {
  constructor(private readonly transport: MailTransport) {}

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}

export const mailTransportProvider = {
  provide: MailTransport,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): MailTransport =>
    config.smtpUrl ? new SmtpMailTransport(config) : new FileOutboxTransport(path.join(config.dataDir, 'outbox')),
};
