import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { SequencesModule } from '../sequences/sequences.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { TokenService } from '../tracking/token.service.js';
import { TrackingController } from '../tracking/tracking.controller.js';
import { TrackingRepository } from '../tracking/tracking.repository.js';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { DeliveryController } from './delivery.controller.js';
import { DeliveryRepository } from './delivery.repository.js';
import { MailTransportLifecycle, mailTransportProvider } from './mail-transport.js';
import { MessageComposer } from './message-composer.js';
import { DeliveryPass } from './delivery-pass.js';
import { SchedulerMetrics } from './scheduler-metrics.js';
import { SchedulerService } from './scheduler.service.js';
import { SendStage } from './send-stage.js';

/** The delivery engine (scheduler, sender, delivery log) and what the emails link back to (tracking, unsubscribe). */
@Module({
  imports: [ContactsModule, TemplatesModule, SequencesModule],
  controllers: [DeliveryController, TrackingController],
  providers: [
    DeliveryRepository,
    DeliveryLogRepository,
    SchedulerService,
    SchedulerMetrics,
    DeliveryPass,
    SendStage,
    MessageComposer,
    TokenService,
    TrackingRepository,
    mailTransportProvider,
    MailTransportLifecycle,
  ],
  exports: [SchedulerService, TokenService],
})
export class DeliveryModule {}
