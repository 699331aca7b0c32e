import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SegmentMembersDto, SegmentMembersQuery } from './contact.dto.js';
import { ContactService } from './contact.service.js';

/**
 * A segment's members are contacts, listed like any page of contacts: the route sits under the segment, the
 * code with contacts, which build on segments (a segment is a rule and knows nothing of the rows it selects).
 */
@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentMembersController {
  constructor(private readonly contacts: ContactService) {}

  @Get(':key/contacts')
  @ApiOperation({ summary: 'The members now, paginated, with their total' })
  @ApiOkResponse({ type: SegmentMembersDto })
  @ApiNotFoundResponse()
  members(@Param('key') key: string, @Query() query: SegmentMembersQuery): Promise<SegmentMembersDto> {
    return this.contacts.members(key, query);
  }
}
