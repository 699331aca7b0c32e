import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsInt,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { DateTime } from 'luxon';
import { IsOmittable, ValidateNestedObject } from '../common/validators.js';
import { MAX_MIN_HOURS_BETWEEN } from './journey-settings.js';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The entries of `value` that are not real calendar dates `YYYY-MM-DD` (2026-02-30 is not one). */
export function badCalendarDates(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((date) => typeof date !== 'string' || !CALENDAR_DATE.test(date) || !DateTime.fromISO(date).isValid)
    .map((date) => JSON.stringify(date));
}

function AreCalendarDates(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'areCalendarDates',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => badCalendarDates(value).length === 0,
        defaultMessage: (args) =>
          `${args?.property} must hold real calendar dates YYYY-MM-DD; not: ${badCalendarDates(args?.value).join(', ')}`,
      },
    });
}

export class FrequencyCapDto {
  @ApiPropertyOptional({ example: 2, description: 'At most this many emails to one contact in any 24 hours' })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxPerDay?: number;

  @ApiPropertyOptional({ example: 5, description: 'At most this many emails to one contact in any 7 × 24 hours' })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxPerWeek?: number;

  @ApiPropertyOptional({ example: 20, description: 'At least this many hours between two emails to one contact' })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(MAX_MIN_HOURS_BETWEEN)
  minHoursBetween?: number;
}

/** PUT /v1/settings replaces the whole object: a field left out is reset (no cap, no quiet dates). */
export class SettingsDto {
  @ApiProperty({
    type: FrequencyCapDto,
    nullable: true,
    description: 'Counts emails to one contact across all sequences; transactional sequences are exempt',
  })
  @ValidateIf((_object, value) => value !== null && value !== undefined)
  @ValidateNestedObject()
  @Type(() => FrequencyCapDto)
  frequencyCap!: FrequencyCapDto | null;

  @ApiProperty({
    example: ['2026-12-25', '2027-01-01'],
    description: 'Dates (in each contact’s own time zone) on which no non-transactional email goes out',
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(1000)
  @AreCalendarDates()
  @ArrayUnique({ message: 'quietDates must not repeat a date' })
  quietDates!: string[];
}
