import { randomUUID } from 'node:crypto';
import { driver, process as gremlinProcess, structure } from 'gremlin';
import { graphBinaryReader, graphBinaryWriter } from 'gremlin/lib/structure/io/binary/GraphBinary';
import WebSocket from 'ws';
import { janusGraphPredicateSerializer } from './gremlin-dsl';

/*
 * The narrow seam between this library and Gremlin Server: one WebSocket connection that sends
 * a bytecode traversal or a Groovy script and resolves to the raw result items. Unit tests
 * replace it with a fake.
 *
 * Why not the driver's own `Client`: gremlin 3.7.4 opens its socket through dynamic `import()`
 * calls (`import('ws')`, `import('node:os')` for the user agent), which fail inside Jest's VM
 * unless Node runs with --experimental-vm-modules, and its open() cannot be cancelled, so a
 * connect timeout would leave the socket dangling. This class speaks the same protocol with the
 * driver's own parts: its GraphSON v3 writer and reader (bytecode, typed values), its SASL
 * PLAIN authenticator, and the `ws` package the driver itself uses.
 */

export type Bytecode = gremlinProcess.Bytecode;

/** GraphSON v3: the only serialisation the JS driver reads JanusGraph's custom ids in. */
export const GRAPHSON_V3 = 'application/vnd.gremlin-v3.0+json';

/**
 * GraphBinary v1: far cheaper for Gremlin Server to read than GraphSON (in the graph-load
 * benchmark, reading GraphSON write requests took about a quarter of the server's CPU, most of
 * it Jackson looking up a deserializer for every key and value of every map). The JS driver
 * cannot read JanusGraph's own types in it (edge ids, `JanusGraphP` predicates), so only
 * requests without them may use it (see `SubmitOptions.binary`).
 */
export const GRAPHBINARY_V1 = 'application/vnd.graphbinary-v1.0';

/** How a connection encodes its requests; the server answers in the same format. */
export type GremlinSerializer = 'graphson-v3' | 'graphbinary-v1';

export interface GremlinRequestOptions {
  /** Server-side evaluation timeout in ms (the server aborts the traversal after it). */
  evaluationTimeout: number;
}

export interface GremlinConnection {
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** Sends bytecode (a traversal) or a Groovy script with bindings; resolves to the raw items. */
  submit(
    message: Bytecode | string,
    bindings: Readonly<Record<string, unknown>> | undefined,
    options: GremlinRequestOptions,
  ): Promise<unknown[]>;
  /** Closes the socket (also one that is still connecting); pending requests fail. */
  close(): Promise<void>;
  /** Called when an open connection closes (code and reason from the server, if any). */
  onClose(listener: (code: number, reason: string) => void): void;
  /**
   * Drops the socket at once, without the closing handshake (its pending requests fail), so the
   * next request opens a fresh one. For a connection that stopped answering: after a network
   * partition or an address change the old TCP connection can look open for a long time.
   */
  discard?(): void;
}

export interface GremlinConnectionOptions {
  traversalSource: string;
  /**
   * GraphSON v3 (the default) or GraphBinary v1. Gremlin Server answers a connection in the
   * format of its last request, so one connection keeps to one format.
   */
  serializer?: GremlinSerializer;
  rejectUnauthorized: boolean;
  username?: string;
  password?: string;
}

export type GremlinConnectionFactory = (
  url: string,
  options: GremlinConnectionOptions,
) => GremlinConnection;

/** An error status from Gremlin Server, shaped like the driver's `ResponseError`. */
export class GremlinResponseError extends Error {
  constructor(
    readonly statusCode: number,
    readonly statusMessage: string,
    readonly statusAttributes: unknown,
  ) {
    super(`Server error: ${statusMessage} (${statusCode})`);
    this.name = 'ResponseError';
  }
}

/** The socket closed while a request was waiting for its answer. */
export class ConnectionClosedError extends Error {
  readonly code = 'ECONNRESET';
  constructor(detail: string) {
    super(`Connection has been closed (${detail})`);
    this.name = 'ConnectionClosedError';
  }
}

interface ResponseMessage {
  requestId?: string | null;
  status: { code: number; message?: string; attributes?: unknown };
  result?: { data?: unknown };
}

interface RequestWriter {
  writeRequest(request: {
    requestId: string;
    op: string;
    processor: string;
    args: Record<string, unknown>;
  }): Buffer;
}

interface ResponseReader {
  readResponse(buffer: Buffer): ResponseMessage;
}

interface SaslAuthenticator {
  evaluateChallenge(challenge: unknown): Promise<Record<string, unknown>>;
}

interface Pending {
  items: unknown[];
  resolve: (items: unknown[]) => void;
  reject: (error: Error) => void;
}

const STATUS = {
  success: 200,
  noContent: 204,
  partialContent: 206,
  authenticationChallenge: 407,
} as const;

const USER_AGENT = `graph-banking-analytics Gremlin-Javascript.3.7 ${process.version} ${process.platform} ${process.arch}`;

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** One Gremlin Server WebSocket connection (GraphSON v3 or GraphBinary v1, sessionless requests). */
export class WsGremlinConnection implements GremlinConnection {
  private socket: WebSocket | undefined;
  private opening: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly closeListeners: ((code: number, reason: string) => void)[] = [];
  private readonly writer: RequestWriter;
  private readonly reader: ResponseReader;
  private readonly mimeType: string;
  private readonly header: Buffer;
  private readonly authenticator: SaslAuthenticator | undefined;

  constructor(
    private readonly url: string,
    private readonly options: GremlinConnectionOptions,
  ) {
    if (options.serializer === 'graphbinary-v1') {
      this.mimeType = GRAPHBINARY_V1;
      this.writer = graphBinaryWriter;
      this.reader = graphBinaryReader as ResponseReader;
    } else {
      this.mimeType = GRAPHSON_V3;
      // With JanusGraph's own predicates (full-text search) as janusgraph:JanusGraphP.
      this.writer = new structure.io.GraphSONWriter({
        serializers: { 'janusgraph:JanusGraphP': janusGraphPredicateSerializer },
      }) as unknown as RequestWriter;
      this.reader = new structure.io.GraphSONReader() as unknown as ResponseReader;
    }
    this.header = Buffer.concat([Buffer.from([this.mimeType.length]), Buffer.from(this.mimeType)]);
    this.authenticator =
      options.username !== undefined && options.username !== ''
        ? new driver.auth.PlainTextSaslAuthenticator(options.username, options.password ?? '')
        : undefined;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    if (this.opening) return this.opening;
    const socket = new WebSocket(this.url, {
      headers: { 'User-Agent': USER_AGENT },
      rejectUnauthorized: this.options.rejectUnauthorized,
      perMessageDeflate: false,
    });
    this.socket = socket;
    const opening = new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        if (this.socket === socket) this.socket = undefined;
        reject(error);
      };
      socket.once('open', () => {
        settled = true;
        resolve();
      });
      socket.once('error', fail);
      socket.once('unexpected-response', (_request, response) => {
        fail(
          new Error(
            `Unexpected server response ${response.statusCode ?? '?'} while opening ${this.url}`,
          ),
        );
        socket.terminate();
      });
      socket.once('close', (code) =>
        fail(new ConnectionClosedError(`closed while connecting, code ${code}`)),
      );
    });
    socket.on('message', (data) => this.handleMessage(toBuffer(data)));
    socket.on('error', () => {
      // 'close' follows every 'error'; pending requests are failed there.
    });
    socket.on('close', (code, reason) => this.handleClose(socket, code, reason.toString()));
    this.opening = opening.finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  async submit(
    message: Bytecode | string,
    bindings: Readonly<Record<string, unknown>> | undefined,
    options: GremlinRequestOptions,
  ): Promise<unknown[]> {
    await this.open();
    const requestId = randomUUID();
    const request =
      typeof message === 'string'
        ? {
            requestId,
            op: 'eval',
            processor: '',
            args: {
              gremlin: message,
              bindings: bindings ?? {},
              language: 'gremlin-groovy',
              accept: this.mimeType,
              aliases: { g: this.options.traversalSource },
              evaluationTimeout: options.evaluationTimeout,
            },
          }
        : {
            requestId,
            op: 'bytecode',
            processor: 'traversal',
            args: {
              gremlin: message,
              aliases: { g: this.options.traversalSource },
              evaluationTimeout: options.evaluationTimeout,
            },
          };
    return new Promise<unknown[]>((resolve, reject) => {
      this.pending.set(requestId, { items: [], resolve, reject });
      this.send(request, reject);
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close();
    });
  }

  onClose(listener: (code: number, reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  discard(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.socket = undefined;
    this.failAll(new ConnectionClosedError('dropped after a request got no answer in time'));
    socket.terminate();
  }

  private send(
    request: { requestId: string; op: string; processor: string; args: Record<string, unknown> },
    reject: (error: Error) => void,
  ): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      this.pending.delete(request.requestId);
      reject(new ConnectionClosedError('not open when sending'));
      return;
    }
    socket.send(Buffer.concat([this.header, this.writer.writeRequest(request)]), (error) => {
      if (error) {
        this.pending.delete(request.requestId);
        reject(error);
      }
    });
  }

  private handleMessage(frame: Buffer): void {
    let response: ResponseMessage;
    try {
      response = this.reader.readResponse(frame);
    } catch (error) {
      this.failAll(new Error(`Unreadable answer from ${this.url}: ${String(error)}`));
      return;
    }
    const requestId =
      typeof response.requestId === 'string' ? response.requestId.toLowerCase() : undefined;
    const pending = requestId === undefined ? undefined : this.pending.get(requestId);
    if (requestId === undefined || pending === undefined) {
      if (requestId === undefined && response.status.code >= 400) {
        // The server could not even read a request id (a serialisation problem): fail them all.
        this.failAll(
          new GremlinResponseError(
            response.status.code,
            response.status.message ?? '',
            response.status.attributes,
          ),
        );
      }
      return;
    }
    const { code } = response.status;
    if (code === STATUS.authenticationChallenge) {
      this.answerChallenge(requestId, pending, response.result?.data);
      return;
    }
    if (code >= 400) {
      this.pending.delete(requestId);
      pending.reject(
        new GremlinResponseError(code, response.status.message ?? '', response.status.attributes),
      );
      return;
    }
    const items = response.result?.data;
    if (Array.isArray(items)) pending.items.push(...(items as unknown[]));
    if (code === STATUS.partialContent) return;
    this.pending.delete(requestId);
    pending.resolve(code === STATUS.noContent ? [] : pending.items);
  }

  private answerChallenge(requestId: string, pending: Pending, challenge: unknown): void {
    if (this.authenticator === undefined) {
      this.pending.delete(requestId);
      pending.reject(
        new GremlinResponseError(
          401,
          'the server requires authentication; set JANUSGRAPH_USERNAME and JANUSGRAPH_PASSWORD',
          undefined,
        ),
      );
      return;
    }
    this.authenticator
      .evaluateChallenge(challenge)
      .then((args) =>
        this.send(
          { requestId, op: 'authentication', processor: 'traversal', args },
          pending.reject,
        ),
      )
      .catch((error: unknown) => {
        this.pending.delete(requestId);
        pending.reject(error instanceof Error ? error : new Error(String(error)));
      });
  }

  private handleClose(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.failAll(new ConnectionClosedError(`code ${code}${reason ? `, ${reason}` : ''}`));
    for (const listener of this.closeListeners) listener(code, reason);
  }

  private failAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const request of waiting) request.reject(error);
  }
}

export const wsConnectionFactory: GremlinConnectionFactory = (url, options) =>
  new WsGremlinConnection(url, options);
