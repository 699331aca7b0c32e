import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TemplateDeletionService } from './template-deletion.service.js';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('v1/templates')
export class TemplateDeletionController {
  constructor(private readonly deletion: TemplateDeletionService) {}

  @Delete(':key')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a template that no sequence step (or A/B variant) names' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({
    description:
      'Still used: `message` names every user, e.g. "template welcome is used by sequence webinar-school step reminder"',
  })
  @ApiNotFoundResponse()
  async delete(@Param('key') key: string): Promise<void> {
    await this.deletion.delete(key);
  }
}
