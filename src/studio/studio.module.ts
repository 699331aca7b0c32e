import { Module } from '@nestjs/common';
import { DashboardRedirectController } from './dashboard-redirect.controller.js';
import { PreviewFrameController } from './preview-frame.controller.js';
import { StudioController } from './studio.controller.js';

@Module({ controllers: [StudioController, PreviewFrameController, DashboardRedirectController] })
export class StudioModule {}
