import { Module } from '@nestjs/common';
import { SequencesModule } from '../sequences/sequences.module.js';
import { WinnerController } from './winner.controller.js';
import { WinnerRepository } from './winner.repository.js';
import { WinnerService } from './winner.service.js';

/** A/B experiments' winners: decided by the scheduler after each pass, or pinned by a marketer. */
@Module({
  imports: [SequencesModule],
  controllers: [WinnerController],
  providers: [WinnerRepository, WinnerService],
  exports: [WinnerService],
})
export class ExperimentsModule {}
