import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { streamCsv, wantsCsv } from '../common/csv.js';
import { ConversionPageDto, ConversionQuery, FunnelDto, FunnelQuery, type ConversionDto } from './reports.dto.js';
import { ReportsService } from './reports.service.js';

@ApiTags('ops')
@ApiBearerAuth()
@Controller('v1')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('sequences/:key/funnel')
  @ApiOperation({
    summary: 'Where people are lost: per step reached, sent, failed, skipped, opened, clicked, and what happened after',
    description: 'The cohort is the enrollments whose day 0 is in [since, until); all time without them.',
  })
  @ApiOkResponse({ type: FunnelDto })
  @ApiNotFoundResponse()
  funnel(@Param('key') key: string, @Query() query: FunnelQuery): Promise<FunnelDto> {
    return this.reports.funnel(key, query);
  }

  @Get('conversions')
  @ApiOperation({ summary: 'The conversion log, newest first; Accept: text/csv exports every matching row' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: ConversionPageDto })
  async conversions(
    @Query() query: ConversionQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!wantsCsv(accept)) return this.reports.conversions(query);
    await streamCsv<ConversionDto>(
      response,
      'conversions.csv',
      [
        ['contactId', (row) => row.contactId],
        ['email', (row) => row.email],
        ['sequence', (row) => row.sequence],
        ['event', (row) => row.event],
        ['attributedStep', (row) => row.attributedStep],
        ['occurredAt', (row) => row.occurredAt],
      ],
      (cursor) => this.reports.conversions({ ...query, limit: 1000, cursor }),
    );
    return undefined;
  }
}
