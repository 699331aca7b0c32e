import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { KEY_MESSAGE, KEY_PATTERN } from '../common/validators.js';

const RULE_EXAMPLE = {
  all: [
    { field: 'locale', op: 'in', value: ['ro', 'ru'] },
    {
      any: [
        { field: 'attributes.plan', op: 'eq', value: 'free' },
        { field: 'attributes.visits', op: 'gte', value: 3 },
      ],
    },
  ],
};

export class UpdateSegmentDto {
  @ApiProperty({ example: 'Price-sensitive' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({
    type: Object,
    example: RULE_EXAMPLE,
    description:
      '{ all: [...] } or { any: [...] }, nestable; a condition is { field, op, value } with field locale | timezone | email | status | firstName | lastName | attributes.<name> and op eq | neq | in | contains | exists | gt | gte | lt | lte',
  })
  @IsDefined()
  rule!: unknown;
}

export class CreateSegmentDto extends UpdateSegmentDto {
  @ApiProperty({ example: 'price-sensitive' })
  @IsString()
  @Matches(KEY_PATTERN, { message: `key ${KEY_MESSAGE}` })
  key!: string;
}

export class SegmentDto {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: Object, example: RULE_EXAMPLE }) rule!: unknown;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class SegmentPageDto {
  @ApiProperty({ type: [SegmentDto] }) items!: SegmentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
