import { Module } from '@nestjs/common';
import { SettingsRepository } from './settings.repository.js';
import { TokenService } from './token.service.js';
import { TrackingController } from './tracking.controller.js';
import { TrackingRepository } from './tracking.repository.js';

/**
 * What the emails link back to (opens, clicks, unsubscribes) and the one TokenService: its secret signs the
 * links (delivery, templates) and keys the suppression list's address hashes (contacts).
 */
@Module({
  controllers: [TrackingController],
  providers: [SettingsRepository, TokenService, TrackingRepository],
  exports: [TokenService],
})
export class TrackingModule {}
