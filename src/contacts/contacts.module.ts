import { Module } from '@nestjs/common';
import { SegmentsModule } from '../segments/segments.module.js';
import { TrackingModule } from '../tracking/tracking.module.js';
import { AddressHasher } from './address-hasher.js';
import { ContactRepository } from './contact.repository.js';
import { ContactService } from './contact.service.js';
import { ContactsController } from './contacts.controller.js';
import { OutboxEraser } from './outbox-eraser.js';
import { SegmentMembersController } from './segment-members.controller.js';
import { SegmentPreviewController } from './segment-preview.controller.js';
import { SuppressionRepository } from './suppression.repository.js';

/**
 * Contacts (listed whole or by a segment's rule) and the suppression list that outlives erased contacts, whose
 * address hashes are keyed by tracking's TokenService secret.
 */
@Module({
  imports: [SegmentsModule, TrackingModule],
  controllers: [ContactsController, SegmentMembersController, SegmentPreviewController],
  providers: [ContactRepository, ContactService, AddressHasher, SuppressionRepository, OutboxEraser],
  exports: [ContactRepository, ContactService],
})
export class ContactsModule {}
