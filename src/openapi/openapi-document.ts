import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * The OpenAPI document served at `/docs` (and `/docs/openapi.json`): the routes' own decorators, plus what no
 * decorator says. The server is this exchange (its advertised URL, or relative to the document), and a route
 * without a bearer key (public market data, health, metrics, signed cluster calls) says so with `security: []`.
 */
export function openApiDocument(app: INestApplication, advertisedUrl: string | null): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('GPU-hour exchange')
      .setDescription('The public REST API (see PROTOCOL.md)')
      .setVersion('1')
      .addServer(advertisedUrl ?? '/', advertisedUrl ? 'this exchange' : 'the exchange serving this document')
      .addBearerAuth()
      .build(),
  );
  for (const path of Object.values(document.paths))
    for (const method of METHODS) {
      const operation = path[method];
      if (operation && !operation.security) operation.security = [];
    }
  return document;
}
