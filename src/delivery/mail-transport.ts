import { existsSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import {
  MailTransport,
  type OutgoingMessage,
  SendError,
  type SendResult,
  toSendError,
} from './mail-transport-contract.js';
import { createMailTransporter } from './dkim.js';
import { BreakerMailTransport } from './smtp-breaker.js';
import type { SmtpWorkerData, SmtpWorkerReply, SmtpWorkerRequest } from './smtp-worker.js';

export {
  MailTransport,
  SendError,
  toSendError,
  type OutgoingMessage,
  type SendResult,
} from './mail-transport-contract.js';

/** nodemailer's options for SMTP_URL: a connection pool and an optional rate limit. */
function smtpOptions(config: AppConfig): Record<string, unknown> {
  return {
    url: config.smtpUrl,
    pool: true,
    maxConnections: config.smtpMaxConnections,
    maxMessages: Infinity,
    // nodemailer's own defaults (2 min, 30 s, 10 min) let a server that accepts and never answers hold each
    // connection for minutes; the breaker (smtp-breaker.ts) then stops trying for a while.
    connectionTimeout: config.smtpConnectionTimeoutMs,
    greetingTimeout: config.smtpGreetingTimeoutMs,
    socketTimeout: config.smtpSocketTimeoutMs,
    ...(config.smtpRateLimit ? { rateDelta: 1000, rateLimit: Math.max(1, Math.round(config.smtpRateLimit)) } : {}),
  };
}

/** nodemailer over SMTP on the calling thread (SMTP_WORKER_THREAD=false). */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(config: AppConfig) {
    super();
    this.transporter = createMailTransporter(smtpOptions(config), config.mail.dkim);
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
      workerData: { options: smtpOptions(this.config), dkim: this.config.mail.dkim } satisfies SmtpWorkerData,
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

/** A full or failing disk is a reason to try later, like an SMTP server that says "try later". */
const TRANSIENT_FILE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'EROFS', 'EAGAIN', 'EBUSY']);

/** Without SMTP_URL, each message becomes an .eml file under DATA_DIR/outbox (open it in any mail client). */
export class FileOutboxTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(
    private readonly directory: string,
    config?: AppConfig,
  ) {
    super();
    // Signed like what goes over SMTP: the outbox shows exactly what would have been sent.
    this.transporter = createMailTransporter(
      { streamTransport: true, buffer: true, newline: 'unix' },
      config?.mail.dkim,
    );
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const info = await this.transporter.sendMail(message);
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^A-Za-z0-9@.-]/g, '')}.eml`;
    const file = path.join(this.directory, name);
    // Written aside and renamed, so the outbox never shows a truncated message when the disk fills mid-write.
    const partial = path.join(this.directory, `.${name}.partial`);
    try {
      await mkdir(this.directory, { recursive: true });
      await writeFile(partial, info.message as Buffer);
      await rename(partial, file);
    } catch (error) {
      await unlink(partial).catch(() => undefined);
      const code = (error as NodeJS.ErrnoException).code;
      if (code && TRANSIENT_FILE_ERRORS.has(code)) {
        // No reply code: the retry policy treats it as transient, and the step is tried again later.
        throw new SendError(`the outbox could not be written (${code})`, undefined, `outbox: ${code}`, code);
      }
      throw error;
    }
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
  inject: [APP_CONFIG, MetricsService],
  useFactory: (config: AppConfig, metrics: MetricsService): MailTransport => {
    if (!config.smtpUrl) return new FileOutboxTransport(path.join(config.dataDir, 'outbox'), config);
    const smtp = config.smtpWorkerThread ? new WorkerSmtpMailTransport(config) : new SmtpMailTransport(config);
    return config.smtpBreakerThreshold > 0
      ? new BreakerMailTransport(
          smtp,
          { threshold: config.smtpBreakerThreshold, cooldownMs: config.smtpBreakerCooldownMs },
          metrics.registry,
        )
      : smtp;
  },
};
