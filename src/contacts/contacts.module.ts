import { Module } from '@nestjs/common';
import { SegmentRepository } from '../segments/segment.repository.js';
import { SegmentService } from '../segments/segment.service.js';
import { SegmentsController } from '../segments/segments.controller.js';
import { ContactRepository } from './contact.repository.js';
import { ContactService } from './contact.service.js';
import { ContactsController } from './contacts.controller.js';

/** Contacts and the segments over them (segments are rules over the contacts table). */
@Module({
  controllers: [ContactsController, SegmentsController],
  providers: [ContactRepository, ContactService, SegmentRepository, SegmentService],
  exports: [ContactRepository, ContactService, SegmentRepository, SegmentService],
})
export class ContactsModule {}
