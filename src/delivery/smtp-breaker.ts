import { Logger } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  BREAKER_CODE,
  MailTransport,
  type OutgoingMessage,
  type SendResult,
  SendError,
} from './mail-transport-contract.js';

/**
 * Failures that say the server is not there or not talking, as opposed to a reply it chose to give (4xx/5xx)
 * or a connection it cut mid-message: a timeout at any stage, a refused or unroutable connection, no DNS.
 */
const UNREACHABLE = new Set(['ETIMEDOUT', 'EDNS', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export function isUnreachable(error: unknown): boolean {
  return error instanceof SendError && error.responseCode === undefined && UNREACHABLE.has(error.code ?? '');
}

export interface BreakerOptions {
  /** Consecutive unreachable failures that open the breaker. */
  threshold: number;
  /** How long it stays open before one send probes the server. */
  cooldownMs: number;
}

/**
 * A circuit breaker in front of the SMTP transport. A server that accepts connections and never answers made
 * every send wait for its timeouts, one pass after another; after `threshold` such failures in a row, sends
 * fail at once as transient (the scheduler retries them later: nothing is lost, nothing was handed to the
 * server, so nothing can arrive twice). After `cooldownMs` one send goes through as a probe: an answer of any
 * kind closes the breaker, another timeout keeps it open for a new cool-down.
 */
export class BreakerMailTransport extends MailTransport {
  private readonly logger = new Logger('SmtpBreaker');
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  private readonly openGauge: Gauge;
  private readonly opened: Counter;
  private readonly rejected: Counter;

  constructor(
    private readonly inner: MailTransport,
    private readonly options: BreakerOptions,
    registry: Registry,
  ) {
    super();
    const registers = [registry];
    this.openGauge = new Gauge({
      name: 'touchpoint_smtp_breaker_open',
      help: '1 while the SMTP breaker is open (sends fail at once and are retried later), else 0',
      registers,
    });
    this.opened = new Counter({
      name: 'touchpoint_smtp_breaker_opened_total',
      help: 'Times the SMTP breaker opened after consecutive timeouts or refused connections',
      registers,
    });
    this.rejected = new Counter({
      name: 'touchpoint_smtp_breaker_rejected_total',
      help: 'Sends failed at once (transient, retried later) because the SMTP breaker was open',
      registers,
    });
    this.openGauge.set(0);
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const probe = this.admit();
    try {
      const result = await this.inner.send(message);
      this.succeeded();
      return result;
    } catch (error) {
      if (isUnreachable(error)) this.failed(probe);
      else this.succeeded(); // The server answered (a refusal or a cut is its own problem, not a silence).
      throw error;
    } finally {
      if (probe) this.probing = false;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  override smtpStatus(): 'up' | 'down' {
    return this.openedAt === undefined ? 'up' : 'down';
  }

  /** Lets a send through (returning whether it is the probe) or fails it at once while the breaker is open. */
  private admit(): boolean {
    if (this.openedAt === undefined) return false;
    const waitedEnough = Date.now() - this.openedAt >= this.options.cooldownMs;
    if (waitedEnough && !this.probing) {
      this.probing = true;
      return true;
    }
    this.rejected.inc();
    const reason =
      `not sent: the SMTP server did not answer ${this.options.threshold} times in a row; ` +
      'sending is paused and will be retried';
    throw new SendError(reason, undefined, reason, BREAKER_CODE);
  }

  private failed(probe: boolean): void {
    this.failures++;
    if (probe) {
      this.openedAt = Date.now(); // Still silent: another cool-down, without another "opened" line.
      return;
    }
    if (this.openedAt !== undefined || this.failures < this.options.threshold) return;
    this.openedAt = Date.now();
    this.openGauge.set(1);
    this.opened.inc();
    this.logger.warn(
      `SMTP breaker open: ${this.failures} sends in a row timed out or could not connect; sends fail at once ` +
        `and are retried later, the server is probed again every ${this.options.cooldownMs} ms`,
    );
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.openedAt === undefined) return;
    this.openedAt = undefined;
    this.openGauge.set(0);
    this.logger.log('SMTP breaker closed: the SMTP server answers again; sending resumes');
  }
}
