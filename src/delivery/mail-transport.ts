import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { SmtpWorkerData, SmtpWorkerReply, SmtpWorkerRequest } from './smtp-worker.js';

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

/** nodemailer's options for SMTP_URL: a connection pool and an optional rate limit. */
function smtpOptions(config: AppConfig): Record<string, unknown> {
  return {
    url: config.smtpUrl,
    pool: true,
    maxConnections: config.smtpMaxConnections,
    maxMessages: Infinity,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    ...(config.smtpRateLimit ? { rateDelta: 1000, rateLimit: Math.max(1, Math.round(config.smtpRateLimit)) } : {}),
  };
}

/** nodemailer over SMTP on the calling thread (SMTP_WORKER_THREAD=false). */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(config: AppConfig) {
    super();
    // nodemailer accepts the URL inside the options object; its types want the pool shape.
    this.transporter = nodemailer.createTransport(
      smtpOptions(config) as unknown as Parameters<typeof nodemailer.createTransport>[0],
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

/**
 * The compiled worker next to this module; under ts-jest this module is TypeScript source and the worker
 * runs from the build (`npm test` builds first).
 */
function workerScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'smtp-worker.js');
  return existsSync(beside) ? beside : path.resolve(here, '../../dist/delivery/smtp-worker.js');
}

/**
 * nodemailer over SMTP in a worker thread (the default): MIME building and the SMTP client run alongside the
 * scheduler instead of taking turns with it. A worker that dies fails its sends in flight as connection
 * failures (transient: retried, like a connection cut mid-send) and is replaced at the next send.
 */
export class WorkerSmtpMailTransport extends MailTransport {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (result: SendResult) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private closed = false;

  constructor(private readonly config: AppConfig) {
    super();
  }

  send(message: OutgoingMessage): Promise<SendResult> {
    if (this.closed) return Promise.reject(new SendError('the mail transport is closed', undefined, 'closed'));
    const worker = this.worker ?? this.start();
    const id = ++this.nextId;
    return new Promise<SendResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ kind: 'send', id, message } satisfies SmtpWorkerRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ kind: 'close' } satisfies SmtpWorkerRequest);
    // Open SMTP connections close politely; one that does not answer QUIT must not hold the shutdown.
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private start(): Worker {
    const worker = new Worker(workerScript(), {
      workerData: { options: smtpOptions(this.config) } satisfies SmtpWorkerData,
      // A few messages in flight need little heap; V8's defaults would let it grow by tens of MB of RSS.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
    });
    worker.on('message', (reply: SmtpWorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve({ messageId: reply.messageId, response: reply.response });
      else waiting.reject(toSendError(reply.error));
    });
    const lost = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      const error = new SendError(`SMTP worker stopped: ${reason}`, undefined, `SMTP worker stopped: ${reason}`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
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
    !config.smtpUrl
      ? new FileOutboxTransport(path.join(config.dataDir, 'outbox'))
      : config.smtpWorkerThread
        ? new WorkerSmtpMailTransport(config)
        : new SmtpMailTransport(config),
};
