import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../common/pagination.js';
import { EnrollmentDto } from './enrollment.dto.js';

export const ENROLLMENT_STATUSES = ['active', 'completed', 'converted', 'unsubscribed', 'bounced', 'exited'];

export class ListEnrollmentsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Sequence key', example: 'webinar-school' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sequence?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ enum: ENROLLMENT_STATUSES })
  @IsOptional()
  @IsIn(ENROLLMENT_STATUSES)
  status?: string;
}

export class EnrollmentPageDto {
  @ApiProperty({ type: [EnrollmentDto], description: 'Newest first' }) items!: EnrollmentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ListEventsQuery extends PageQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  contactId!: string;
}

export class StoredEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'webinar_signup' }) name!: string;
  @ApiProperty({ example: '2026-11-24T10:00:00.000Z' }) occurredAt!: string;
  @ApiProperty({ type: Object, example: { webinar: 'ai-basics' } }) properties!: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'As sent with the event; null without one' })
  idempotencyKey!: string | null;
  @ApiProperty({ description: 'When the server received it' }) receivedAt!: string;
}

export class EventPageDto {
  @ApiProperty({ type: [StoredEventDto], description: 'Newest first (by occurredAt)' }) items!: StoredEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
