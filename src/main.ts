import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { SwaggerModule } from '@nestjs/swagger';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { newApiKey } from './auth/api-keys';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { SafeInputPipe } from './common/safe-input.pipe';
import { ConfigError, loadConfig } from './config/app-config';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { LeaderElection } from './leadership/leader-election';
import { trustedProxy } from './common/client-address';
import type { NextFunction, Request, Response } from 'express';
import { openApiDocument } from './openapi/openapi-document';

const logger = new Logger('Exchange');
/** What a node answers before it serves: the probes. */
const STANDBY_PATHS = new Set(['/health', '/ready', '/metrics']);

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const embedded = config.database.url
    ? null
    : await EmbeddedPostgres.start(join(config.database.dataDir, 'pg'));
  const adminKey = config.auth.adminApiKey ?? newApiKey();
  if (!config.auth.adminApiKey) {
    // Printed once, on purpose: the only way to learn a generated key. Never logged anywhere else.
    process.stdout.write(`\nADMIN_API_KEY not set: generated admin key for this run: ${adminKey}\n\n`);
  }
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      config,
      databaseUrl: config.database.url ?? (embedded as EmbeddedPostgres).url,
      databaseConnections: embedded ? EmbeddedPostgres.maxConnections : 20,
      adminKey,
    }),
    // The raw body too: a cluster's callback is verified against the exact bytes it signed.
    { bodyParser: true, rawBody: true, bufferLogs: true },
  );
  app.useLogger(app.get(PinoLogger));
  if (embedded) logger.log(`no DATABASE_URL: embedded PostgreSQL (PGlite) under ${config.database.dataDir}`);
  app.useBodyParser('json', { limit: '64kb' });
  // `req.ip` (rate limits, key allowlists) is the client named by the trusted proxies' X-Forwarded-For.
  app.set('trust proxy', trustedProxy(config.http.trustProxy));
  const election = app.get(LeaderElection);
  // A node that serves nothing yet (taking over, or a follower still catching up with the leader's stream)
  // answers the probes only, and the load balancer (which checks /ready) sends clients elsewhere.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (election.serving || STANDBY_PATHS.has(req.path)) return next();
    res
      .status(503)
      .json({ error: { code: 'UNAVAILABLE', message: 'this node is not serving yet; try another node' } });
  });
  app.useGlobalPipes(
    new SafeInputPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
    }),
  );
  app.useGlobalFilters(new ApiExceptionFilter());
  // The gateway reads frames itself (the protocol's `op` messages), so the adapter's own router is switched off.
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, openApiDocument(app, config.advertisedUrl), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  // The trader's page (web/, built by `npm run build` into dist/web) at `/`.
  app.useStaticAssets(join(__dirname, '..', 'web'), { index: 'index.html', fallthrough: true });
  if (embedded) app.getHttpServer().on('close', () => void embedded.stop());
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const url = `http://${config.http.host}:${typeof address === 'object' ? address?.port : address}`;
  election.address = config.advertisedUrl ?? url;
  logger.log(`listening on ${url} as ${election.role}`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(2);
  }
  // Logs are buffered until the application exists; one that failed to start prints what it had, then why.
  Logger.flush();
  process.stderr.write(
    `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exit(1);
});
