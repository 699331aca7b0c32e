import { Injectable } from '@nestjs/common';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, toPage } from '../common/pagination.js';
import { ContactErrorCode, ContactException } from '../contacts/contact.exception.js';
import { ContactRepository } from '../contacts/contact.repository.js';
import { SequenceService } from '../sequences/sequence.service.js';
import type { EnrollmentDto } from './enrollment.dto.js';
import type { ListEnrollmentsQuery, ListEventsQuery, StoredEventDto } from './enrollment-list.dto.js';
import { EnrollmentListRepository, type EventRow } from './enrollment-list.repository.js';
import { toEnrollmentDto } from './enrollment.service.js';

function toStoredEventDto(row: EventRow): StoredEventDto {
  return {
    id: row.id,
    name: row.name,
    occurredAt: row.occurred_at.toISOString(),
    properties: row.properties,
    idempotencyKey: row.idempotency_key,
    receivedAt: row.received_at.toISOString(),
  };
}

/**
 * Lists for the studio: a sequence's or a contact's enrollments, a contact's events. A filter naming a sequence
 * or contact that does not exist is a 404 (as `GET /v1/contacts?segment=` is), not an empty page that would
 * hide a typo.
 */
@Injectable()
export class EnrollmentListService {
  constructor(
    private readonly lists: EnrollmentListRepository,
    private readonly sequences: SequenceService,
    private readonly contacts: ContactRepository,
  ) {}

  async enrollments(query: ListEnrollmentsQuery): Promise<Page<EnrollmentDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2) as [string, string] | undefined;
    const sequenceId = query.sequence ? (await this.sequences.require(query.sequence)).id : undefined;
    if (query.contactId) await this.requireContact(query.contactId);
    const rows = await this.lists.findEnrollments({
      limit,
      after,
      sequenceId,
      contactId: query.contactId,
      status: query.status,
    });
    return toPage(rows, limit, toEnrollmentDto, (row) => [row.cursor_at, row.id]);
  }

  async events(query: ListEventsQuery): Promise<Page<StoredEventDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2) as [string, string] | undefined;
    await this.requireContact(query.contactId);
    const rows = await this.lists.findEvents({ limit, after, contactId: query.contactId });
    return toPage(rows, limit, toStoredEventDto, (row) => [row.cursor_at, row.id]);
  }

  private async requireContact(id: string): Promise<void> {
    if (!(await this.contacts.findById(id))) {
      throw new ContactException(ContactErrorCode.NOT_FOUND, `contact ${id} not found`);
    }
  }
}
