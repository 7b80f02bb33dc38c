import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { errorDescription, errorSchema, errorSchemaName, ref } from '../common/api-responses';
import { RESPONSE_SCHEMAS } from './schemas';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * The OpenAPI document served at `/docs` (and `/docs/openapi.json`): the routes' own decorators, plus what no
 * decorator says. The server is this exchange (its advertised URL, or relative to the document), and a route
 * without a bearer key (public market data, health, metrics, signed cluster calls) says so with `security: []`.
 * Every route also documents the errors any route can give (see `commonErrors`), with PROTOCOL.md's envelope.
 */
export function openApiDocument(app: INestApplication, advertisedUrl: string | null): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('GPU-hour exchange')
      .setDescription('The public REST API (see PROTOCOL.md)')
      .setVersion('1')
      .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
      .addServer(advertisedUrl ?? '/', advertisedUrl ? 'this exchange' : 'the exchange serving this document')
      .addBearerAuth()
      .build(),
  );
  const statuses = new Set<number>();
  for (const [path, item] of Object.entries(document.paths))
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      if (!operation.security) operation.security = [];
      for (const status of commonErrors(path, operation))
        operation.responses[status] ??= {
          description: errorDescription(status),
          content: { 'application/json': { schema: ref(errorSchemaName(status)) } },
        };
      for (const status of Object.keys(operation.responses))
        if (Number(status) >= 400) statuses.add(Number(status));
    }
  const errors = Object.fromEntries([...statuses].sort().map((s) => [errorSchemaName(s), errorSchema(s)]));
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...RESPONSE_SCHEMAS, ...errors },
  };
  return document;
}

/**
 * The errors a route can give whatever it does: 400 for a malformed request (413 for a body too large), 401
 * and 403 behind a key, 404 for what a path names, 429 past the rate limits, 500 for a bug, and 503 when the
 * database is unreachable, the writer sheds load or a node is not serving yet.
 */
function commonErrors(path: string, operation: OperationObject): number[] {
  const statuses = [400, 429, 500, 503];
  if (operation.requestBody) statuses.push(413);
  if (operation.security?.length) statuses.push(401, 403);
  if (path.includes('{')) statuses.push(404);
  return statuses;
}
