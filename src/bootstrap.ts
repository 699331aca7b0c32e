import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { type AppOptions, AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { applyBodyParsers } from './common/body-parsers.js';
import { assignRequestId } from './common/request-id.js';
import { applySecurity } from './common/security.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { createValidationPipe } from './common/validation.js';
import { applyPublicRateLimit } from './tracking/public-rate-limit.js';

/** Builds the whole application (not yet listening), as `main.ts` and the e2e tests use it. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.use(assignRequestId);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  applySecurity(app, config);
  applyPublicRateLimit(app, config);
  applyBodyParsers(app, config);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
