import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { SchedulerWakeup } from '../wakeup/scheduler-wakeup.js';
import { ContactRepository, type ContactRow } from '../contacts/contact.repository.js';
import { SegmentService } from '../segments/segment.service.js';
import { SequenceService } from '../sequences/sequence.service.js';
import type { SequenceRow } from '../sequences/sequence.repository.js';
import { DEFAULT_TIMEZONE, plannedAt } from '../sequences/schedule.js';
import { nextOpening } from '../delivery/pacing.js';
import { SettingsService } from '../settings/settings.service.js';
import type { CalendarDto } from '../sequences/calendar.dto.js';
import type { EnrollDto, EnrollmentDto, SegmentEnrollmentResultDto } from './enrollment.dto.js';
import { isReachable } from '../lifecycle/enrollment-lifecycle.js';
import { type NotEnrolledReason, refusalMessage } from './enrollment-eligibility.js';
import { EnrollmentRepository, type EnrollmentRow } from './enrollment.repository.js';
import { ContactErrorCode, ContactException } from '../contacts/contact.exception.js';
import { EnrollmentErrorCode, EnrollmentException } from './enrollment.exception.js';

export function toEnrollmentDto(row: EnrollmentRow): EnrollmentDto {
  return {
    id: row.id,
    contactId: row.contact_id,
    sequence: row.sequence_key,
    status: row.status,
    exitReason: row.exit_reason,
    startAt: row.start_at.toISOString(),
    nextStep: row.next_step_key,
    nextDueAt: row.next_due_at ? row.next_due_at.toISOString() : null,
    holdout: row.holdout,
    createdAt: row.created_at.toISOString(),
  };
}

/** The error code of each reason a single enrollment is refused for (all 409). */
const REFUSAL_CODES: Readonly<Record<NotEnrolledReason, EnrollmentErrorCode>> = {
  'contact-status': EnrollmentErrorCode.CONTACT_NOT_ENROLLABLE,
  'already-active': EnrollmentErrorCode.ALREADY_ACTIVE,
  reentry: EnrollmentErrorCode.REENTRY_REFUSED,
  cooldown: EnrollmentErrorCode.REENTRY_COOLDOWN,
  audience: EnrollmentErrorCode.CONTACT_NOT_ENROLLABLE,
};

@Injectable()
export class EnrollmentService {
  constructor(
    private readonly enrollments: EnrollmentRepository,
    private readonly contacts: ContactRepository,
    private readonly sequences: SequenceService,
    private readonly segments: SegmentService,
    private readonly clock: Clock,
    private readonly wakeup: SchedulerWakeup,
    private readonly settings: SettingsService,
  ) {}

  async enroll(sequenceKey: string, dto: EnrollDto): Promise<EnrollmentDto | SegmentEnrollmentResultDto> {
    const targets = [dto.contactId, dto.email, dto.segment].filter((value) => value !== undefined);
    if (targets.length !== 1)
      throw new EnrollmentException(EnrollmentErrorCode.TARGET_INVALID, [
        'give exactly one of contactId, email or segment',
      ]);
    const sequence = await this.sequences.require(sequenceKey);
    if (sequence.status === 'draft' || sequence.status === 'archived') {
      throw new EnrollmentException(
        EnrollmentErrorCode.SEQUENCE_NOT_ENROLLABLE,
        `sequence ${sequenceKey} is ${sequence.status}; only active or paused sequences take enrollments`,
      );
    }
    const startAt = dto.startAt ? new Date(dto.startAt) : this.clock.now();
    if (dto.segment) return this.enrollSegment(sequence, dto.segment, startAt);

    const contact = dto.contactId
      ? await this.contacts.findById(dto.contactId)
      : await this.contacts.findByEmail(dto.email!);
    if (!contact || contact.status === 'erased') {
      throw new ContactException(
        ContactErrorCode.NOT_FOUND,
        dto.contactId ? `contact ${dto.contactId} not found` : `no contact with email ${dto.email}`,
      );
    }
    this.assertEnrollable(contact);
    const outcome = await this.enrollments.enrollOne(contact.id, sequence.id, startAt);
    if (outcome.reason) {
      const message = refusalMessage({ ...outcome, contactId: contact.id, sequence });
      throw new EnrollmentException(REFUSAL_CODES[outcome.reason], message);
    }
    this.wakeup.notify();
    return toEnrollmentDto(outcome.enrollment);
  }

  private async enrollSegment(
    sequence: SequenceRow,
    segmentKey: string,
    startAt: Date,
  ): Promise<SegmentEnrollmentResultDto> {
    const rule = await this.segments.compiledRule(segmentKey);
    const result = await this.enrollments.enrollSegment(sequence.id, startAt, rule);
    if (result.enrolled > 0) this.wakeup.notify();
    return result;
  }

  assertEnrollable(contact: ContactRow): void {
    if (!isReachable(contact.status))
      throw new EnrollmentException(
        EnrollmentErrorCode.CONTACT_NOT_ENROLLABLE,
        `contact ${contact.id} is ${contact.status}`,
      );
  }

  async exit(id: string): Promise<EnrollmentDto> {
    const exit = await this.enrollments.exit(id, this.clock.now());
    if (!exit) throw new EnrollmentException(EnrollmentErrorCode.NOT_FOUND, `enrollment ${id} not found`);
    if (!exit.ended)
      throw new EnrollmentException(
        EnrollmentErrorCode.NOT_ACTIVE,
        `enrollment ${id} is ${exit.row.status}, not active`,
      );
    return toEnrollmentDto(exit.row);
  }

  /**
   * Every current step with its planned time (zone, `at` and send window applied) and what happened. The contact
   * is named by id or by e-mail, exactly one.
   */
  async calendar(sequenceKey: string, target: { contactId?: string; email?: string }): Promise<CalendarDto> {
    if ((target.contactId === undefined) === (target.email === undefined))
      throw new EnrollmentException(EnrollmentErrorCode.TARGET_INVALID, ['give exactly one of contactId or email']);
    const sequence = await this.sequences.require(sequenceKey);
    const contact = target.contactId
      ? await this.contacts.findById(target.contactId)
      : await this.contacts.findByEmail(target.email!);
    if (!contact) {
      throw new ContactException(
        ContactErrorCode.NOT_FOUND,
        target.contactId ? `contact ${target.contactId} not found` : `no contact with email ${target.email}`,
      );
    }
    const contactId = contact.id;
    const enrollment = await this.enrollments.findLatest(contact.id, sequence.id);
    if (!enrollment)
      throw new EnrollmentException(
        EnrollmentErrorCode.NOT_ENROLLED,
        `contact ${contactId} is not enrolled in sequence ${sequenceKey}`,
      );
    const deliveries = new Map(
      (await this.enrollments.deliveriesOf(contact.id, enrollment.id)).map((row) => [row.step_id, row]),
    );
    const zone = contact.timezone ?? sequence.default_timezone ?? DEFAULT_TIMEZONE;
    const settings = sequence.transactional ? undefined : await this.settings.journey();
    const quietDates = settings?.quietDates.length ? new Set(settings.quietDates) : undefined;
    return {
      contactId: contact.id,
      sequence: sequence.key,
      timezone: zone,
      enrollment: {
        id: enrollment.id,
        status: enrollment.status,
        startAt: enrollment.start_at.toISOString(),
        holdout: enrollment.holdout,
      },
      steps: sequence.steps.map((step) => {
        const delivery = deliveries.get(step.id);
        const due = plannedAt(
          enrollment.start_at,
          zone,
          { dayOffset: step.day_offset, at: step.at_time },
          sequence.send_window,
        );
        // A quiet date moves a step as the scheduler will (transactional sequences keep their dates).
        const planned = quietDates ? nextOpening(due, { zone, window: sequence.send_window, quietDates }).at : due;
        const base = { key: step.key, dayOffset: step.day_offset, plannedAt: planned.toISOString() };
        if (delivery) {
          return {
            ...base,
            status: delivery.status,
            ...(delivery.reason ? { reason: delivery.reason } : {}),
            ...(delivery.sent_at ? { sentAt: delivery.sent_at.toISOString() } : {}),
          };
        }
        // A held-out enrollment is sent nothing: its steps are skipped for that reason, whatever its status.
        if (enrollment.holdout) return { ...base, status: 'skipped', reason: 'holdout' };
        // A step the enrollment will never reach, because it ended, is shown as skipped with the exit's reason.
        if (enrollment.status !== 'active')
          return { ...base, status: 'skipped', reason: enrollment.exit_reason ?? enrollment.status };
        return { ...base, status: 'planned' };
      }),
    };
  }
}
