import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  IsBoundedInstant,
  IsBoundedJsonObject,
  IsLocaleTag,
  IsOmittable,
  KEY_MESSAGE,
  KEY_PATTERN,
  ValidateNestedObject,
} from '../common/validators.js';
import { UpdateContactDto } from '../contacts/contact.dto.js';

/**
 * The largest HTML or text part a variant may have. Real emails are 10-60 KB (Gmail clips them at 102 KB);
 * compiling, checking and deriving the text part cost time in proportion to the size, about 1 s per 256 KB
 * on a busy core of this machine, so a save or a first preview stays around a second even at the limit.
 */
export const MAX_TEMPLATE_CHARS = 262_144;

export class TemplateVariantDto {
  @ApiProperty({ example: 'ro' })
  @IsLocaleTag()
  locale!: string;

  @ApiProperty({ example: 'Bun venit, {{default contact.firstName "prietene"}}!' })
  @IsString()
  @MinLength(1)
  @MaxLength(998)
  subject!: string;

  @ApiProperty({ example: '<p>Salut, {{default contact.firstName "prietene"}}!</p>', maxLength: MAX_TEMPLATE_CHARS })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TEMPLATE_CHARS)
  html!: string;

  @ApiPropertyOptional({ description: 'Derived from the HTML when absent', maxLength: MAX_TEMPLATE_CHARS })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEMPLATE_CHARS)
  text?: string;
}

export class UpdateTemplateDto {
  @ApiProperty({ example: 'Webinar welcome' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: [TemplateVariantDto], description: 'One per locale; the first is the fallback' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNestedObject({ each: true })
  @Type(() => TemplateVariantDto)
  variants!: TemplateVariantDto[];
}

export class CreateTemplateDto extends UpdateTemplateDto {
  @ApiProperty({ example: 'webinar-welcome' })
  @IsString()
  @Matches(KEY_PATTERN, { message: `key ${KEY_MESSAGE}` })
  key!: string;
}

export class TemplateDto {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: [TemplateVariantDto] }) variants!: TemplateVariantDto[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TemplatePageDto {
  @ApiProperty({ type: [TemplateDto] }) items!: TemplateDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/** A sample contact for previews; every field optional. */
export class PreviewContactDto extends UpdateContactDto {}

/** The event a preview renders as the one that started the enrollment (`event.*`). */
export class PreviewEventDto {
  @ApiPropertyOptional({ example: 'lesson_booked', description: 'Default: sample_event' })
  @IsOmittable()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: { lessonAt: '2026-12-01T17:00:00Z', course: 'Python' }, description: 'Default: {}' })
  @IsOmittable()
  @IsBoundedJsonObject(16_384, 5)
  properties?: Record<string, unknown>;
}

export class PreviewEnrollmentDto {
  @ApiProperty({ example: '2026-11-24T10:00:00Z', description: 'Day 0 (enrollment.startAt)' })
  @IsBoundedInstant()
  startAt!: string;
}

export class PreviewTemplateDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Render for this stored contact' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ type: PreviewContactDto, description: 'Or for this sample contact' })
  @IsOptional()
  @ValidateNestedObject()
  @Type(() => PreviewContactDto)
  contact?: PreviewContactDto;

  @ApiPropertyOptional({ example: 'ru', description: "Overrides the contact's locale for the variant choice" })
  @IsOptional()
  @IsLocaleTag()
  locale?: string;

  @ApiPropertyOptional({
    type: PreviewEventDto,
    description: 'Render as if this event started the enrollment; without it `event` is {} (a marketer enrolled)',
  })
  @IsOmittable()
  @ValidateNestedObject()
  @Type(() => PreviewEventDto)
  event?: PreviewEventDto;

  @ApiPropertyOptional({ type: PreviewEnrollmentDto, description: 'Default: startAt = now' })
  @IsOmittable()
  @ValidateNestedObject()
  @Type(() => PreviewEnrollmentDto)
  enrollment?: PreviewEnrollmentDto;
}

export class PreviewResultDto {
  @ApiProperty() subject!: string;
  @ApiProperty() html!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'The variant that was chosen' }) locale!: string;
}

/** A template as the editor holds it, unsaved, previewed for the same contact, locale, event and enrollment options. */
export class PreviewDraftDto extends PreviewTemplateDto {
  @ApiProperty({ type: [TemplateVariantDto], description: 'As POST /v1/templates takes them; checked the same way' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNestedObject({ each: true })
  @Type(() => TemplateVariantDto)
  variants!: TemplateVariantDto[];
}
