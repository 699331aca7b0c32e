import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { SequencesModule } from '../sequences/sequences.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { EnrollmentListController } from './enrollment-list.controller.js';
import { EnrollmentListRepository } from './enrollment-list.repository.js';
import { EnrollmentListService } from './enrollment-list.service.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { EnrollmentService } from './enrollment.service.js';
import { EnrollmentsController } from './enrollments.controller.js';
import { EventRepository } from './event.repository.js';
import { EventService } from './event.service.js';

/** Enrollments and the events that create and end them. */
@Module({
  imports: [ContactsModule, SegmentsModule, SequencesModule, SettingsModule],
  controllers: [EnrollmentsController, EnrollmentListController],
  providers: [
    EnrollmentRepository,
    EnrollmentService,
    EventRepository,
    EventService,
    EnrollmentListRepository,
    EnrollmentListService,
  ],
  exports: [EnrollmentRepository, EnrollmentService],
})
export class EnrollmentsModule {}
