import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { PreviewTemplateDto } from '../templates/template.dto.js';

/** A test send renders exactly as a preview does (same contact, locale, event and enrollment options). */
export class TestSendDto extends PreviewTemplateDto {
  @ApiProperty({ example: 'marketer@school.example', description: 'Where the test goes (not a contact)' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class TestSendResultDto {
  @ApiProperty({ description: 'The Message-ID the mail server accepted' }) messageId!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ description: 'As sent, with the [test] prefix' }) subject!: string;
  @ApiProperty({ description: 'The variant that was chosen' }) locale!: string;
}
