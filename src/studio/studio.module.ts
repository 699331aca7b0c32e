import { Module } from '@nestjs/common';
import { PreviewFrameController } from './preview-frame.controller.js';
import { StudioController } from './studio.controller.js';

@Module({ controllers: [StudioController, PreviewFrameController] })
export class StudioModule {}
