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

/**
 * An error of the HTTP layer below Nest (body-parser, raw-body: a body too large, a charset or
 * compression not supported, a request aborted), marked by them as safe to show (`expose`) and
 * carrying a 4xx `status`. Anything else unknown stays a 500.
 */
interface ClientHttpError extends Error {
  status: number;
  expose: true;
  type?: unknown;
  limit?: unknown;
  code?: unknown;
}

export function isClientHttpError(exception: unknown): exception is ClientHttpError {
  if (!(exception instanceof Error)) return false;
  const { status, expose } = exception as Partial<ClientHttpError>;
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
}

function messageOf(error: ClientHttpError): string {
  if (error.status === 413) {
    const limit = typeof error.limit === 'number' ? ` of ${error.limit} bytes` : '';
    return error.type === 'parameters.too.many'
      ? 'The form has too many fields.'
      : `The request body is larger than the limit${limit} (setting BODY_LIMIT; compressed bodies count once unpacked).`;
  }
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return 'The request body could not be unpacked: it does not match its Content-Encoding (gzip, deflate or br).';
  }
  return error.message;
}

/** The HTTP status an error will be answered with. */
export function statusOf(exception: unknown): number {
  if (exception instanceof DomainError) return STATUS_BY_CODE[exception.code];
  if (exception instanceof HttpException) return exception.getStatus();
  if (isClientHttpError(exception)) return exception.status;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

/** A failed health check's answer as @nestjs/terminus gives it: `{ status, info, error, details }`. */
function isHealthCheckResult(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { status, details } = body as { status?: unknown; details?: unknown };
  return (
    (status === 'error' || status === 'ok' || status === 'shutting_down') &&
    typeof details === 'object' &&
    details !== null
  );
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
    if (exception instanceof HttpException && isHealthCheckResult(exception.getResponse())) {
      // Health checks keep the standard terminus body ({ status, info, error, details }); any
      // other error under /health/ (an unknown route, a wrong method) gets the one error shape.
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
      // An HTTP exception may name a more precise code (e.g. `step_up_required`).
      const { errorCode } = exception as { errorCode?: unknown };
      return [
        status,
        {
          error:
            typeof errorCode === 'string'
              ? errorCode
              : (CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'http_error')),
          message: exception.message,
          correlationId,
        },
      ];
    }
    if (isClientHttpError(exception)) {
      return [
        exception.status,
        {
          error: CODE_BY_HTTP_STATUS[exception.status] ?? 'http_error',
          message: messageOf(exception),
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
