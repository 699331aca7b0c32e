import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsIanaTimezone, KEY_MESSAGE, KEY_PATTERN, ValidateNestedObject } from '../common/validators.js';
import { ExperimentDto, REENTRY_RULES, type ReentryRule, StepVariantDto, StepWinnerDto } from './journey.dto.js';

const CLOCK = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
export const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;
const EVENT_MESSAGE = 'must be an event name: letters, digits, _ . : - (up to 100)';

export class SendWindowDto {
  @ApiProperty({ example: '09:00', description: 'Local time HH:mm' })
  @Matches(CLOCK, { message: 'sendWindow.from must be a time HH:mm' })
  from!: string;

  @ApiProperty({ example: '20:00', description: 'Local time HH:mm; before `from` means the window crosses midnight' })
  @Matches(CLOCK, { message: 'sendWindow.to must be a time HH:mm' })
  to!: string;

  @ApiPropertyOptional({
    type: [Number],
    example: [1, 2, 3, 4, 5, 6],
    description: 'ISO weekdays 1 = Monday … 7 = Sunday (0 = Sunday too); default every day',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(7, { each: true })
  days?: number[];
}

export class StepDto {
  @ApiProperty({ example: 'reminder' })
  @IsString()
  @Matches(KEY_PATTERN, { message: `key ${KEY_MESSAGE}` })
  key!: string;

  @ApiProperty({ example: 1, description: 'Calendar days after day 0 in the contact’s time zone' })
  @IsInt()
  @Min(0)
  @Max(3650)
  dayOffset!: number;

  @ApiPropertyOptional({ example: '10:00', description: 'Local send time; default: day 0’s time of day' })
  @IsOptional()
  @Matches(CLOCK, { message: 'at must be a time HH:mm' })
  at?: string;

  @ApiPropertyOptional({ example: 'webinar-reminder', description: 'Template key (or `variants` instead)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  template?: string;

  @ApiPropertyOptional({
    type: [StepVariantDto],
    description: 'A/B variants instead of `template`: 2–4, each enrollment gets one in proportion to the weights',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(2, { message: 'variants must have 2 to 4 entries' })
  @ArrayMaxSize(4, { message: 'variants must have 2 to 4 entries' })
  @ValidateNestedObject({ each: true })
  @Type(() => StepVariantDto)
  variants?: StepVariantDto[];

  @ApiPropertyOptional({ type: ExperimentDto, description: 'Decide a winner among the variants automatically' })
  @IsOptional()
  @ValidateNestedObject()
  @Type(() => ExperimentDto)
  experiment?: ExperimentDto;

  @ApiPropertyOptional({
    example: 'price-sensitive',
    description: 'Only contacts in this segment get the step; others skip it (logged)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  segment?: string;

  @ApiPropertyOptional({
    example: 48,
    default: 48,
    description: 'Reached later than this after its due time, the step is skipped as late',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8760)
  maxLatenessHours?: number;
}

export class TrackingDto {
  @ApiPropertyOptional({ description: 'An open-tracking image in each email; default: the server’s TRACK_OPENS' })
  @IsOptional()
  @IsBoolean()
  opens?: boolean;

  @ApiPropertyOptional({
    description: 'Links rewritten to click-tracking redirects; default: the server’s TRACK_CLICKS',
  })
  @IsOptional()
  @IsBoolean()
  clicks?: boolean;
}

export class UpdateSequenceDto {
  @ApiProperty({ example: 'Webinar to course' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'webinar_signup' })
  @IsOptional()
  @Matches(EVENT_NAME, { message: `triggerEvent ${EVENT_MESSAGE}` })
  triggerEvent?: string;

  @ApiPropertyOptional({ example: 'course_purchased' })
  @IsOptional()
  @Matches(EVENT_NAME, { message: `conversionEvent ${EVENT_MESSAGE}` })
  conversionEvent?: string;

  @ApiPropertyOptional({
    example: 'marketing-interest',
    description: 'Segment key: only its members enter on the trigger event',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  audienceSegment?: string;

  @ApiPropertyOptional({ type: SendWindowDto })
  @IsOptional()
  @ValidateNestedObject()
  @Type(() => SendWindowDto)
  sendWindow?: SendWindowDto;

  @ApiPropertyOptional({ example: 'Europe/Chisinau', description: 'For contacts without a time zone (default UTC)' })
  @IsOptional()
  @IsIanaTimezone()
  timezone?: string;

  @ApiPropertyOptional({ type: TrackingDto, description: 'What the emails track; an omitted field follows the server' })
  @IsOptional()
  @ValidateNestedObject()
  @Type(() => TrackingDto)
  tracking?: TrackingDto;

  @ApiPropertyOptional({
    enum: REENTRY_RULES,
    default: 'after-completion',
    description: 'When a contact may enter again: never, after-completion (never after converting), always',
  })
  @IsOptional()
  @IsIn(REENTRY_RULES, { message: `reentry must be one of: ${REENTRY_RULES.join(', ')}` })
  reentry?: ReentryRule;

  @ApiPropertyOptional({ example: 30, description: 'Days between the end of one enrollment and the next start' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(36_500)
  reentryCooldownDays?: number;

  @ApiPropertyOptional({ default: false, description: 'Exempt from the frequency cap and quiet dates' })
  @IsOptional()
  @IsBoolean()
  transactional?: boolean;

  @ApiPropertyOptional({ default: 0, description: 'Share (0–50 %) of new enrollments held out: sent nothing' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(50)
  holdoutPercent?: number;

  @ApiPropertyOptional({
    default: 0,
    example: 7,
    description:
      'Days an enrollment keeps running after its last step, so that a conversion then still ends it as converted',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  conversionWindowDays?: number;

  @ApiProperty({ type: [StepDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNestedObject({ each: true })
  @Type(() => StepDto)
  steps!: StepDto[];
}

export class CreateSequenceDto extends UpdateSequenceDto {
  @ApiProperty({ example: 'webinar-school' })
  @IsString()
  @Matches(KEY_PATTERN, { message: `key ${KEY_MESSAGE}` })
  key!: string;
}

export class TrackingViewDto {
  @ApiProperty() opens!: boolean;
  @ApiProperty() clicks!: boolean;
}

export class SequenceStepViewDto {
  @ApiProperty() key!: string;
  @ApiProperty() position!: number;
  @ApiProperty() dayOffset!: number;
  @ApiPropertyOptional() at?: string;
  @ApiProperty({ description: 'The template, or the first variant’s with variants' }) template!: string;
  @ApiPropertyOptional({ type: [StepVariantDto] }) variants?: StepVariantDto[];
  @ApiPropertyOptional({ type: ExperimentDto }) experiment?: ExperimentDto;
  @ApiProperty({ nullable: true, type: StepWinnerDto, description: 'The variant sends use from now on; null: none' })
  winner!: StepWinnerDto | null;
  @ApiPropertyOptional() segment?: string;
  @ApiProperty() maxLatenessHours!: number;
}

export class SequenceDto {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['draft', 'active', 'paused', 'archived'] }) status!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: '`complaint-rate` when the complaint breaker paused it (activate resumes it); null otherwise',
  })
  pausedReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) triggerEvent!: string | null;
  @ApiProperty({ nullable: true, type: String }) conversionEvent!: string | null;
  @ApiProperty({ nullable: true, type: String }) audienceSegment!: string | null;
  @ApiProperty({ nullable: true, type: SendWindowDto }) sendWindow!: SendWindowDto | null;
  @ApiProperty({ nullable: true, type: String }) timezone!: string | null;
  @ApiProperty({ type: TrackingViewDto, description: 'In effect: the sequence’s own choice, or the server’s default' })
  tracking!: TrackingViewDto;
  @ApiProperty({ enum: REENTRY_RULES }) reentry!: ReentryRule;
  @ApiProperty({ nullable: true, type: Number }) reentryCooldownDays!: number | null;
  @ApiProperty() transactional!: boolean;
  @ApiProperty() holdoutPercent!: number;
  @ApiProperty() conversionWindowDays!: number;
  @ApiProperty() version!: number;
  @ApiProperty({ type: [SequenceStepViewDto] }) steps!: SequenceStepViewDto[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class SequencePageDto {
  @ApiProperty({ type: [SequenceDto] }) items!: SequenceDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/** The contact by id or by e-mail: exactly one (else 400). */
