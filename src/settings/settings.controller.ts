import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JourneySettings } from './journey-settings.js';
import { SettingsDto } from './settings.dto.js';
import { SettingsService } from './settings.service.js';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @ApiOperation({ summary: 'The frequency cap and quiet dates in force' })
  @ApiOkResponse({ type: SettingsDto })
  get(): Promise<JourneySettings> {
    return this.settings.journey();
  }

  @Put()
  @ApiOperation({
    summary: 'Replace the frequency cap and quiet dates (the whole object); schedulers apply it from their next pass',
  })
  @ApiOkResponse({ type: SettingsDto })
  @ApiBadRequestResponse({ description: 'Every bad field named; nothing is written' })
  put(@Body() dto: SettingsDto): Promise<JourneySettings> {
    return this.settings.replace(dto);
  }
}
