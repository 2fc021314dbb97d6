import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, appSettings } from '@app/settings';
import { correlationIdFor, CORRELATION_HEADER } from './correlation';
import { REDACTED, REDACTED_PATHS, redactUrl } from './redaction';

/**
 * Structured JSON logs through nestjs-pino: one line per request with a correlation id,
 * redaction of secrets and personal data (`REDACTED_PATHS`; secret query parameters are cut out
 * of logged URLs), health checks left out of request logs.
 */
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [appSettings.KEY],
          useFactory: (app: AppConfig) => ({
            pinoHttp: {
              level: app.logLevel,
              redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
              genReqId: (req: IncomingMessage, res: ServerResponse) => {
                const id = correlationIdFor(req);
                res.setHeader(CORRELATION_HEADER, id);
                return id;
              },
              customProps: (req: IncomingMessage) => ({ correlationId: req.id }),
              autoLogging: {
                ignore: (req: IncomingMessage) =>
                  (req.url ?? '').startsWith('/health') || (req.url ?? '') === '/metrics',
              },
              serializers: {
                // The URL without secrets: a key sent in the query string is refused, and not logged.
                req: (req: { id: unknown; method: unknown; url: unknown }) => ({
                  id: req.id,
                  method: req.method,
                  url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
                }),
              },
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
