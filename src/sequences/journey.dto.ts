import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { KEY_MESSAGE, KEY_PATTERN } from '../common/validators.js';

/** The journey rules of API.md v1.1 that a sequence and its steps carry: re-entry, variants, experiments. */
export const REENTRY_RULES = ['never', 'after-completion', 'always'] as const;
export type ReentryRule = (typeof REENTRY_RULES)[number];

export class StepVariantDto {
  @ApiProperty({ example: 'a', description: 'The variant’s key, shown on every delivery row it sends' })
  @IsString()
  @Matches(KEY_PATTERN, { message: `key ${KEY_MESSAGE}` })
  key!: string;

  @ApiProperty({ example: 'discount-10', description: 'Template key' })
  @IsString()
  @MaxLength(64)
  template!: string;

  @ApiProperty({ example: 1, description: 'Share of enrollments, in proportion to the other weights' })
  @IsInt()
  @Min(1)
  @Max(1000)
  weight!: number;
}

export class ExperimentDto {
  @ApiProperty({
    enum: ['click', 'conversion'],
    description: 'Clicks per send, or conversions after the step per send',
  })
  @IsIn(['click', 'conversion'], { message: 'experiment.metric must be one of: click, conversion' })
  metric!: 'click' | 'conversion';

  @ApiProperty({ example: 500, description: 'Sends every variant needs before a winner can be decided (≥ 20)' })
  @IsInt()
  @Min(20)
  @Max(10_000_000)
  minPerVariant!: number;

  @ApiProperty({ example: 0.95, description: 'Probability to beat every other variant that decides (0.8–0.999)' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.8)
  @Max(0.999)
  probabilityToBeat!: number;
}

export class StepWinnerDto {
  @ApiProperty() variant!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Its probability to beat the others; null when pinned' })
  probability!: number | null;
  @ApiProperty() decidedAt!: string;
  @ApiProperty({ enum: ['auto', 'pinned'] }) by!: 'auto' | 'pinned';
}
