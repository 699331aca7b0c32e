import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking/tracking.module.js';
import { BounceListener } from './bounce-listener.js';
import { FeedbackRepository } from './feedback.repository.js';
import { ReturnedMailService } from './returned-mail.service.js';
import { ReturnPath } from './return-path.js';
import { WebhooksController } from './webhooks.controller.js';

/**
 * Bounces and complaints that come back after the send: per-delivery return paths (VERP, used by the message
 * composer), the inbound SMTP listener for DSN and ARF reports, and the provider webhooks. What they do to a
 * contact is the lifecycle's rule (returned-mail.repository.ts), the same as for a bounce at send time.
 */
@Module({
  imports: [TrackingModule],
  controllers: [WebhooksController],
  providers: [ReturnPath, FeedbackRepository, ReturnedMailService, BounceListener],
  exports: [ReturnPath],
})
export class ReturnsModule {}
