import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SchedulerWakeup } from '../wakeup/scheduler-wakeup.js';
import { ContactRepository, type ContactRow } from '../contacts/contact.repository.js';
import { toContactInput } from '../contacts/contact.service.js';
import { compileRule, type Rule } from '../segments/segment-rule.js';
import { SegmentRepository } from '../segments/segment.repository.js';
import { SequenceRepository } from '../sequences/sequence.repository.js';
import { type SqlFragment, sqlFragment } from '../database/sql.js';
import type { EventDto, EventResultDto, NotEnrolledDto } from './enrollment.dto.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { EventRepository } from './event.repository.js';
import { ContactErrorCode, ContactException } from '../contacts/contact.exception.js';
import { EnrollmentErrorCode, EnrollmentException } from './enrollment.exception.js';

@Injectable()
export class EventService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly contacts: ContactRepository,
    private readonly sequences: SequenceRepository,
    private readonly segments: SegmentRepository,
    private readonly enrollments: EnrollmentRepository,
    private readonly events: EventRepository,
    private readonly clock: Clock,
    private readonly wakeup: SchedulerWakeup,
  ) {}

  /**
   * Stores the event and applies it in one transaction: conversions end running enrollments (exits
   * first), then the event enrolls the contact into every active or paused sequence it triggers whose audience the
   * contact is in and whose re-entry rule admits it, with day 0 = occurredAt and the event as its trigger (its
   * properties reach the templates); each sequence that did not enroll it is listed with the reason. A repeated
   * idempotency key changes nothing.
   */
  async ingest(dto: EventDto): Promise<EventResultDto> {
    if ((dto.email === undefined) === (dto.contactId === undefined)) {
      throw new EnrollmentException(EnrollmentErrorCode.TARGET_INVALID, ['give exactly one of email or contactId']);
    }
    if (dto.contact && dto.contactId)
      throw new EnrollmentException(EnrollmentErrorCode.TARGET_INVALID, ['contact fields can only come with email']);
    const occurredAt = dto.occurredAt ? new Date(dto.occurredAt) : this.clock.now();

    const result = await this.dataSource.transaction(async (manager): Promise<EventResultDto> => {
      const contact = await this.resolveContact(manager, dto);
      const eventId = await this.events.insert(manager, {
        contactId: contact.id,
        name: dto.name,
        occurredAt,
        properties: dto.properties ?? {},
        idempotencyKey: dto.idempotencyKey ?? null,
      });
      if (!eventId) {
        // Only a repeated idempotency key stores nothing, so the key is there.
        const earlier = await this.events.findByIdempotencyKey(manager, contact.id, dto.idempotencyKey!);
        return {
          eventId: earlier!,
          contactId: contact.id,
          duplicate: true,
          enrolled: [],
          converted: [],
          notEnrolled: [],
        };
      }

      const converted = await this.enrollments.convert(
        manager,
        contact.id,
        { id: eventId, name: dto.name, occurredAt },
        this.clock.now(),
      );
      const enrolled: string[] = [];
      const notEnrolled: NotEnrolledDto[] = [];
      for (const sequence of await this.sequences.findLiveByTrigger(dto.name, manager)) {
        const outcome = await this.enrollments.enrollOne(contact.id, sequence.id, occurredAt, {
          db: manager,
          triggerEventId: eventId,
          audience: await this.audience(manager, sequence.audience_segment_id),
        });
        if (outcome.enrollment) enrolled.push(sequence.key);
        else notEnrolled.push({ sequence: sequence.key, reason: outcome.reason });
      }
      return {
        eventId,
        contactId: contact.id,
        duplicate: false,
        enrolled,
        converted: converted.map((row) => row.sequence_key),
        notEnrolled,
      };
    });
    // Only after the commit: the scheduler must see the new enrollments.
    if (result.enrolled.length > 0) this.wakeup.notify();
    return result;
  }

  private async resolveContact(manager: EntityManager, dto: EventDto): Promise<ContactRow> {
    if (dto.contactId) {
      const contact = await this.contacts.findById(dto.contactId, manager);
      if (!contact) throw new ContactException(ContactErrorCode.NOT_FOUND, `contact ${dto.contactId} not found`);
      return contact;
    }
    const { row } = await this.contacts.upsertOne(toContactInput({ ...dto.contact, email: dto.email! }), manager);
    return row;
  }

  /**
   * The sequence's audience as a condition on `contacts c`, checked in the enrollment's own statement (reason
   * `audience`); a segment that no longer exists admits nobody. Reads through the transaction's own connection:
   * the embedded database serves one connection at a time.
   */
  private async audience(manager: EntityManager, segmentId: string | null): Promise<SqlFragment | undefined> {
    if (!segmentId) return undefined;
    const segment = await this.segments.findById(segmentId, manager);
    return segment ? compileRule(segment.rule as Rule, 'c') : sqlFragment('false');
  }
}
