import { Module } from '@nestjs/common';
import { ComplaintBreakerRepository } from './complaint-breaker.repository.js';
import { ComplaintBreaker } from './complaint-breaker.service.js';

/** The complaint breaker, checked by the scheduler after each pass. */
@Module({
  providers: [ComplaintBreakerRepository, ComplaintBreaker],
  exports: [ComplaintBreaker],
})
export class ComplaintBreakerModule {}
