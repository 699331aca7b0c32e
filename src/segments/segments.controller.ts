import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type Page, PageQuery } from '../common/pagination.js';
import { CreateSegmentDto, SegmentDto, SegmentPageDto, UpdateSegmentDto } from './segment.dto.js';
import { SegmentService } from './segment.service.js';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentService) {}

  @Post()
  @ApiOperation({ summary: 'Create a segment (a rule over contact fields and attributes)' })
  @ApiCreatedResponse({ type: SegmentDto })
  @ApiConflictResponse({ description: 'The key is taken' })
  create(@Body() dto: CreateSegmentDto): Promise<SegmentDto> {
    return this.segments.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: SegmentPageDto })
  list(@Query() query: PageQuery): Promise<Page<SegmentDto>> {
    return this.segments.list(query);
  }

  @Get(':key')
  @ApiOkResponse({ type: SegmentDto })
  @ApiNotFoundResponse()
  get(@Param('key') key: string): Promise<SegmentDto> {
    return this.segments.get(key);
  }

  @Put(':key')
  @ApiOperation({ summary: 'Replace the name and rule of a segment' })
  @ApiOkResponse({ type: SegmentDto })
  @ApiNotFoundResponse()
  update(@Param('key') key: string, @Body() dto: UpdateSegmentDto): Promise<SegmentDto> {
    return this.segments.update(key, dto);
  }
}
