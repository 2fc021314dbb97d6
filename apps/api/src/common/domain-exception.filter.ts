import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DomainError } from '@app/vocabulary';
import { ErrorBody } from './error-body';

const STATUS_BY_CODE: Readonly<Record<DomainError['code'], number>> = {
  not_found: HttpStatus.NOT_FOUND,
  invalid_input: HttpStatus.BAD_REQUEST,
  batch_rejected: HttpStatus.BAD_REQUEST,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  graph_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  graph_timeout: HttpStatus.GATEWAY_TIMEOUT,
  stream_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const CODE_BY_HTTP_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/** The HTTP status an error will be answered with. */
export function statusOf(exception: unknown): number {
  if (exception instanceof DomainError) return STATUS_BY_CODE[exception.code];
  if (exception instanceof HttpException) return exception.getStatus();
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

/** Maps every error to one body shape: `{ error, message, details?, correlationId }`. */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: unknown }>();
    const response = http.getResponse<Response>();
    const correlationId = typeof request.id === 'string' ? request.id : randomUUID();
    if (exception instanceof HttpException && request.path.startsWith('/health/')) {
      // Health checks keep the standard terminus body ({ status, info, error, details }).
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const [status, body] = this.describe(exception, correlationId);
    if (status >= 500) {
      this.logger.error({ err: exception, correlationId, path: request.url }, body.message);
    }
    response.status(status).json(body);
  }

  private describe(exception: unknown, correlationId: string): [number, ErrorBody] {
    if (exception instanceof DomainError) {
      const body: ErrorBody = { error: exception.code, message: exception.message, correlationId };
      if (exception.details !== undefined) body.details = exception.details;
      return [STATUS_BY_CODE[exception.code], body];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [
        status,
        {
          error: CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'http_error'),
          message: exception.message,
          correlationId,
        },
      ];
    }
    return [
      HttpStatus.INTERNAL_SERVER_ERROR,
      {
        error: 'internal_error',
        message: `An unexpected error occurred. Quote correlation id ${correlationId} when reporting it.`,
        correlationId,
      },
    ];
  }
}
