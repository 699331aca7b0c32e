import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PREVIEW_FRAME_CSP, PREVIEW_FRAME_HTML } from './preview-frame.js';

/** The template editor's preview frame (preview-frame.ts): static, no data, no key needed. */
@ApiExcludeController()
@Controller()
export class PreviewFrameController {
  @Get('studio/preview-frame')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PREVIEW_FRAME_CSP)
  @Header('X-Frame-Options', 'SAMEORIGIN')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return PREVIEW_FRAME_HTML;
  }
}
