import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { SegmentDeletionService } from './segment-deletion.service.js';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentDeletionController {
  constructor(private readonly deletion: SegmentDeletionService) {}

  @Delete(':key')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a segment that no sequence uses as its audience or for a step' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({
    description: 'Still used: `message` names every user, e.g. "segment ro is the audience of sequence webinar-school"',
  })
  @ApiNotFoundResponse()
  async delete(@Param('key') key: string): Promise<void> {
    await this.deletion.delete(key);
  }
}
