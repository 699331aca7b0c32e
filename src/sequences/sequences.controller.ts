import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type Page, PageQuery } from '../common/pagination.js';
import { CreateSequenceDto, SequenceDto, SequencePageDto, UpdateSequenceDto } from './sequence.dto.js';
import { SequenceService } from './sequence.service.js';

@ApiTags('sequences')
@ApiBearerAuth()
@Controller('v1/sequences')
export class SequencesController {
  constructor(private readonly sequences: SequenceService) {}

  @Post()
  @ApiOperation({ summary: 'Create a touchpoint calendar (status draft)' })
  @ApiCreatedResponse({ type: SequenceDto })
  @ApiBadRequestResponse({ description: 'Bad fields, steps out of order, unknown template or segment' })
  @ApiConflictResponse({ description: 'The key is taken' })
  create(@Body() dto: CreateSequenceDto): Promise<SequenceDto> {
    return this.sequences.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: SequencePageDto })
  list(@Query() query: PageQuery): Promise<Page<SequenceDto>> {
    return this.sequences.list(query);
  }

  @Get(':key')
  @ApiOkResponse({ type: SequenceDto })
  @ApiNotFoundResponse()
  get(@Param('key') key: string): Promise<SequenceDto> {
    return this.sequences.get(key);
  }

  @Put(':key')
  @ApiOperation({
    summary: 'Replace the definition',
    description:
      'Steps are matched by key: running enrollments continue on the new calendar, a sent step is never repeated, a removed step is no longer planned, a new step is planned when it comes next.',
  })
  @ApiOkResponse({ type: SequenceDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The sequence is archived' })
  update(@Param('key') key: string, @Body() dto: UpdateSequenceDto): Promise<SequenceDto> {
    return this.sequences.update(key, dto);
  }

  @Post(':key/activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'draft | paused → active; resumed enrollments continue under the overdue policy' })
  @ApiOkResponse({ type: SequenceDto })
  @ApiConflictResponse({ description: 'Illegal state change' })
  @ApiNotFoundResponse()
  activate(@Param('key') key: string): Promise<SequenceDto> {
    return this.sequences.transition(key, 'activate');
  }

  @Post(':key/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'active → paused: nothing is sent, nothing is lost' })
  @ApiOkResponse({ type: SequenceDto })
  @ApiConflictResponse({ description: 'Illegal state change' })
  @ApiNotFoundResponse()
  pause(@Param('key') key: string): Promise<SequenceDto> {
    return this.sequences.transition(key, 'pause');
  }

  @Post(':key/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'draft | active | paused → archived; running enrollments end (exited, archived)' })
  @ApiOkResponse({ type: SequenceDto })
  @ApiConflictResponse({ description: 'Already archived' })
  @ApiNotFoundResponse()
  archive(@Param('key') key: string): Promise<SequenceDto> {
    return this.sequences.transition(key, 'archive');
  }
}
