import { Body, Controller, HttpCode, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CalendarDto, CalendarQuery } from '../sequences/calendar.dto.js';
import { EnrollDto, EnrollmentDto, EventDto, EventResultDto, SegmentEnrollmentResultDto } from './enrollment.dto.js';
import { EnrollmentService } from './enrollment.service.js';
import { EventService } from './event.service.js';

@ApiTags('enrollments')
@ApiBearerAuth()
@ApiExtraModels(EnrollmentDto, SegmentEnrollmentResultDto)
@Controller('v1')
export class EnrollmentsController {
  constructor(
    private readonly enrollments: EnrollmentService,
    private readonly events: EventService,
  ) {}

  @Post('sequences/:key/enrollments')
  @ApiOperation({
    summary:
      'Enroll one contact (201 enrollment) or every member of a segment (200 { enrolled, alreadyEnrolled, ineligible })',
    description:
      "startAt is day 0 (default now, may be in the past). Unsubscribed or bounced contacts are never enrolled; the sequence's reentry rule and cooldown are enforced.",
  })
  @ApiCreatedResponse({ schema: { $ref: getSchemaPath(EnrollmentDto) } })
  @ApiOkResponse({ schema: { $ref: getSchemaPath(SegmentEnrollmentResultDto) } })
  @ApiConflictResponse({
    description:
      'Already active in the sequence, refused by its reentry rule or cooldown (the message names it), contact unsubscribed/bounced, or sequence not live',
  })
  @ApiNotFoundResponse()
  async enroll(
    @Param('key') key: string,
    @Body() dto: EnrollDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EnrollmentDto | SegmentEnrollmentResultDto> {
    const result = await this.enrollments.enroll(key, dto);
    response.status('enrolled' in result ? 200 : 201);
    return result;
  }

  @Get('sequences/:key/calendar')
  @ApiOperation({
    summary: "A contact's touchpoints in a sequence (by contactId or email): planned times and outcomes",
  })
  @ApiOkResponse({ type: CalendarDto })
  @ApiNotFoundResponse()
  calendar(@Param('key') key: string, @Query() query: CalendarQuery): Promise<CalendarDto> {
    return this.enrollments.calendar(key, query);
  }

  @Post('enrollments/:id/exit')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a running enrollment by hand (reason manual)' })
  @ApiOkResponse({ type: EnrollmentDto })
  @ApiConflictResponse({ description: 'Not active' })
  @ApiNotFoundResponse()
  exit(@Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentDto> {
    return this.enrollments.exit(id);
  }

  @Post('events')
  @HttpCode(202)
  @ApiTags('events')
  @ApiOperation({
    summary: 'Record an event: it starts the sequences it triggers and converts those it ends',
    description: 'An unknown e-mail creates the contact. The same idempotencyKey twice has effect once.',
  })
  @ApiAcceptedResponse({ type: EventResultDto })
  @ApiBadRequestResponse()
  ingest(@Body() dto: EventDto): Promise<EventResultDto> {
    return this.events.ingest(dto);
  }
}
