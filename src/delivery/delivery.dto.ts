import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../common/pagination.js';
import { IsBoundedInstant } from '../common/validators.js';

export class RunPassDto {
  @ApiPropertyOptional({
    example: '2026-11-25T10:00:00Z',
    description: 'Run this pass as of this time (only with SCHEDULER_TEST_CLOCK=true; otherwise 403)',
  })
  @IsOptional()
  @IsBoundedInstant()
  now?: string;
}

export class PassResultDto {
  @ApiProperty() claimed!: number;
  @ApiProperty() sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() deferred!: number;
  @ApiProperty({ description: 'Transient SMTP failures that will be retried' }) retrying!: number;
  @ApiProperty({ description: 'Interrupted sends found and marked unknown' }) unknown!: number;
}

export const DELIVERY_STATUSES = ['pending', 'sent', 'retrying', 'failed', 'skipped', 'deferred', 'unknown'];

export class DeliveryQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Sequence key' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sequence?: string;

  @ApiPropertyOptional({ description: 'Step key (with sequence)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  step?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ description: 'Rows created at or after this time' })
  @IsOptional()
  @IsBoundedInstant()
  since?: string;

  @ApiPropertyOptional({ description: 'Rows created before this time' })
  @IsOptional()
  @IsBoundedInstant()
  until?: string;
}

export class DeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty() sequence!: string;
  @ApiProperty() step!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) locale!: string | null;
  @ApiProperty({ nullable: true, type: String }) messageId!: string | null;
  @ApiProperty({ nullable: true, type: String }) smtpResponse!: string | null;
  @ApiProperty({ nullable: true, type: String }) dueAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) openedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) clickedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When a hard bounce of this email came back' })
  bouncedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When its recipient complained (marked it as spam)' })
  complainedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When a soft bounce (4.x.x) was reported; not acted on' })
  softBouncedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The latest bounce or complaint diagnostic' })
  feedback!: string | null;
  @ApiProperty({ description: 'Resends an operator asked for (POST /v1/deliveries/:id/retry)' }) resendCount!: number;
  @ApiProperty({ nullable: true, type: String, description: 'When the last resend was asked for' })
  resendRequestedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Which admin key asked for it (a fingerprint)' })
  resendRequestedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The A/B variant this email used; null for a plain step' })
  variant!: string | null;
  @ApiProperty() createdAt!: string;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
