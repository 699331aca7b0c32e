import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsBoundedInstant, IsBoundedJsonObject, IsOmittable, ValidateNestedObject } from '../common/validators.js';
import { UpdateContactDto } from '../contacts/contact.dto.js';
import { EVENT_NAME } from '../sequences/sequence.dto.js';
import type { NotEnrolledReason } from './enrollment-eligibility.js';

/** ISO 8601 with a date, a time and an offset (or Z): a time without a zone is ambiguous. */

export class EnrollDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOmittable()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ example: 'maria@example.md' })
  @IsOmittable()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @ApiPropertyOptional({ example: 'marketing-interest', description: 'Enroll every member of this segment instead' })
  @IsOmittable()
  @IsString()
  @MaxLength(64)
  segment?: string;

  @ApiPropertyOptional({ example: '2026-11-24T10:00:00+02:00', description: 'Day 0; default now; may be in the past' })
  @IsOmittable()
  @IsBoundedInstant()
  startAt?: string;
}

export class EnrollmentDto {
  @ApiProperty() id!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty() sequence!: string;
  @ApiProperty({ enum: ['active', 'completed', 'converted', 'unsubscribed', 'bounced', 'exited'] }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) exitReason!: string | null;
  @ApiProperty() startAt!: string;
  @ApiProperty({ nullable: true, type: String }) nextStep!: string | null;
  @ApiProperty({ nullable: true, type: String }) nextDueAt!: string | null;
  @ApiProperty({ description: 'Held out (holdoutPercent): receives no email of the sequence; conversions still count' })
  holdout!: boolean;
  @ApiProperty() createdAt!: string;
}

export class SegmentEnrollmentResultDto {
  @ApiProperty() enrolled!: number;
  @ApiProperty({ description: 'Members already active in the sequence' }) alreadyEnrolled!: number;
  @ApiProperty({ description: "Members refused by the sequence's re-entry rule or cooldown, or by their status" })
  ineligible!: number;
}

export class EventContactDto extends UpdateContactDto {}

export class EventDto {
  @ApiPropertyOptional({ example: 'maria@example.md', description: 'A new contact is created for an unknown e-mail' })
  @IsOmittable()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOmittable()
  @IsUUID()
  contactId?: string;

  @ApiProperty({ example: 'webinar_signup' })
  @Matches(EVENT_NAME, { message: 'name must be an event name: letters, digits, _ . : - (up to 100)' })
  name!: string;

  @ApiPropertyOptional({
    example: '2026-11-24T10:00:00Z',
    description: 'Default now; day 0 of the sequences it starts',
  })
  @IsOmittable()
  @IsBoundedInstant()
  occurredAt?: string;

  @ApiPropertyOptional({ example: { webinar: 'ai-basics' } })
  @IsOmittable()
  @IsBoundedJsonObject(16_384, 5)
  properties?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'form-7f3a9', description: 'The same key twice has effect once' })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  idempotencyKey?: string;

  @ApiPropertyOptional({ type: EventContactDto, description: 'Contact fields to upsert with the event (by e-mail)' })
  @IsOmittable()
  @ValidateNestedObject()
  @Type(() => EventContactDto)
  contact?: EventContactDto;
}

export class NotEnrolledDto {
  @ApiProperty({ example: 'webinar-school' }) sequence!: string;
  @ApiProperty({ enum: ['reentry', 'cooldown', 'audience', 'already-active', 'contact-status'] })
  reason!: NotEnrolledReason;
}

export class EventResultDto {
  @ApiProperty() eventId!: string;
  @ApiProperty() contactId!: string;
  @ApiProperty({ description: 'True when the idempotency key was seen before; nothing was done again' })
  duplicate!: boolean;
  @ApiProperty({ type: [String], description: 'Sequences the contact entered' }) enrolled!: string[];
  @ApiProperty({ type: [String], description: 'Sequences the contact converted in' }) converted!: string[];
  @ApiProperty({
    type: [NotEnrolledDto],
    description: 'Every live sequence the event triggers that did not enroll the contact, with the reason',
  })
  notEnrolled!: NotEnrolledDto[];
}
