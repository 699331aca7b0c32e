import { Module } from '@nestjs/common';
import { SegmentRepository } from '../segments/segment.repository.js';
import { SegmentService } from '../segments/segment.service.js';
import { SegmentsController } from '../segments/segments.controller.js';
import { TokenService } from '../tracking/token.service.js';
import { AddressHasher } from './address-hasher.js';
import { ContactRepository } from './contact.repository.js';
import { ContactService } from './contact.service.js';
import { ContactsController } from './contacts.controller.js';
import { OutboxEraser } from './outbox-eraser.js';
import { SuppressionRepository } from './suppression.repository.js';

/**
 * Contacts and the segments over them (segments are rules over the contacts table), and the suppression list that
 * outlives erased contacts. TokenService is here for its secret, which keys the suppression list's hashes.
 */
@Module({
  controllers: [ContactsController, SegmentsController],
  providers: [
    ContactRepository,
    ContactService,
    SegmentRepository,
    SegmentService,
    TokenService,
    AddressHasher,
    SuppressionRepository,
    OutboxEraser,
  ],
  exports: [ContactRepository, ContactService, SegmentRepository, SegmentService],
})
export class ContactsModule {}
