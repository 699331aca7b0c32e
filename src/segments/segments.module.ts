import { Module } from '@nestjs/common';
import { SegmentDeletionController } from './segment-deletion.controller.js';
import { SegmentDeletionRepository } from './segment-deletion.repository.js';
import { SegmentDeletionService } from './segment-deletion.service.js';
import { SegmentRepository } from './segment.repository.js';
import { SegmentService } from './segment.service.js';
import { SegmentsController } from './segments.controller.js';

/** Segments: named rules over contact fields and attributes, compiled to SQL by those who select contacts. */
@Module({
  controllers: [SegmentsController, SegmentDeletionController],
  providers: [SegmentRepository, SegmentService, SegmentDeletionRepository, SegmentDeletionService],
  exports: [SegmentRepository, SegmentService],
})
export class SegmentsModule {}
