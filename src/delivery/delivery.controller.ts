import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { streamCsv, wantsCsv } from '../common/csv.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, toPage } from '../common/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DeliveryLogRepository, type DeliveryLogRow } from './delivery-log.repository.js';
import { DeliveryDto, DeliveryPageDto, DeliveryQuery, PassResultDto, RunPassDto } from './delivery.dto.js';
import { SchedulerService } from './scheduler.service.js';
import { DeliveryErrorCode, DeliveryException } from './delivery.exception.js';

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

function toDeliveryDto(row: DeliveryLogRow): DeliveryDto {
  return {
    id: row.id,
    contactId: row.contact_id,
    email: row.email,
    sequence: row.sequence_key,
    step: row.step_key,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    locale: row.locale,
    messageId: row.message_id,
    smtpResponse: row.smtp_response,
    dueAt: iso(row.due_at),
    nextAttemptAt: iso(row.next_attempt_at),
    sentAt: iso(row.sent_at),
    openedAt: iso(row.opened_at),
    clickedAt: iso(row.clicked_at),
    bouncedAt: iso(row.bounced_at),
    complainedAt: iso(row.complained_at),
    softBouncedAt: iso(row.soft_bounced_at),
    feedback: row.feedback,
    resendCount: row.resend_count,
    resendRequestedAt: iso(row.resend_requested_at),
    resendRequestedBy: row.resend_requested_by,
    variant: row.variant,
    createdAt: iso(row.created_at)!,
  };
}

@ApiTags('ops')
@ApiBearerAuth()
@Controller('v1')
export class DeliveryController {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly log: DeliveryLogRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('scheduler/run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one scheduling pass now; it claims due work in batches until nothing more is due' })
  @ApiOkResponse({ type: PassResultDto })
  @ApiForbiddenResponse({ description: '`now` given while SCHEDULER_TEST_CLOCK is off' })
  run(@Body() dto: RunPassDto): Promise<PassResultDto> {
    if (dto.now !== undefined && !this.config.schedulerTestClock) {
      throw new DeliveryException(
        DeliveryErrorCode.TEST_CLOCK_DISABLED,
        '"now" is accepted only when the server runs with SCHEDULER_TEST_CLOCK=true',
      );
    }
    return this.scheduler.run(dto.now ? new Date(dto.now) : undefined);
  }

  @Get('deliveries')
  @ApiOperation({
    summary:
      'The delivery log, newest first: one row per (enrollment, step); Accept: text/csv exports every matching row',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: DeliveryPageDto })
  async deliveries(
    @Query() query: DeliveryQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<DeliveryDto> | undefined> {
    if (!wantsCsv(accept)) return this.page(query);
    await streamCsv<DeliveryDto>(
      response,
      'deliveries.csv',
      (
        [
          'id',
          'contactId',
          'email',
          'sequence',
          'step',
          'variant',
          'status',
          'reason',
          'attempts',
          'locale',
          'messageId',
          'smtpResponse',
          'dueAt',
          'sentAt',
          'openedAt',
          'clickedAt',
          'bouncedAt',
          'complainedAt',
          'softBouncedAt',
          'feedback',
          'resendCount',
          'resendRequestedAt',
          'resendRequestedBy',
          'createdAt',
        ] as const
      ).map((column) => [column, (row: DeliveryDto) => row[column]]),
      (cursor) => this.page({ ...query, limit: 1000, cursor }),
    );
    return undefined;
  }

  private async page(query: DeliveryQuery): Promise<Page<DeliveryDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.log.findPage({
      sequence: query.sequence,
      step: query.step,
      status: query.status,
      contactId: query.contactId,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      after: decodeCursor(query.cursor, 2) as [string, string] | undefined,
      limit,
    });
    return toPage(rows, limit, toDeliveryDto, (row) => [new Date(row.created_at).toISOString(), row.id]);
  }
}
