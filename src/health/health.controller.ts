import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { type SmtpHealth, SmtpProbe } from '../delivery/smtp-probe.js';

export class HealthDto {
  /** `degraded`: the service answers, but mail waits (the SMTP server does not answer; sends are retried later). */
  status!: 'ok' | 'degraded';
  db!: 'up';
  /**
   * The mail transport: `outbox` without SMTP_URL (emails become .eml files); otherwise whether the SMTP server
   * answers — `down` while the SMTP breaker is open, else a verification's answer, asked at most every 30 s.
   */
  smtp!: SmtpHealth;
}

@ApiTags('service')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly modules: ModuleRef,
  ) {}

  /**
   * An SMTP server that does not answer gives 200 `degraded`, not 503: the API, tracking and unsubscribes still
   * work and mail is only delayed (sends are retried), and a 503 would make a load balancer drop (or an orchestrator restart) an instance that a
   * restart cannot fix, because the fault is the remote SMTP server's.
   */
  @Get()
  @ApiOperation({ summary: 'Liveness, database reachability and the mail transport (SMTP up or down, or the outbox)' })
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
    const smtp = await this.smtpStatus();
    return { status: smtp === 'down' ? 'degraded' : 'ok', db: 'up', smtp };
  }

  /** The transport lives in the delivery module; health only asks its probe (which caches its answer). */
  private smtpStatus(): Promise<SmtpHealth> {
    return this.modules.get(SmtpProbe, { strict: false }).status();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
