import { driver, process as gremlinProcess } from 'gremlin';

/*
 * The narrow seam between this library and the `gremlin` npm driver: one WebSocket connection
 * that can send a bytecode traversal or a Groovy script and return the raw result items.
 * Unit tests replace it with a fake; everything else goes through the real driver.
 */

export type Bytecode = gremlinProcess.Bytecode;

/** GraphSON v3: the only serialisation the JS driver reads JanusGraph's custom ids in. */
export const GRAPHSON_V3 = 'application/vnd.gremlin-v3.0+json';

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
  close(): Promise<void>;
  /** Registers a listener for connection-level events ("close", "socketError", "log"). */
  on(event: 'close' | 'socketError' | 'log', listener: (...args: unknown[]) => void): void;
}

export interface GremlinConnectionOptions {
  traversalSource: string;
  rejectUnauthorized: boolean;
  username?: string;
  password?: string;
}

export type GremlinConnectionFactory = (
  url: string,
  options: GremlinConnectionOptions,
) => GremlinConnection;

/** The shape of the driver's `Client` as used here (its typings are `any`-based). */
interface DriverClient {
  readonly isOpen: boolean;
  open(): Promise<void>;
  submit(
    message: Bytecode | string,
    bindings?: unknown,
    requestOptions?: unknown,
  ): Promise<unknown>;
  close(): Promise<void>;
  addListener(event: string, handler: (...args: unknown[]) => void): void;
}

interface ResultSetLike {
  toArray(): unknown[];
}

function isResultSet(value: unknown): value is ResultSetLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toArray?: unknown }).toArray === 'function'
  );
}

/**
 * A connection through the official driver's `Client`: GraphSON v3, credentials through
 * SASL PLAIN when a username is set, certificate checking as configured. Always passing
 * `rejectUnauthorized` makes the driver use the `ws` package (not a global WebSocket), which
 * is the implementation the driver's error handling expects.
 */
export const driverConnectionFactory: GremlinConnectionFactory = (url, options) => {
  const authenticator =
    options.username !== undefined && options.username !== ''
      ? new driver.auth.PlainTextSaslAuthenticator(options.username, options.password ?? '')
      : undefined;
  const client = new driver.Client(url, {
    traversalSource: options.traversalSource,
    mimeType: GRAPHSON_V3,
    rejectUnauthorized: options.rejectUnauthorized,
    authenticator,
  }) as DriverClient;
  return {
    get isOpen(): boolean {
      return client.isOpen;
    },
    open: () => client.open(),
    submit: async (message, bindings, requestOptions) => {
      const result = await client.submit(message, bindings ?? null, {
        evaluationTimeout: requestOptions.evaluationTimeout,
      });
      return isResultSet(result) ? result.toArray() : [];
    },
    close: () => client.close(),
    on: (event, listener) => client.addListener(event, listener),
  };
};
