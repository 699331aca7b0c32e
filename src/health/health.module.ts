import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';

/** GET /health. It reads the SMTP transport's state through ModuleRef, so it works with or without delivery. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
