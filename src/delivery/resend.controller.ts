import { createHash } from 'node:crypto';
import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { type ResendAccepted, ResendService } from './resend.service.js';

export class ResendAcceptedDto implements ResendAccepted {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['pending'] }) status!: 'pending';
  @ApiProperty({ description: 'Attempts of this row, the resend included' }) attempts!: number;
  @ApiProperty({ description: 'Resends asked for this row so far' }) resendCount!: number;
  @ApiProperty() resendRequestedAt!: string;
  @ApiProperty({ description: 'Which admin key asked: `key:` and the start of its SHA-256 (never the key)' })
  resendRequestedBy!: string;
}

/**
 * Who asked, as far as the API knows: the admin key, named by a fingerprint that tells rotated keys apart and
 * cannot be turned back into the key. The admin-key middleware has already checked it.
 */
function operatorOf(request: Request): string {
  const key = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  return `key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

@ApiTags('ops')
@ApiBearerAuth()
@Controller('v1/deliveries')
export class ResendController {
  constructor(private readonly resends: ResendService) {}

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Send a failed or unknown delivery again, now (the operator’s decision): the row counts the attempt and ends sent or failed',
  })
  @ApiAcceptedResponse({ type: ResendAcceptedDto })
  @ApiNotFoundResponse({ description: 'No delivery has this id' })
  @ApiConflictResponse({
    description: 'The delivery is not failed or unknown, its contact is no longer active, or its step was removed',
  })
  retry(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() request: Request & { id?: unknown },
  ): Promise<ResendAcceptedDto> {
    return this.resends.request(id, operatorOf(request), request.id === undefined ? null : String(request.id));
  }
}
