import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../common/pagination.js';
import { IsBoundedInstant } from '../common/validators.js';

export class FunnelQuery {
  @ApiPropertyOptional({ description: 'Enrollments whose day 0 is at or after this time' })
  @IsOptional()
  @IsBoundedInstant()
  since?: string;

  @ApiPropertyOptional({ description: 'Enrollments whose day 0 is before this time' })
  @IsOptional()
  @IsBoundedInstant()
  until?: string;

  @ApiPropertyOptional({
    enum: ['locale', 'segment'],
    description: 'Add a breakdown by contact language or by segment',
  })
  @IsOptional()
  @IsIn(['locale', 'segment'])
  by?: 'locale' | 'segment';
}

export class FunnelVariantDto {
  @ApiProperty({ example: 'b' }) key!: string;
  @ApiProperty() sent!: number;
  @ApiProperty() opened!: number;
  @ApiProperty() clicked!: number;
  @ApiProperty({ description: 'Conversions attributed to this step among enrollments sent this variant' })
  convertedAfter!: number;
}

export class FunnelStepDto {
  @ApiProperty() key!: string;
  @ApiProperty() position!: number;
  @ApiProperty() dayOffset!: number;
  @ApiProperty({ description: 'Enrollments that got to this step (a delivery row exists)' }) reached!: number;
  @ApiProperty() sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() opened!: number;
  @ApiProperty() clicked!: number;
  @ApiProperty({ description: 'Conversions attributed to this step (the last one sent before them)' })
  convertedAfter!: number;
  @ApiProperty({ description: 'Unsubscribed with this as the last step sent' }) unsubscribedAfter!: number;
  @ApiProperty({ description: 'Bounced or exited with this as the last step sent' }) droppedAfter!: number;
  @ApiPropertyOptional({
    type: [FunnelVariantDto],
    description: 'A step with A/B variants: its counts per variant (the step’s current variants first)',
  })
  variants?: FunnelVariantDto[];
}

export class HoldoutDto {
  @ApiProperty({ description: 'Held-out enrollments (sent nothing) among totals.enrolled' }) enrolled!: number;
  @ApiProperty() converted!: number;
  @ApiProperty({ description: 'converted / enrolled (0 when nobody was held out)' }) conversionRate!: number;
}

export class LiftDto {
  @ApiProperty({ description: 'Treated minus held-out conversion rate' }) absolute!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'absolute / held-out rate; null when that rate is 0' })
  relative!: number | null;
  @ApiProperty({
    type: [Number],
    example: [0.012, 0.094],
    description: '95% interval of `absolute`: Newcombe’s hybrid score interval (method 10), from Wilson intervals',
  })
  interval95!: [number, number];
}

export class FunnelTotalsDto {
  @ApiProperty() enrolled!: number;
  @ApiProperty() active!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() converted!: number;
  @ApiProperty() unsubscribed!: number;
  @ApiProperty() bounced!: number;
  @ApiProperty() exited!: number;
  @ApiProperty({ description: 'converted / enrolled (0 when nobody enrolled)' }) conversionRate!: number;
  @ApiProperty({ type: HoldoutDto, description: 'The holdout group, included in the counts above' })
  holdout!: HoldoutDto;
  @ApiProperty({
    type: LiftDto,
    nullable: true,
    description: 'Treated minus held out; null while either group is empty',
  })
  lift!: LiftDto | null;
}

export class BiggestDropDto {
  @ApiProperty() step!: string;
  @ApiProperty({ description: 'unsubscribedAfter + droppedAfter of that step' }) lost!: number;
}

export class FunnelBreakdownDto {
  @ApiProperty({ enum: ['locale', 'segment'] }) by!: string;
  @ApiProperty({ description: 'The language (empty: unknown) or segment key' }) value!: string;
  @ApiProperty({ type: FunnelTotalsDto }) totals!: FunnelTotalsDto;
  @ApiProperty({ type: [FunnelStepDto] }) steps!: FunnelStepDto[];
  @ApiProperty({ type: BiggestDropDto, nullable: true }) biggestDrop!: BiggestDropDto | null;
}

export class FunnelDto {
  @ApiProperty() sequence!: string;
  @ApiProperty({ nullable: true, type: String }) since!: string | null;
  @ApiProperty({ nullable: true, type: String }) until!: string | null;
  @ApiProperty({ type: FunnelTotalsDto }) totals!: FunnelTotalsDto;
  @ApiProperty({ type: [FunnelStepDto] }) steps!: FunnelStepDto[];
  @ApiProperty({
    type: BiggestDropDto,
    nullable: true,
    description: 'The step after which most people were lost; null when none were',
  })
  biggestDrop!: BiggestDropDto | null;
  @ApiPropertyOptional({ type: [FunnelBreakdownDto] }) breakdown?: FunnelBreakdownDto[];
}

export class ConversionQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Sequence key' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sequence?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoundedInstant()
  since?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoundedInstant()
  until?: string;
}

export class ConversionDto {
  @ApiProperty() contactId!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty() sequence!: string;
  @ApiProperty() event!: string;
  @ApiProperty({ nullable: true, type: String }) attributedStep!: string | null;
  @ApiProperty() occurredAt!: string;
}

export class ConversionPageDto {
  @ApiProperty({ type: [ConversionDto] }) items!: ConversionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
