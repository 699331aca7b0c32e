import { Module } from '@nestjs/common';
import { SettingsController } from './settings.controller.js';
import { JourneySettingsRepository } from './settings.repository.js';
import { SettingsService } from './settings.service.js';

/** Settings: the journey rules all sequences share (frequency cap, quiet dates), read by the scheduler. */
@Module({
  controllers: [SettingsController],
  providers: [JourneySettingsRepository, SettingsService],
  exports: [SettingsService],
})
export class SettingsModule {}
