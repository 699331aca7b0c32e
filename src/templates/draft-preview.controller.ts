import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { PreviewDraftDto, PreviewResultDto } from './template.dto.js';
import { TemplateService } from './template.service.js';

/** The studio's editor previews what the marketer is typing, before (and without) saving it. */
@ApiTags('templates')
@ApiBearerAuth()
@Controller('v1/templates')
export class DraftPreviewController {
  constructor(private readonly templates: TemplateService) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Render unsaved variants as a preview of a saved template would (nothing is stored)' })
  @ApiOkResponse({ type: PreviewResultDto })
  @ApiBadRequestResponse({ description: 'A variant is invalid (as POST /v1/templates would say)' })
  @ApiUnprocessableEntityResponse({ description: 'A variant does not compile, or fails with this data' })
  preview(@Body() dto: PreviewDraftDto): Promise<PreviewResultDto> {
    return this.templates.previewDraft(dto);
  }
}
