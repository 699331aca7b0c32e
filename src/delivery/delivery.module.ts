import { Module } from '@nestjs/common';
import { ComplaintBreakerModule } from '../complaint-breaker/complaint-breaker.module.js';
import { ExperimentsModule } from '../experiments/experiments.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { ReturnsModule } from '../returns/returns.module.js';
import { SequencesModule } from '../sequences/sequences.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { TrackingModule } from '../tracking/tracking.module.js';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { DeliveryController } from './delivery.controller.js';
import { DeliveryRepository } from './delivery.repository.js';
import { MailTransportLifecycle, mailTransportProvider } from './mail-transport.js';
import { MessageComposer } from './message-composer.js';
import { DeliveryPass } from './delivery-pass.js';
import { PacingGate } from './pacing-gate.js';
import { PacingRepository } from './pacing.repository.js';
import { SchedulerMetrics } from './scheduler-metrics.js';
import { SchedulerService } from './scheduler.service.js';
import { SendStage } from './send-stage.js';
import { SmtpProbe } from './smtp-probe.js';
import { ResendController } from './resend.controller.js';
import { ResendRepository } from './resend.repository.js';
import { ResendService } from './resend.service.js';
import { TestSendController } from './test-send.controller.js';
import { TestSendService } from './test-send.service.js';

/** The delivery engine: the scheduler and its pipeline, the mail transport and the delivery log. */
@Module({
  imports: [
    SegmentsModule,
    SequencesModule,
    SettingsModule,
    TemplatesModule,
    TrackingModule,
    ReturnsModule,
    ComplaintBreakerModule,
    ExperimentsModule,
  ],
  controllers: [DeliveryController, ResendController, TestSendController],
  providers: [
    DeliveryRepository,
    DeliveryLogRepository,
    SchedulerService,
    SchedulerMetrics,
    DeliveryPass,
    SendStage,
    PacingGate,
    PacingRepository,
    MessageComposer,
    mailTransportProvider,
    MailTransportLifecycle,
    SmtpProbe,
    ResendRepository,
    ResendService,
    TestSendService,
  ],
})
export class DeliveryModule {}
