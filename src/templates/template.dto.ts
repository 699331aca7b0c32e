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
import { KEY_MESSAGE, KEY_PATTERN, IsLocaleTag, ValidateNestedObject } from '../common/validators.js';
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
}

export class PreviewResultDto {
  @ApiProperty() subject!: string;
  @ApiProperty() html!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'The variant that was chosen' }) locale!: string;
}
