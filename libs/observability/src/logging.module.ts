import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, appSettings } from '@app/settings';
import { correlationIdFor, CORRELATION_HEADER } from './correlation';

/** Paths whose values must never reach a log line (PII, account numbers, credentials). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.apiKey',
  '*.accountNumber',
  '*.iban',
  '*.dateOfBirth',
  '*.email',
  '*.phone',
];

/**
 * Structured JSON logs through nestjs-pino: one line per request with a correlation id,
 * redaction of secrets and personal data, health checks left out of request logs.
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
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
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
                req: (req: { id: unknown; method: unknown; url: unknown }) => ({
                  id: req.id,
                  method: req.method,
                  url: req.url,
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
