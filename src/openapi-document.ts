import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document of every controller the application has: what /docs serves and what the studio's typed
 * client is generated from (openapi-export.ts), built by this one function so the two cannot differ.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Touchpoint')
      .setDescription('Trigger campaign engine: touchpoint calendars, contacts, events, delivery log and funnel.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY' })
      .addSecurityRequirements('bearer')
      .build(),
  );
}
