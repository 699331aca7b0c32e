import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** One event of the generic webhook format (API.md, Deliverability). */
export class GenericEventDto {
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  @IsIn(['bounce', 'complaint'], { message: 'type must be "bounce" or "complaint"' })
  type!: 'bounce' | 'complaint';

  @IsOptional()
  @IsBoolean()
  permanent?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(998)
  messageId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}
