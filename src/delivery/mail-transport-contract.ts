import type Mail from 'nodemailer/lib/mailer/index.js';

/*
 * What the engine knows of a mail transport, apart from the transports themselves, so the breaker that wraps
 * one (smtp-breaker.ts) and the worker thread (smtp-worker.ts) need not import the module that builds them.
 */

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
    /** nodemailer's or the system's error code (ETIMEDOUT, ECONNREFUSED, ENOSPC…) when there was no reply. */
    readonly code?: string,
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

  /** Whether the SMTP server is reachable as far as this transport knows; undefined: no SMTP server (the outbox). */
  smtpStatus(): 'up' | 'down' | undefined {
    return undefined;
  }
}

/** What a failed send reported, as far as it crosses a worker thread's boundary (plain data). */
export interface SendFailure {
  message?: string;
  responseCode?: number;
  response?: string;
  code?: string;
  /** nodemailer replaces a system error's code (ECONNREFUSED) with its own (ESOCKET) and keeps it here. */
  originalCode?: string;
}

export function toSendError(error: unknown): SendError {
  const record = (error ?? {}) as SendFailure;
  const response = record.response ?? record.message ?? String(error);
  const code = record.code === 'ESOCKET' && record.originalCode ? record.originalCode : record.code;
  return new SendError(record.message ?? response, record.responseCode, response.slice(0, 1000), code);
}

/** The code of a send the SMTP breaker refused without trying: the server is known to be unreachable. */
export const BREAKER_CODE = 'EBREAKER';
