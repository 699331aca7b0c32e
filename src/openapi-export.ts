import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { loadConfig } from './config/app-config.js';
import { buildOpenApiDocument } from './openapi-document.js';

/**
 * The OpenAPI document without a database or a listening server: Nest's preview mode resolves the module graph
 * and reads the controllers' metadata but instantiates no provider, so nothing connects or starts. The config is
 * a development one built from an empty environment: the document does not depend on the machine that builds it.
 * The studio's build turns it into its typed API client (scripts/studio-schema.js).
 */
export async function exportOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule.forRoot(loadConfig({ NODE_ENV: 'development' })), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
