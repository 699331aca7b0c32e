import { Module } from '@nestjs/common';
import { SegmentsModule } from '../segments/segments.module.js';
import { SequencesModule } from '../sequences/sequences.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

/** What ops read: the funnel and the conversion log (the delivery log lives with the engine). */
@Module({
  imports: [SegmentsModule, SequencesModule],
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService],
})
export class ReportsModule {}
