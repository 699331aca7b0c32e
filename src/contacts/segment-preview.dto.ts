import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ContactDto } from './contact.dto.js';

export class SegmentPreviewDto {
  @ApiProperty({
    type: Object,
    example: { all: [{ field: 'locale', op: 'eq', value: 'ro' }] },
    description: 'A segment rule as POST /v1/segments takes it; checked the same way (400 naming its path)',
  })
  @IsDefined()
  rule!: unknown;

  @ApiPropertyOptional({ description: 'How many members to show (default 10, at most 50)', minimum: 1, maximum: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  sample?: number;
}

export class SegmentPreviewResultDto {
  @ApiProperty({ description: 'Every contact the rule selects now' }) total!: number;
  @ApiProperty({ type: [ContactDto], description: 'The first of them, in the order they were created' })
  sample!: ContactDto[];
}
