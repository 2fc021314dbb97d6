import { Logger } from '@nestjs/common';
import { process as gremlinProcess, structure } from 'gremlin';
import type { GraphConfig } from '@app/settings';
import { GraphUnavailableError } from '@app/vocabulary';
import {
  Bytecode,
  GremlinConnection,
  GremlinConnectionFactory,
  GremlinSerializer,
  wsConnectionFactory,
} from './gremlin-connection';
import { RequestTimeoutError, toGraphError } from './janusgraph.errors';
import {
  BreakerState,
  breakerStateName,
  createGraphPolicies,
  GraphPolicies,
} from './janusgraph.resilience';
import { unwrapTraversers } from './janusgraph.results';
import { DEFAULT_MIXED_INDEX_BACKEND } from './schema/schema.definition';

export type GraphTraversalSource = gremlinProcess.GraphTraversalSource;
export type GraphTraversal = gremlinProcess.GraphTraversal;

/** The settings the client needs: the `graph` namespace (`GraphConfig`) fits. */
export type JanusGraphClientConfig = Pick<
  GraphConfig,
  | 'host'
  | 'port'
  | 'tls'
  | 'tlsRejectUnauthorized'
  | 'username'
  | 'password'
  | 'traversalSource'
  | 'poolSize'
  | 'connectTimeoutMs'
  | 'requestTimeoutMs'
  | 'retryAttempts'
  | 'retryBaseDelayMs'
  | 'breakerThreshold'
  | 'breakerHalfOpenMs'
> &
  // False: every request in GraphSON, `SubmitOptions.binary` ignored (default true).
  // mixedIndexBackend: the schema's mixed-index backend, `none` for composite indexes only
  // (default `search`, see `schemaDefinition`).
  Partial<Pick<GraphConfig, 'binaryRequests' | 'mixedIndexBackend'>>;

export interface JanusGraphClientDependencies {
  /** Builds one connection; the default speaks WebSocket with the driver's GraphSON v3. Tests pass a fake. */
  connectionFactory?: GremlinConnectionFactory;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
  /**
   * Extra time the client waits after the server-side timeout before it gives up itself
   * (default 1 s, so the server's own timeout answer normally wins).
   */
  timeoutGraceMs?: number;
}

export interface SubmitOptions {
  /** What the caller is doing, named in error messages ("upsertVertices", "counts"...). */
  operation?: string;
  /**
   * True (the default) when running the request twice does no harm: reads and our upserts.
   * Only idempotent requests are retried.
   */
  idempotent?: boolean;
  /** Overrides the request timeout (ms) for one slow but legitimate request. */
  timeoutMs?: number;
  /**
   * Send the request as GraphBinary, on connections of their own (see `GRAPHBINARY_V1`): much
   * cheaper for the server to read than GraphSON. Only for bytecode whose answers hold plain
   * values, maps, lists and vertex ids: the driver cannot read JanusGraph's edge ids in
   * GraphBinary, nor write its text predicates. The store's write requests use it. Ignored
   * (GraphSON) when the client was built with `binaryRequests: false`.
   */
  binary?: boolean;
}

const DEFAULT_TIMEOUT_GRACE_MS = 1_000;

/**
 * The one connection to JanusGraph's Gremlin Server: a small pool of WebSocket connections
 * used round-robin, with per-request timeouts, retries of transient failures and a circuit
 * breaker (cockatiel), and driver errors turned into typed domain errors.
 *
 * Queries are BYTECODE traversals built from `client.g` (values travel as typed arguments and
 * are never spliced into a script). `submitScript` exists only for schema management, which
 * the bytecode API cannot express.
 *
 * ```ts
 * const client = new JanusGraphClient(loadAllSettings().graph);
 * await client.open();                       // throws GraphUnavailableError naming host:port
 * const names = await client.submit(client.g.V().has('uid', uid).values('name'));
 * await client.close();
 * ```
 */
export class JanusGraphClient {
  /** `ws://host:port/gremlin` (or `wss://`), named in every connection error. */
  readonly endpoint: string;
  /**
   * A traversal source that is not bound to any connection: traversals built from it are only
   * turned into bytecode and sent with `submit`. Never call `toList()`/`next()` on them.
   */
  readonly g: GraphTraversalSource;

  private readonly connections: GremlinConnection[];
  /** Builds the GraphBinary pool for `binary` requests on first use (none when turned off). */
  private readonly binaryPool: (() => GremlinConnection[]) | undefined;
  private binaryConnections: GremlinConnection[] = [];
  private nextBinaryConnection = 0;
  private readonly policies: GraphPolicies;
  /** The mixed-index backend the schema uses (`JANUSGRAPH_MIXED_INDEX_BACKEND`), or `none`. */
  readonly mixedIndexBackend: string;
  /**
   * Time a request is given (`JANUSGRAPH_REQUEST_TIMEOUT_MS`): sent with each request as Gremlin
   * Server's evaluation timeout, and waited for here a little longer.
   */
  readonly requestTimeoutMs: number;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private readonly timeoutGraceMs: number;
  private nextConnection = 0;
  private state: 'new' | 'open' | 'closed' = 'new';
  private closedConnections = 0;

  constructor(
    private readonly config: JanusGraphClientConfig,
    dependencies: JanusGraphClientDependencies = {},
  ) {
    this.endpoint = `${config.tls ? 'wss' : 'ws'}://${config.host}:${config.port}/gremlin`;
    this.mixedIndexBackend = config.mixedIndexBackend ?? DEFAULT_MIXED_INDEX_BACKEND;
    this.requestTimeoutMs = config.requestTimeoutMs;
    this.logger = dependencies.logger ?? new Logger(JanusGraphClient.name);
    this.timeoutGraceMs = dependencies.timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS;
    this.g = new gremlinProcess.GraphTraversalSource(
      new structure.Graph(),
      new gremlinProcess.TraversalStrategies(),
    );
    const factory = dependencies.connectionFactory ?? wsConnectionFactory;
    const pool = (serializer: GremlinSerializer, name: string): GremlinConnection[] =>
      Array.from({ length: Math.max(1, config.poolSize) }, (_unused, index) => {
        const connection = factory(this.endpoint, {
          traversalSource: config.traversalSource,
          rejectUnauthorized: config.tlsRejectUnauthorized,
          username: config.username,
          password: config.password,
          serializer,
        });
        connection.onClose((code) => {
          this.closedConnections += 1;
          if (this.state === 'open') {
            this.logger.warn(
              `${name} ${index + 1}/${Math.max(1, config.poolSize)} to ${this.endpoint} closed (code ${code}); it reconnects on the next request`,
            );
          }
        });
        return connection;
      });
    this.connections = pool('graphson-v3', 'Connection');
    this.binaryPool =
      config.binaryRequests === false
        ? undefined
        : () => pool('graphbinary-v1', 'GraphBinary connection');
    this.policies = createGraphPolicies(config);
    this.policies.breaker.onBreak(() =>
      this.logger.error(
        `JanusGraph at ${this.endpoint} failed ${config.breakerThreshold} times in a row; circuit breaker open for ${config.breakerHalfOpenMs} ms`,
      ),
    );
    this.policies.breaker.onReset(() =>
      this.logger.log(`JanusGraph at ${this.endpoint} answers again; circuit breaker closed`),
    );
  }

  /** Number of WebSocket connections in the pool. */
  get poolSize(): number {
    return this.connections.length;
  }

  get breakerState(): BreakerState {
    return breakerStateName(this.policies.breaker.state);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Grows by one each time a connection of the pool closes. A cache of what the server said
   * (vertex ids, for example) is dropped when it changes: the server may have restarted, on
   * other data.
   */
  get connectionEpoch(): number {
    return this.closedConnections;
  }

  /**
   * Opens every connection of the pool (each within `connectTimeoutMs`) and runs one trivial
   * traversal to prove the traversal source is bound. Throws `GraphUnavailableError` naming
   * the endpoint when any of it fails; there is no fallback to another backend.
   */
  async open(): Promise<void> {
    if (this.state === 'open') return;
    if (this.state === 'closed') {
      throw new GraphUnavailableError(
        `The JanusGraph client for ${this.endpoint} was closed; create a new one`,
      );
    }
    try {
      await Promise.all(
        this.connections.map((connection) =>
          withTimeout(
            connection.open(),
            this.config.connectTimeoutMs,
            () =>
              new GraphUnavailableError(
                `Could not connect to JanusGraph at ${this.endpoint} within ${this.config.connectTimeoutMs} ms (JANUSGRAPH_CONNECT_TIMEOUT_MS)`,
                { endpoint: this.endpoint },
              ),
          ),
        ),
      );
      const probe = await this.runOnce(
        this.connections[0],
        this.g.inject(1).getBytecode(),
        undefined,
        this.config.connectTimeoutMs,
      );
      if (probe.length !== 1 || probe[0] !== 1) {
        throw new GraphUnavailableError(
          `JanusGraph at ${this.endpoint} answered a probe traversal with unexpected data`,
        );
      }
      await this.probeBinary();
    } catch (error) {
      await this.closeConnections();
      const mapped = toGraphError(error, { endpoint: this.endpoint, operation: 'connect' });
      if (mapped instanceof GraphUnavailableError) throw mapped;
      throw new GraphUnavailableError(
        `JanusGraph at ${this.endpoint} is reachable but refused a probe traversal on traversal source "${this.config.traversalSource}" (${mapped.message}); check JANUSGRAPH_TRAVERSAL_SOURCE`,
        { endpoint: this.endpoint },
        { cause: error },
      );
    }
    this.state = 'open';
    this.logger.log(
      `Connected to JanusGraph at ${this.endpoint} (${this.connections.length} connections)`,
    );
  }

  /** Closes every connection. Safe to call twice; requests after it fail with GraphUnavailableError. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.closeConnections();
  }

  /**
   * Runs a bytecode traversal and resolves to its results (traverser bulks expanded; maps stay
   * `Map`s, see `janusgraph.results.ts` to flatten them). Idempotent requests are retried on
   * transient failures. Failures become GraphUnavailableError, GraphTimeoutError,
   * ConflictError, EntityNotFoundError or JanusGraphQueryError.
   */
  async submit(
    traversal: GraphTraversal | Bytecode,
    options: SubmitOptions = {},
  ): Promise<unknown[]> {
    const bytecode = 'getBytecode' in traversal ? traversal.getBytecode() : traversal;
    return this.execute(bytecode, undefined, options);
  }

  /** The first result of a traversal, or undefined when it has none. */
  async submitOne(
    traversal: GraphTraversal | Bytecode,
    options: SubmitOptions = {},
  ): Promise<unknown> {
    const results = await this.submit(traversal, options);
    return results[0];
  }

  /**
   * Runs a Groovy script with bindings. ONLY for schema management (JanusGraph's management
   * API has no bytecode form). Values must go in `bindings`, never into the script text.
   */
  async submitScript(
    script: string,
    bindings: Readonly<Record<string, unknown>>,
    options: SubmitOptions = {},
  ): Promise<unknown[]> {
    return this.execute(script, bindings, options);
  }

  /** Resolves when the server answers a trivial traversal; throws GraphUnavailableError otherwise. */
  async ping(): Promise<void> {
    const results = await this.submit(this.g.inject(1), { operation: 'ping', idempotent: false });
    if (results.length !== 1 || results[0] !== 1) {
      throw new GraphUnavailableError(
        `JanusGraph at ${this.endpoint} answered a ping with unexpected data`,
      );
    }
  }

  // -------------------------------------------------------------------------------------------

  private async execute(
    message: Bytecode | string,
    bindings: Readonly<Record<string, unknown>> | undefined,
    options: SubmitOptions,
  ): Promise<unknown[]> {
    if (this.state === 'closed') {
      throw new GraphUnavailableError(
        `The JanusGraph client for ${this.endpoint} is closed (the application is shutting down)`,
      );
    }
    const timeoutMs = options.timeoutMs ?? this.config.requestTimeoutMs;
    const policy = options.idempotent === false ? this.policies.once : this.policies.idempotent;
    try {
      const binary = options.binary === true && typeof message !== 'string';
      return await policy.execute(() =>
        this.runOnce(this.pick(binary), message, bindings, timeoutMs),
      );
    } catch (error) {
      throw toGraphError(error, { endpoint: this.endpoint, operation: options.operation });
    }
  }

  /** The GraphBinary pool, built on first use; empty when binary requests are turned off. */
  private binaryPoolConnections(): GremlinConnection[] {
    if (this.binaryConnections.length === 0 && this.binaryPool !== undefined) {
      this.binaryConnections = this.binaryPool();
    }
    return this.binaryConnections;
  }

  /**
   * Probes the GraphBinary pool at open, so that a server without the GraphBinary serializer
   * fails the start with a message saying what to do, not the first write.
   */
  private async probeBinary(): Promise<void> {
    const [connection] = this.binaryPoolConnections();
    if (connection === undefined) return;
    let probe: unknown[] = [];
    let failure: unknown;
    try {
      probe = await this.runOnce(
        connection,
        this.g.inject(1).getBytecode(),
        undefined,
        this.config.connectTimeoutMs,
      );
    } catch (error) {
      failure = error;
    }
    if (failure !== undefined || probe.length !== 1 || probe[0] !== 1) {
      const detail =
        failure === undefined
          ? 'it answered with unexpected data'
          : failure instanceof Error
            ? failure.message
            : 'the request failed';
      throw new GraphUnavailableError(
        `JanusGraph at ${this.endpoint} answers GraphSON requests but not a GraphBinary probe (${detail}); add GraphBinaryMessageSerializerV1 to the server's serializers, or set JANUSGRAPH_BINARY_WRITES=false to send the writes as GraphSON`,
        { endpoint: this.endpoint },
        { cause: failure },
      );
    }
  }

  private pick(binary: boolean): GremlinConnection {
    if (binary && this.binaryPoolConnections().length > 0) {
      const index = this.nextBinaryConnection % this.binaryConnections.length;
      this.nextBinaryConnection = (index + 1) % this.binaryConnections.length;
      return this.binaryConnections[index];
    }
    const connection = this.connections[this.nextConnection % this.connections.length];
    this.nextConnection = (this.nextConnection + 1) % this.connections.length;
    return connection;
  }

  private async runOnce(
    connection: GremlinConnection,
    message: Bytecode | string,
    bindings: Readonly<Record<string, unknown>> | undefined,
    timeoutMs: number,
  ): Promise<unknown[]> {
    let raw: unknown[];
    try {
      raw = await withTimeout(
        connection.submit(message, bindings, { evaluationTimeout: timeoutMs }),
        timeoutMs + this.timeoutGraceMs,
        () => new RequestTimeoutError(timeoutMs),
      );
    } catch (error) {
      if (error instanceof RequestTimeoutError && connection.discard !== undefined) {
        // Not even the server's own time-out answer came back: the connection is likely dead
        // (a partition, or the server now has another address). A fresh one is opened next time.
        this.logger.warn(
          `No answer from ${this.endpoint} within ${timeoutMs + this.timeoutGraceMs} ms; dropping that connection, the next request opens a new one`,
        );
        connection.discard();
      }
      throw error;
    }
    return unwrapTraversers(raw);
  }

  private async closeConnections(): Promise<void> {
    await Promise.all(
      [...this.connections, ...this.binaryConnections].map((connection) =>
        connection.close().catch((error: unknown) => {
          this.logger.warn(`Closing a connection to ${this.endpoint} failed: ${String(error)}`);
        }),
      ),
    );
  }
}

/** Resolves or rejects like `promise`, or rejects with `onTimeout()` after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
