import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parse as parseCsv } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, type PageQuery, toPage } from '../common/pagination.js';
import { flattenValidationErrors } from '../common/validation.js';
import { canonicalLocale } from '../common/validators.js';
import type { SqlFragment } from '../database/sql.js';
import { SegmentService } from '../segments/segment.service.js';
import {
  type ContactDto,
  type ImportResultDto,
  type ListContactsQuery,
  type UpdateContactDto,
  UpsertContactDto,
} from './contact.dto.js';
import { type ContactInput, ContactRepository, type ContactRow } from './contact.repository.js';
import { OutboxEraser } from './outbox-eraser.js';
import { ContactErrorCode, ContactException } from './contact.exception.js';

export const MAX_IMPORT_ROWS = 10_000;

export function toContactDto(row: ContactRow): ContactDto {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    locale: row.locale,
    timezone: row.timezone,
    attributes: row.attributes,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toContactInput(dto: UpdateContactDto & { email: string }): ContactInput {
  return {
    email: dto.email.trim(),
    first_name: dto.firstName ?? null,
    last_name: dto.lastName ?? null,
    locale: dto.locale === undefined ? null : (canonicalLocale(dto.locale) ?? null),
    timezone: dto.timezone ?? null,
    attributes: dto.attributes ?? null,
  };
}

/** CSV headers that name contact fields; any other column becomes an attribute (`attributes.` prefix optional). */
const CSV_FIELDS: Record<string, keyof UpsertContactDto> = {
  email: 'email',
  firstname: 'firstName',
  first_name: 'firstName',
  lastname: 'lastName',
  last_name: 'lastName',
  locale: 'locale',
  language: 'locale',
  timezone: 'timezone',
  time_zone: 'timezone',
};

@Injectable()
export class ContactService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly contacts: ContactRepository,
    private readonly segments: SegmentService,
    private readonly outbox: OutboxEraser,
  ) {}

  async upsert(dto: UpsertContactDto): Promise<{ contact: ContactDto; created: boolean }> {
    const { row, inserted } = await this.contacts.upsertOne(toContactInput(dto));
    return { contact: toContactDto(row), created: inserted };
  }

  async get(id: string): Promise<ContactDto> {
    const row = await this.contacts.findById(id);
    if (!row) throw new ContactException(ContactErrorCode.NOT_FOUND, `contact ${id} not found`);
    return toContactDto(row);
  }

  async list(query: ListContactsQuery): Promise<Page<ContactDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2) as [string, string] | undefined;
    const rule = query.segment ? await this.segments.compiledRule(query.segment) : undefined;
    const rows = await this.contacts.findPage({ limit, after, email: query.email, search: query.q, rule });
    return toPage(rows, limit, toContactDto, (row) => [row.cursor_at, row.id]);
  }

  async members(segmentKey: string, query: PageQuery): Promise<Page<ContactDto> & { total: number }> {
    const rule = await this.segments.compiledRule(segmentKey);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2) as [string, string] | undefined;
    const [rows, total] = await Promise.all([
      this.contacts.findPage({ limit, after, rule }),
      this.contacts.countMatching(rule),
    ]);
    return { ...toPage(rows, limit, toContactDto, (row) => [row.cursor_at, row.id]), total };
  }

  /** How many contacts a rule selects now, and the first `sample` of them (a rule being built, not saved). */
  async matching(rule: SqlFragment, sample: number): Promise<{ total: number; sample: ContactDto[] }> {
    const [rows, total] = await Promise.all([
      this.contacts.findPage({ limit: sample, rule }),
      this.contacts.countMatching(rule),
    ]);
    return { total, sample: rows.slice(0, sample).map(toContactDto) };
  }

  async update(id: string, dto: UpdateContactDto): Promise<ContactDto> {
    const patch: Partial<ContactInput> = {
      email: dto.email?.trim(),
      first_name: dto.firstName,
      last_name: dto.lastName,
      locale: dto.locale === undefined ? undefined : canonicalLocale(dto.locale),
      timezone: dto.timezone,
      attributes: dto.attributes,
    };
    let row: ContactRow | undefined;
    try {
      row = await this.contacts.update(id, patch);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ContactException(ContactErrorCode.EMAIL_TAKEN, `another contact already has the email ${dto.email}`);
      }
      throw error;
    }
    if (!row) throw new ContactException(ContactErrorCode.NOT_FOUND, `contact ${id} not found`);
    return toContactDto(row);
  }

  /**
   * One transaction: the outbox files go last, before the commit, so a failure anywhere leaves the contact as it
   * was (and the request can be repeated); files already deleted by then were copies of what was being erased.
   */
  async erase(id: string): Promise<void> {
    const erased = await this.dataSource.transaction(async (manager) => {
      const result = await this.contacts.erase(manager, id);
      if (result) await this.outbox.eraseDeliveries(result.deliveryIds);
      return result !== undefined;
    });
    if (!erased) throw new ContactException(ContactErrorCode.NOT_FOUND, `contact ${id} not found`);
  }

  /**
   * Bulk upsert. Every row is validated like a single upsert; valid rows land in one set-based statement
   * and each bad row is reported with its 1-based number and every reason.
   */
  async import(body: unknown, contentType: string | undefined): Promise<ImportResultDto> {
    const records = contentType?.includes('text/csv') ? this.parseCsv(body) : this.parseJson(body);
    if (records.length > MAX_IMPORT_ROWS) {
      throw new ContactException(ContactErrorCode.IMPORT_INVALID, [
        `at most ${MAX_IMPORT_ROWS} contacts per import call, got ${records.length}`,
      ]);
    }
    const rejected: ImportResultDto['rejected'] = [];
    const accepted: ContactInput[] = [];
    const seen = new Map<string, number>();
    for (const [index, record] of records.entries()) {
      const row = index + 1;
      if ('parseError' in record) {
        rejected.push({ row, errors: [record.parseError] });
        continue;
      }
      const errors = await validateRecord(record.value);
      if (errors.length > 0) {
        rejected.push({ row, errors });
        continue;
      }
      const dto = record.value as UpsertContactDto;
      const key = dto.email.trim().toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        rejected.push({ row, errors: [`email ${dto.email} repeats row ${earlier}`] });
        continue;
      }
      seen.set(key, row);
      accepted.push(toContactInput(dto));
    }
    const { created, updated } = await this.contacts.upsertMany(accepted);
    return { created, updated, rejected };
  }

  private parseJson(body: unknown): Array<{ value: unknown } | { parseError: string }> {
    if (!Array.isArray(body)) {
      throw new ContactException(ContactErrorCode.IMPORT_INVALID, [
        'body must be a JSON array of contacts, or text/csv with a header row',
      ]);
    }
    return body.map((value) => ({ value }));
  }

  private parseCsv(body: unknown): Array<{ value: unknown } | { parseError: string }> {
    if (typeof body !== 'string' || body.trim() === '')
      throw new ContactException(ContactErrorCode.IMPORT_INVALID, ['CSV body is empty']);
    let rows: string[][];
    try {
      rows = parseCsv(body, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
    } catch (error) {
      throw new ContactException(ContactErrorCode.IMPORT_INVALID, [`CSV is malformed: ${(error as Error).message}`]);
    }
    const [header, ...data] = rows;
    const columns = header.map((name) => name.trim());
    const fieldOf = columns.map((name) => CSV_FIELDS[name.toLowerCase()]);
    if (!fieldOf.includes('email'))
      throw new ContactException(ContactErrorCode.IMPORT_INVALID, ['CSV header must have an "email" column']);
    return data.map((cells) => {
      if (cells.length !== columns.length) {
        return { parseError: `has ${cells.length} fields, the header has ${columns.length}` };
      }
      const value: Record<string, unknown> = {};
      const attributes: Record<string, string> = {};
      cells.forEach((cell, index) => {
        if (cell === '') return;
        const field = fieldOf[index];
        if (field) value[field] = cell;
        else attributes[columns[index].replace(/^attributes\./, '')] = cell;
      });
      if (Object.keys(attributes).length > 0) value.attributes = attributes;
      return { value };
    });
  }
}

async function validateRecord(value: unknown): Promise<string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['must be a JSON object'];
  const instance = plainToInstance(UpsertContactDto, value);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  return flattenValidationErrors(errors);
}
