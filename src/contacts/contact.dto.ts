import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../common/pagination.js';
import { IsBoundedJsonObject, IsIanaTimezone, IsLocaleTag, IsOmittable } from '../common/validators.js';

const NO_LINE_BREAKS = /^[^\r\n]*$/;

/** The fields every contact body shares; email's rules differ (optional to update, required to upsert). */
class ContactFieldsDto {
  @ApiPropertyOptional({ example: 'Maria' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(NO_LINE_BREAKS, { message: 'firstName must not contain line breaks' })
  firstName?: string;

  @ApiPropertyOptional({ example: 'Popescu' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(NO_LINE_BREAKS, { message: 'lastName must not contain line breaks' })
  lastName?: string;

  @ApiPropertyOptional({ example: 'ro-MD', description: 'BCP 47 language tag' })
  @IsOptional()
  @IsLocaleTag()
  locale?: string;

  @ApiPropertyOptional({ example: 'Europe/Chisinau', description: 'IANA time zone' })
  @IsOptional()
  @IsIanaTimezone()
  timezone?: string;

  @ApiPropertyOptional({
    example: { plan: 'pro', city: 'Chișinău' },
    description:
      'Free-form JSON object (up to 16 KB, 5 levels); merged into the stored one, a null value removes a key',
  })
  @IsOptional()
  @IsBoundedJsonObject(16_384, 5)
  attributes?: Record<string, unknown>;
}

export class UpdateContactDto extends ContactFieldsDto {
  @ApiPropertyOptional({ example: 'maria@example.com' })
  // Omittable, but not null: a contact always has an address.
  @IsOmittable()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;
}

export class UpsertContactDto extends ContactFieldsDto {
  @ApiProperty({ example: 'maria@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class ContactDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ nullable: true, type: String }) firstName!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastName!: string | null;
  @ApiProperty({ nullable: true, type: String }) locale!: string | null;
  @ApiProperty({ nullable: true, type: String }) timezone!: string | null;
  @ApiProperty({ type: Object }) attributes!: Record<string, unknown>;
  @ApiProperty({ enum: ['active', 'unsubscribed', 'bounced', 'complained'] }) status!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ContactPageDto {
  @ApiProperty({ type: [ContactDto] }) items!: ContactDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ListContactsQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'Search: contacts whose e-mail, first name, last name or "first last" contains this text (case-insensitive)',
    example: 'popescu',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  q?: string;

  @ApiPropertyOptional({ description: 'Exact e-mail address (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ description: 'Only members of this segment (key)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  segment?: string;
}

export class ImportRejectionDto {
  @ApiProperty({ description: '1-based: the first contact of the array, or the first line after the CSV header' })
  row!: number;
  @ApiProperty({ type: [String] }) errors!: string[];
}

export class ImportResultDto {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty({ type: [ImportRejectionDto] }) rejected!: ImportRejectionDto[];
}

/** A segment's members: contacts chosen by a segment's rule (GET /v1/segments/:key/contacts). */
export class SegmentMembersDto {
  @ApiProperty({ type: [ContactDto] }) items!: ContactDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ description: 'All members now, not just this page' }) total!: number;
}

export class SegmentMembersQuery extends PageQuery {}
