import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { clientErrorResponse } from './client-errors';

/** How the HTTP server bounds what one client can hold (see `limitConnections`). */
export interface ConnectionLimitOptions {
  /** A connection with no byte sent or received for this long is closed; 0 = never. */
  idleTimeoutMs: number;
  /** Open connections one client address may hold; 0 = no cap. */
  maxPerAddress: number;
}

/**
 * Bounds what one client can hold of the HTTP server, so that a few hostile or broken clients
 * cannot exhaust it (an outside load review found neither bound):
 *
 * - **Idle connections.** Node closes a connection whose request is slow to arrive
 *   (`requestTimeout`) but never one that stopped reading its answer: the answer then waits in
 *   memory for good. A connection with no byte in either direction for `idleTimeoutMs` is
 *   closed, with a warning in the log.
 * - **Connections per address.** Beyond `maxPerAddress` open connections from one address, a
 *   new connection is answered 429 in the API's error shape and closed at once, before any
 *   request on it is read. The rate limits count requests, not connections: thousands of
 *   connections that send nothing passed them. Node's HTTP parser is attached to every
 *   connection, so a request that arrived on a refused connection before it closed could still
 *   be parsed: the returned middleware (to be the first) drops such a request unread.
 *
 * Returns that middleware.
 */
export function limitConnections(
  server: Server,
  options: ConnectionLimitOptions,
  logger = new Logger('HttpServer'),
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  const refused = new WeakSet<Socket>();
  if (options.idleTimeoutMs > 0) {
    server.timeout = options.idleTimeoutMs;
    server.on('timeout', (socket: Socket) => {
      logger.warn(
        `Closed a connection from ${socket.remoteAddress ?? 'an unknown address'}: nothing was sent or received on it for ${options.idleTimeoutMs / 1000} s (HTTP_IDLE_TIMEOUT_SECONDS); a client that stopped reading or never sent, or a request whose answer took longer than that (raise the setting if so)`,
      );
      socket.destroy();
    });
  }
  if (options.maxPerAddress > 0) {
    const open = new Map<string, number>();
    server.prependListener('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? '';
      const count = (open.get(address) ?? 0) + 1;
      if (count > options.maxPerAddress) {
        const correlationId = randomUUID();
        logger.warn(
          `Refused a connection from ${address}: it holds ${options.maxPerAddress} open connections already (HTTP_MAX_CONNECTIONS_PER_ADDRESS), correlationId ${correlationId}`,
        );
        refused.add(socket);
        socket.end(
          clientErrorResponse(
            {
              status: 429,
              error: 'too_many_connections',
              message: `Your address holds ${options.maxPerAddress} open connections to this server already, the most it takes from one address: reuse them (keep-alive) or close some before opening more.`,
            },
            correlationId,
          ),
        );
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  }
  return (request, _response, next) => {
    if (refused.has(request.socket)) {
      request.socket.destroy();
      return;
    }
    next();
  };
}
