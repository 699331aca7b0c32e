import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Page } from '../common/pagination.js';
import type { EnrollmentDto } from './enrollment.dto.js';
import {
  EnrollmentPageDto,
  EventPageDto,
  ListEnrollmentsQuery,
  ListEventsQuery,
  type StoredEventDto,
} from './enrollment-list.dto.js';
import { EnrollmentListService } from './enrollment-list.service.js';

@ApiBearerAuth()
@Controller('v1')
export class EnrollmentListController {
  constructor(private readonly lists: EnrollmentListService) {}

  @Get('enrollments')
  @ApiTags('enrollments')
  @ApiOperation({
    summary: 'List enrollments, newest first, by sequence, contact and status (keyset-paginated)',
    description: 'Each item is the enrollment as POST /v1/sequences/:key/enrollments answers it.',
  })
  @ApiOkResponse({ type: EnrollmentPageDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse({ description: 'Unknown sequence or contact' })
  enrollments(@Query() query: ListEnrollmentsQuery): Promise<Page<EnrollmentDto>> {
    return this.lists.enrollments(query);
  }

  @Get('events')
  @ApiTags('events')
  @ApiOperation({ summary: "A contact's events, newest first (keyset-paginated)" })
  @ApiOkResponse({ type: EventPageDto })
  @ApiBadRequestResponse({ description: 'contactId missing or not a uuid' })
  @ApiNotFoundResponse({ description: 'Unknown contact' })
  events(@Query() query: ListEventsQuery): Promise<Page<StoredEventDto>> {
    return this.lists.events(query);
  }
}
