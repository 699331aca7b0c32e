import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Page } from '../common/pagination.js';
import {
  ContactDto,
  ContactPageDto,
  ImportResultDto,
  ListContactsQuery,
  UpdateContactDto,
  UpsertContactDto,
} from './contact.dto.js';
import { ContactService } from './contact.service.js';
import { readImportBody } from './import-body.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactService) {}

  @Post()
  @ApiOperation({ summary: 'Create or update a contact by e-mail (case-insensitive): 201 created, 200 updated' })
  @ApiCreatedResponse({ type: ContactDto, description: 'Created' })
  @ApiOkResponse({ type: ContactDto, description: 'Updated' })
  @ApiBadRequestResponse({ description: 'Every bad field is named; nothing is written' })
  async upsert(@Body() dto: UpsertContactDto, @Res({ passthrough: true }) response: Response): Promise<ContactDto> {
    const { contact, created } = await this.contacts.upsert(dto);
    response.status(created ? 201 : 200);
    return contact;
  }

  @Post('import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bulk upsert: a JSON array of contacts, or text/csv with a header row (up to 10,000 per call, 20 MB)',
    description:
      'Valid rows land even when others are rejected; each rejected row is reported with its 1-based number. CSV columns email, firstName, lastName, locale, timezone; any other column becomes an attribute.',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    schema: { type: 'array', items: { type: 'object' } },
    examples: {
      json: { value: [{ email: 'ion@example.md', firstName: 'Ion', locale: 'ro', timezone: 'Europe/Chisinau' }] },
      csv: { value: 'email,firstName,locale,timezone,plan\nion@example.md,Ion,ro,Europe/Chisinau,pro\n' },
    },
  })
  @ApiOkResponse({ type: ImportResultDto })
  async import(@Req() request: Request): Promise<ImportResultDto> {
    const { body, contentType } = await readImportBody(request);
    return this.contacts.import(body, contentType);
  }

  @Get()
  @ApiOperation({ summary: 'List contacts, optionally by e-mail or segment (keyset-paginated)' })
  @ApiOkResponse({ type: ContactPageDto })
  list(@Query() query: ListContactsQuery): Promise<Page<ContactDto>> {
    return this.contacts.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactDto })
  @ApiNotFoundResponse()
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ContactDto> {
    return this.contacts.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update some fields; attributes merge (a null value removes a key)' })
  @ApiOkResponse({ type: ContactDto })
  @ApiNotFoundResponse()
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateContactDto): Promise<ContactDto> {
    return this.contacts.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Erase a contact: personal data removed, running enrollments ended, anonymous counts kept',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async erase(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.contacts.erase(id);
  }
}
