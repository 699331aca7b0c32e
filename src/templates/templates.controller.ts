import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { type Page, PageQuery } from '../common/pagination.js';
import {
  CreateTemplateDto,
  PreviewResultDto,
  PreviewTemplateDto,
  TemplateDto,
  TemplatePageDto,
  UpdateTemplateDto,
} from './template.dto.js';
import { TemplateService } from './template.service.js';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('v1/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplateService) {}

  @Post()
  @ApiOperation({ summary: 'Create a template with its locale variants (Handlebars; compiled when saved)' })
  @ApiCreatedResponse({ type: TemplateDto })
  @ApiConflictResponse({ description: 'The key is taken' })
  @ApiUnprocessableEntityResponse({ description: 'A variant does not compile or uses an unknown helper or partial' })
  create(@Body() dto: CreateTemplateDto): Promise<TemplateDto> {
    return this.templates.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: TemplatePageDto })
  list(@Query() query: PageQuery): Promise<Page<TemplateDto>> {
    return this.templates.list(query);
  }

  @Get(':key')
  @ApiOkResponse({ type: TemplateDto })
  @ApiNotFoundResponse()
  get(@Param('key') key: string): Promise<TemplateDto> {
    return this.templates.get(key);
  }

  @Put(':key')
  @ApiOperation({ summary: 'Replace name and variants; the next sends use the new version' })
  @ApiOkResponse({ type: TemplateDto })
  @ApiNotFoundResponse()
  @ApiUnprocessableEntityResponse()
  update(@Param('key') key: string, @Body() dto: UpdateTemplateDto): Promise<TemplateDto> {
    return this.templates.update(key, dto);
  }

  @Post(':key/preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Render for a stored contact, a sample contact, or a built-in sample' })
  @ApiOkResponse({ type: PreviewResultDto })
  @ApiNotFoundResponse()
  preview(@Param('key') key: string, @Body() dto: PreviewTemplateDto): Promise<PreviewResultDto> {
    return this.templates.preview(key, dto);
  }
}
