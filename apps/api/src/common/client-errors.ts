import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CORRELATION_HEADER } from '@app/observability';
import type { ErrorBody } from './error-body';

/** What a request that Node refuses before it reaches the API is answered with. */
interface ClientErrorAnswer {
  status: number;
  error: string;
  message: string;
}

/**
 * The answer to a request that Node's HTTP parser refused (`clientError`): headers larger than
 * Node takes (`--max-http-header-size`, 16 KiB by default), a request that took too long to
 * arrive, or bytes that are not HTTP/1.1.
 */
export function clientErrorAnswer(code: string | undefined): ClientErrorAnswer {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      error: 'request_header_fields_too_large',
      message:
        'The request line and headers are larger than this server takes (16 KiB in all): shorten the URL (a long query string? send long inputs in a POST body instead) or send fewer or shorter headers (a long cookie, or a token pasted twice?).',
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      error: 'request_timeout',
      message:
        'The request did not arrive in time: its headers and body must be sent within the server’s request timeout.',
    };
  }
  return {
    status: 400,
    error: 'invalid_input',
    message: `The request is not valid HTTP/1.1 (${code ?? 'unreadable'}): check the request line, the headers and the body's framing (Content-Length or chunked).`,
  };
}

/** The raw HTTP/1.1 response for `answer`, in the API's one error shape, closing the connection. */
export function clientErrorResponse(answer: ClientErrorAnswer, correlationId: string): string {
  const body: ErrorBody = { error: answer.error, message: answer.message, correlationId };
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    `${CORRELATION_HEADER}: ${correlationId}\r\n` +
    'Connection: close\r\n\r\n' +
    json
  );
}

/**
 * Requests Node refuses before Nest sees them (headers too large, a timeout, malformed HTTP)
 * were answered by Node with a bare status line and no body. They now get the API's one error
 * shape `{ error, message, correlationId }` too, and a warning in the log with that id.
 */
export function answerClientErrors(server: Server, logger = new Logger('HttpServer')): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection the client already closed or reset has no one to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswer(error.code);
    const correlationId = randomUUID();
    logger.warn(
      `Refused a request before reading it: ${answer.status} ${answer.error} (${error.code ?? error.message}), correlationId ${correlationId}`,
    );
    socket.end(clientErrorResponse(answer, correlationId));
  });
}
