import { Global, Module } from '@nestjs/common';
import { SchedulerWakeup } from './scheduler-wakeup.js';
import { WakeupListener } from './wakeup-listener.js';
import { WakeupRepository } from './wakeup.repository.js';

/** Wake-ups of the schedulers when due work is created: in this process, and across instances (LISTEN/NOTIFY). */
@Global()
@Module({
  providers: [SchedulerWakeup, WakeupRepository, WakeupListener],
  exports: [SchedulerWakeup],
})
export class WakeupModule {}
