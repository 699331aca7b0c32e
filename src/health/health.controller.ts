import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { MailTransport } from '../delivery/mail-transport.js';

export class HealthDto {
  /** `degraded`: the service answers, but mail waits (the SMTP server does not answer; sends are retried later). */
  status!: 'ok' | 'degraded';
  db!: 'up';
  /** Present when SMTP_URL is set: `down` while the SMTP breaker is open. */
  smtp?: 'up' | 'down';
}

@ApiTags('service')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly modules: ModuleRef,
  ) {}

  /**
   * An open SMTP breaker answers 200 `degraded`, not 503: the API, tracking and unsubscribes still work and mail
   * is only delayed, and a 503 would make a load balancer drop (or an orchestrator restart) an instance that a
   * restart cannot fix, because the fault is the remote SMTP server's.
   */
  @Get()
  @ApiOperation({ summary: 'Liveness, database reachability and, with SMTP_URL, whether the SMTP server answers' })
  @ApiOkResponse({ type: HealthDto, example: { status: 'ok', db: 'up', smtp: 'up' } })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable' })
  async check(): Promise<HealthDto> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 2000);
    } catch {
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'database is unreachable',
        status: 'error',
        db: 'down',
      });
    }
    const smtp = this.smtpStatus();
    if (smtp === undefined) return { status: 'ok', db: 'up' };
    return { status: smtp === 'up' ? 'ok' : 'degraded', db: 'up', smtp };
  }

  /** The transport lives in the delivery module; health only reads its state. */
  private smtpStatus(): 'up' | 'down' | undefined {
    try {
      return this.modules.get(MailTransport, { strict: false }).smtpStatus();
    } catch {
      return undefined;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
