import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { SequenceDto } from '../sequences/sequence.dto.js';
import { WinnerService } from './winner.service.js';

export class PinWinnerDto {
  @ApiProperty({ example: 'b', description: 'The key of one of the step’s variants' })
  @IsString()
  @MaxLength(64)
  variant!: string;
}

@ApiTags('sequences')
@ApiBearerAuth()
@Controller('v1/sequences')
export class WinnerController {
  constructor(private readonly winners: WinnerService) {}

  @Post(':key/steps/:step/winner')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pin an A/B winner by hand',
    description: 'Every later send of the step uses this variant; shown as winner { by: "pinned", probability: null }.',
  })
  @ApiOkResponse({ type: SequenceDto })
  @ApiNotFoundResponse({ description: 'Unknown sequence or step' })
  @ApiBadRequestResponse({ description: 'The step has no variants, or no variant of that key' })
  pin(@Param('key') key: string, @Param('step') step: string, @Body() body: PinWinnerDto): Promise<SequenceDto> {
    return this.winners.pin(key, step, body.variant);
  }
}
