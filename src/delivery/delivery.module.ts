import { Module } from '@nestjs/common';
import { ComplaintBreakerModule } from '../complaint-breaker/complaint-breaker.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { ReturnsModule } from '../returns/returns.module.js';
import { SequencesModule } from '../sequences/sequences.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { TrackingModule } from '../tracking/tracking.module.js';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { DeliveryController } from './delivery.controller.js';
import { DeliveryRepository } from './delivery.repository.js';
import { MailTransportLifecycle, mailTransportProvider } from './mail-transport.js';
import { MessageComposer } from './message-composer.js';
import { DeliveryPass } from './delivery-pass.js';
import { SchedulerMetrics } from './scheduler-metrics.js';
import { SchedulerService } from './scheduler.service.js';
import { SendStage } from './send-stage.js';
import { SmtpProbe } from './smtp-probe.js';

/** The delivery engine: the scheduler and its pipeline, the mail transport and the delivery log. */
@Module({
  imports: [SegmentsModule, SequencesModule, TemplatesModule, TrackingModule, ReturnsModule, ComplaintBreakerModule],
  controllers: [DeliveryController],
  providers: [
    DeliveryRepository,
    DeliveryLogRepository,
    SchedulerService,
    SchedulerMetrics,
    DeliveryPass,
    SendStage,
    MessageComposer,
    mailTransportProvider,
    MailTransportLifecycle,
    SmtpProbe,
  ],
})
export class DeliveryModule {}
