import { Injectable } from '@nestjs/common';
import { JOURNEY_SETTINGS_KEY, type JourneySettings, parseJourneySettings } from './journey-settings.js';
import type { SettingsDto } from './settings.dto.js';
import { JourneySettingsRepository } from './settings.repository.js';

@Injectable()
export class SettingsService {
  constructor(private readonly repository: JourneySettingsRepository) {}

  /** The settings in force: what was last PUT, or no cap and no quiet dates. */
  async journey(): Promise<JourneySettings> {
    return parseJourneySettings(await this.repository.read(JOURNEY_SETTINGS_KEY));
  }

  /** Replaces the whole object (a field left out is reset); the DTO is already validated. */
  async replace(dto: SettingsDto): Promise<JourneySettings> {
    const cap = dto.frequencyCap;
    const settings: JourneySettings = {
      frequencyCap: cap
        ? {
            ...(cap.maxPerDay !== undefined && { maxPerDay: cap.maxPerDay }),
            ...(cap.maxPerWeek !== undefined && { maxPerWeek: cap.maxPerWeek }),
            ...(cap.minHoursBetween !== undefined && { minHoursBetween: cap.minHoursBetween }),
          }
        : null,
      quietDates: dto.quietDates ?? [],
    };
    await this.repository.write(JOURNEY_SETTINGS_KEY, JSON.stringify(settings));
    return settings;
  }
}
