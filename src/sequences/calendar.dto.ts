import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** A contact's touchpoint calendar in a sequence (GET /v1/sequences/:key/calendar). */
export class CalendarQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ example: 'maria@example.md', description: 'The contact by e-mail, instead of contactId' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;
}

export class CalendarStepDto {
  @ApiProperty() key!: string;
  @ApiProperty() dayOffset!: number;
  @ApiProperty({ description: 'Due time moved into the send window, in UTC' }) plannedAt!: string;
  @ApiProperty({ description: 'planned, or the delivery status (sent, skipped, failed, deferred, …)' }) status!: string;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional() sentAt?: string;
}

export class CalendarEnrollmentDto {
  @ApiProperty() id!: string;
  @ApiProperty() status!: string;
  @ApiProperty() startAt!: string;
  @ApiProperty({ description: 'In the sequence’s holdout group: sent nothing, conversions still count' })
  holdout!: boolean;
}

export class CalendarDto {
  @ApiProperty() contactId!: string;
  @ApiProperty() sequence!: string;
  @ApiProperty() timezone!: string;
  @ApiProperty({ type: CalendarEnrollmentDto }) enrollment!: CalendarEnrollmentDto;
  @ApiProperty({ type: [CalendarStepDto] }) steps!: CalendarStepDto[];
}
