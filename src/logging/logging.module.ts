import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { Principal } from '../auth/principal';
import type { LoggingConfig } from '../config/app-config';

/** A request id a client or a load balancer may send (`x-request-id`); anything else gets a fresh one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Probes that would drown the log. */
/** Probes, and the commands followers forward (each is logged where its client's request came in). */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics', '/internal/v1/commands']);

/**
 * Structured logs through pino: one JSON object a line (`LOG_FORMAT=json`, the default when stdout is not a
 * terminal), or pino-pretty's one-line text on a terminal. Every line of a request carries its `reqId` (sent back
 * as `x-request-id`); its completion line carries the `accountId` of the key that made it. Credentials never
 * appear: request lines carry no headers and no bodies.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: LoggingConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.level,
            ...(config.format === 'pretty'
              ? {
                  transport: { target: 'pino-pretty', options: { singleLine: true, colorize: config.color } },
                }
              : {}),
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            customProps: (req: IncomingMessage) => {
              const principal = (req as IncomingMessage & { principal?: Principal }).principal;
              return principal?.accountId ? { accountId: principal.accountId } : {};
            },
            autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
            // The request line and the status: no headers (credentials, signatures) and no bodies.
            serializers: {
              req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
                remoteAddress: req.remoteAddress,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
    };
  }
}
