import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { TrackingModule } from '../tracking/tracking.module.js';
import { DraftPreviewController } from './draft-preview.controller.js';
import { TemplateDeletionController } from './template-deletion.controller.js';
import { TemplateDeletionRepository } from './template-deletion.repository.js';
import { TemplateDeletionService } from './template-deletion.service.js';
import { TemplateRenderer } from './template-renderer.js';
import { TemplateRepository } from './template.repository.js';
import { TemplateService } from './template.service.js';
import { TemplatesController } from './templates.controller.js';

@Module({
  imports: [ContactsModule, TrackingModule],
  controllers: [TemplatesController, TemplateDeletionController, DraftPreviewController],
  providers: [
    TemplateRenderer,
    TemplateRepository,
    TemplateService,
    TemplateDeletionRepository,
    TemplateDeletionService,
  ],
  exports: [TemplateRenderer, TemplateRepository, TemplateService],
})
export class TemplatesModule {}
