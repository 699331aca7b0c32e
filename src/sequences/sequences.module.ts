import { Module } from '@nestjs/common';
import { SegmentsModule } from '../segments/segments.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { SequenceRepository } from './sequence.repository.js';
import { SequenceService } from './sequence.service.js';
import { SequencesController } from './sequences.controller.js';
import { TimezoneCatalog } from './timezone-catalog.js';

@Module({
  imports: [SegmentsModule, TemplatesModule],
  controllers: [SequencesController],
  providers: [SequenceRepository, SequenceService, TimezoneCatalog],
  exports: [SequenceRepository, SequenceService],
})
export class SequencesModule {}
