import { Module } from '@nestjs/common';
import { SegmentRepository } from './segment.repository.js';
import { SegmentService } from './segment.service.js';
import { SegmentsController } from './segments.controller.js';

/** Segments: named rules over contact fields and attributes, compiled to SQL by those who select contacts. */
@Module({
  controllers: [SegmentsController],
  providers: [SegmentRepository, SegmentService],
  exports: [SegmentRepository, SegmentService],
})
export class SegmentsModule {}
