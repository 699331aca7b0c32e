import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { type AppOptions, AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { applySecurity } from './common/security.js';
import { createValidationPipe } from './common/validation.js';

const FORBIDDEN_JSON_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Refuses prototype-pollution keys anywhere in a JSON body, before any code sees the object. */
export function rejectDangerousKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_JSON_KEYS.has(key)) throw new ForbiddenJsonKeyError(key);
  return value;
}

export class ForbiddenJsonKeyError extends Error {
  constructor(key: string) {
    super(`body must not use the key "${key}"`);
  }
}

/** Paths that take large bodies (bulk import); everything else is capped at 1 MB. */
const LARGE_BODY_PATHS = ['/v1/contacts/import'];

/** Builds the whole application (not yet listening), as `main.ts` and the e2e tests use it. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  applySecurity(app, config);
  app.use(
    LARGE_BODY_PATHS,
    express.json({ limit: '20mb', reviver: rejectDangerousKeys }),
    express.text({ type: 'text/csv', limit: '20mb' }),
  );
  app.use(express.json({ limit: '1mb', reviver: rejectDangerousKeys }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Touchpoint')
      .setDescription('Trigger campaign engine: touchpoint calendars, contacts, events, delivery log and funnel.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
