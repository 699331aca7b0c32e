import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SegmentService } from '../segments/segment.service.js';
import { ContactService } from './contact.service.js';
import { SegmentPreviewDto, SegmentPreviewResultDto } from './segment-preview.dto.js';

const DEFAULT_SAMPLE = 10;

/**
 * The members a rule would have, before it is saved: the studio's rule builder counts as the marketer edits.
 * Here beside the members of a saved segment (segment-members.controller.ts): contacts build on segments.
 */
@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentPreviewController {
  constructor(
    private readonly segments: SegmentService,
    private readonly contacts: ContactService,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Count and sample the contacts an unsaved rule selects (nothing is written)' })
  @ApiOkResponse({ type: SegmentPreviewResultDto })
  @ApiBadRequestResponse({ description: 'The rule is invalid: every problem named by its path (rule.all.0.op …)' })
  preview(@Body() dto: SegmentPreviewDto): Promise<SegmentPreviewResultDto> {
    return this.contacts.matching(this.segments.compileUnsaved(dto.rule), dto.sample ?? DEFAULT_SAMPLE);
  }
}
