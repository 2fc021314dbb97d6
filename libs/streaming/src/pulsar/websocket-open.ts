import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { StreamUnavailableError } from '@app/vocabulary';

/**
 * A failed connection to the broker. `retryable` is false when the broker answered and refused
 * (HTTP 4xx on the WebSocket upgrade: bad parameters, unknown namespace, no permission), true
 * when it could not be reached or failed on its side (network error, timeout, HTTP 5xx).
 */
export class StreamConnectError extends StreamUnavailableError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, { retryable, status }, options);
  }
}

export interface OpenSocketOptions {
  url: string;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Attached before the socket opens: Pulsar starts pushing frames right away. */
  onMessage: (text: string) => void;
  /**
   * How often an open connection is checked (a WebSocket ping; any frame from the broker counts
   * as an answer). After two checks in a row without an answer the connection is dropped, which
   * its owner sees as a closed connection (a consumer reconnects; a producer's unconfirmed
   * messages fail and are sent again). Default `DEFAULT_KEEP_ALIVE_MS`; 0 turns the check off.
   */
  keepAliveMs?: number;
}

/** Default interval of the connection check (`OpenSocketOptions.keepAliveMs`). */
export const DEFAULT_KEEP_ALIVE_MS = 10_000;

/** Checks without an answer after which a connection is taken for dead. */
const KEEP_ALIVE_MISSES = 2;

/** Connections the check dropped, so their owners can say why they closed. */
const deadConnections = new WeakSet<WebSocket>();

/** True when the connection check closed `socket` because the broker stopped answering. */
export function droppedAsDead(socket: WebSocket): boolean {
  return deadConnections.has(socket);
}

/**
 * Drops a connection whose path died without a word: after a network partition that healed with
 * a new address, or a broker host that vanished, the TCP connection still looks open on this
 * side, no frame ever arrives again, and the broker has long forgotten the consumer. Without this
 * check such a consumer waits forever while reporting itself connected.
 */
function keepAlive(socket: WebSocket, intervalMs: number): void {
  if (intervalMs <= 0) return;
  let misses = 0;
  const answered = (): void => {
    misses = 0;
  };
  socket.on('pong', answered);
  socket.on('message', answered);
  const timer = setInterval(() => {
    // Run after this turn's I/O: an answer that arrived while the event loop was busy counts.
    setImmediate(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (misses >= KEEP_ALIVE_MISSES) {
        deadConnections.add(socket);
        socket.terminate();
        return;
      }
      misses += 1;
      socket.ping();
    });
  }, intervalMs);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}

/** Jetty's error page carries the reason in its title ("Error 404 Namespace not found"). */
function reasonOf(status: number, body: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = (title ?? body)
    .replace(/&quot;/g, '"')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .replace(/^Error \d+\s*/, '')
    .trim();
  return text === '' ? `HTTP ${status}` : `HTTP ${status}: ${text.slice(0, 500)}`;
}

/** Where a URL points, without query parameters (they may be long), for error messages. */
export function shortUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** The TCP (or TLS) connection under each open WebSocket, from its HTTP upgrade. */
const connections = new WeakMap<WebSocket, Socket>();
/** WebSockets whose connection holds its writes until the end of the current event-loop turn. */
const holding = new WeakSet<WebSocket>();

/**
 * Lets every frame written to `socket` in the current event-loop turn leave in one system call:
 * the connection is corked now and uncorked once the turn's other callbacks have run. A
 * producer sending a window of messages, or a consumer acknowledging a batch, then costs one
 * write instead of one per frame (on loopback each write also runs the receiver's TCP path, so
 * per-frame writes cost more than the rest of the client). Order is kept; frames only leave a
 * few microseconds later.
 */
function coalesceWrites(socket: WebSocket): void {
  const connection = connections.get(socket);
  if (!connection || holding.has(socket)) return;
  holding.add(socket);
  connection.cork();
  setImmediate(() => {
    holding.delete(socket);
    connection.uncork();
  });
}

/** Opens a WebSocket; every failure becomes a `StreamConnectError` that says what happened. */
export function openSocket(options: OpenSocketOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const where = shortUrl(options.url);
    let done = false;
    const socket = new WebSocket(options.url, {
      headers: { ...options.headers },
      handshakeTimeout: options.timeoutMs,
      // ws compresses every frame by default; Pulsar's small JSON frames gain little and the
      // compression (zlib, a few at a time) cost the client most of its throughput.
      perMessageDeflate: false,
    });
    socket.once('upgrade', (response: IncomingMessage) => {
      connections.set(socket, response.socket);
    });
    socket.on('message', (data: WebSocket.RawData) => {
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(new Uint8Array(data));
      options.onMessage(bytes.toString('utf8'));
    });
    const fail = (error: StreamConnectError): void => {
      if (done) return;
      done = true;
      socket.removeAllListeners('open');
      socket.terminate();
      reject(error);
    };
    socket.once('open', () => {
      if (done) return;
      done = true;
      keepAlive(socket, options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 20_000) body += chunk;
      });
      response.on('end', () =>
        fail(
          new StreamConnectError(
            `Pulsar refused the WebSocket connection to ${where}: ${reasonOf(status, body)}`,
            status >= 500 || status === 429,
            status,
          ),
        ),
      );
      response.on('error', () =>
        fail(new StreamConnectError(`Pulsar refused ${where} with HTTP ${status}`, true, status)),
      );
    });
    socket.on('error', (error: Error) =>
      fail(
        new StreamConnectError(
          `Cannot connect to Pulsar at ${where}: ${error.message}`,
          true,
          undefined,
          { cause: error },
        ),
      ),
    );
  });
}

/**
 * Sends one text frame; resolves when it is written to the socket. Frames sent in the same
 * event-loop turn are written together (see `coalesceWrites`).
 */
export function sendFrame(socket: WebSocket, frame: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== WebSocket.OPEN) {
      reject(new StreamConnectError('The connection to Pulsar is closed', true));
      return;
    }
    coalesceWrites(socket);
    socket.send(JSON.stringify(frame), (error?: Error) => {
      if (error) {
        reject(
          new StreamConnectError(`Could not write to Pulsar: ${error.message}`, true, undefined, {
            cause: error,
          }),
        );
      } else {
        resolve();
      }
    });
  });
}

/** Closes a socket politely and resolves when it is closed (terminates it after a while). */
export function closeSocket(socket: WebSocket, waitMs = 2_000): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, waitMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'closing');
    else socket.terminate();
  });
}
