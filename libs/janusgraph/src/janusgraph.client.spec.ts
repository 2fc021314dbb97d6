import { process as gremlinProcess } from 'gremlin';
import { ConflictError, GraphTimeoutError, GraphUnavailableError } from '@app/vocabulary';
import type { Bytecode, GremlinConnection, GremlinRequestOptions } from './gremlin-connection';
import { GremlinResponseError } from './gremlin-connection';
import { JanusGraphClient, JanusGraphClientConfig } from './janusgraph.client';
import { JanusGraphQueryError } from './janusgraph.errors';

const { Traverser } = gremlinProcess;

type Answer = (message: Bytecode | string, bindings: unknown) => Promise<unknown[]>;

/** A scripted stand-in for one WebSocket connection: records requests, answers from a queue. */
class FakeConnection implements GremlinConnection {
  readonly requests: {
    message: Bytecode | string;
    bindings: unknown;
    options: GremlinRequestOptions;
  }[] = [];
  answers: Answer[] = [];
  fallback: Answer = () => Promise.resolve([new Traverser(1, 1)]);
  openError: Error | undefined;
  opened = 0;
  closed = 0;
  private open_ = false;

  get isOpen(): boolean {
    return this.open_;
  }

  open(): Promise<void> {
    this.opened += 1;
    if (this.openError) return Promise.reject(this.openError);
    this.open_ = true;
    return Promise.resolve();
  }

  submit(
    message: Bytecode | string,
    bindings: unknown,
    options: GremlinRequestOptions,
  ): Promise<unknown[]> {
    this.requests.push({ message, bindings, options });
    const answer = this.answers.shift() ?? this.fallback;
    return answer(message, bindings);
  }

  close(): Promise<void> {
    this.closed += 1;
    this.open_ = false;
    return Promise.resolve();
  }

  discarded = 0;

  discard(): void {
    this.discarded += 1;
    this.open_ = false;
  }

  onClose(): void {
    // The client only logs closes; nothing to simulate here.
  }
}

const refused = (): Promise<never> =>
  Promise.reject(
    Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:8182'), { code: 'ECONNREFUSED' }),
  );

const config: JanusGraphClientConfig = {
  host: '10.0.0.9',
  port: 8182,
  tls: false,
  tlsRejectUnauthorized: true,
  traversalSource: 'g',
  poolSize: 3,
  connectTimeoutMs: 200,
  requestTimeoutMs: 5000,
  retryAttempts: 3,
  retryBaseDelayMs: 1,
  breakerThreshold: 4,
  breakerHalfOpenMs: 100,
};

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

function makeClient(overrides: Partial<JanusGraphClientConfig> = {}, timeoutGraceMs = 0) {
  const connections: FakeConnection[] = [];
  /** The GraphBinary connections, built apart from the GraphSON pool. */
  const binary: FakeConnection[] = [];
  const client = new JanusGraphClient(
    { ...config, ...overrides },
    {
      logger: silent,
      timeoutGraceMs,
      connectionFactory: (_url, options) => {
        const connection = new FakeConnection();
        (options.serializer === 'graphbinary-v1' ? binary : connections).push(connection);
        return connection;
      },
    },
  );
  const total = (): number => connections.reduce((sum, c) => sum + c.requests.length, 0);
  return { client, connections, binary, total };
}

describe('JanusGraphClient', () => {
  describe('open', () => {
    it('opens every connection of the pool and probes the traversal source once', async () => {
      const { client, connections } = makeClient();
      await client.open();
      expect(connections).toHaveLength(3);
      expect(connections.map((c) => c.opened)).toEqual([1, 1, 1]);
      expect(connections[0].requests).toHaveLength(1);
      expect(client.isOpen).toBe(true);
      expect(client.endpoint).toBe('ws://10.0.0.9:8182/gremlin');
    });

    it('fails loudly with GraphUnavailableError naming host and port when the server cannot be reached', async () => {
      const { client, connections } = makeClient();
      connections.forEach(
        (c) =>
          (c.openError = Object.assign(new Error('connect ECONNREFUSED'), {
            code: 'ECONNREFUSED',
          })),
      );
      const error = await client.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphUnavailableError);
      expect((error as Error).message).toContain('10.0.0.9:8182');
      expect(connections.every((c) => c.closed === 1)).toBe(true);
      expect(client.isOpen).toBe(false);
    });

    it('fails within connectTimeoutMs when the socket never opens', async () => {
      const { client, connections } = makeClient({ connectTimeoutMs: 50 });
      connections[1].open = () => new Promise<void>(() => undefined);
      const error = await client.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphUnavailableError);
      expect((error as Error).message).toContain('within 50 ms');
    });

    it('explains a traversal source the server does not know', async () => {
      const { client, connections } = makeClient();
      connections[0].answers.push(() =>
        Promise.reject(
          new GremlinResponseError(
            499,
            'The traversal source [h] for alias [g] is not configured on the server.',
            undefined,
          ),
        ),
      );
      const error = await client.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphUnavailableError);
      expect((error as Error).message).toContain('JANUSGRAPH_TRAVERSAL_SOURCE');
    });

    it('uses wss:// when TLS is on', () => {
      expect(makeClient({ tls: true }).client.endpoint).toBe('wss://10.0.0.9:8182/gremlin');
    });
  });

  describe('submit', () => {
    it('sends bytecode round-robin over the pool and expands traverser bulks', async () => {
      const { client, connections } = makeClient();
      await client.open();
      connections.forEach((c) => (c.fallback = () => Promise.resolve([new Traverser('v', 2)])));
      for (let i = 0; i < 6; i += 1) {
        await expect(client.submit(client.g.V().has('uid', 'p1').values('name'))).resolves.toEqual([
          'v',
          'v',
        ]);
      }
      // one probe on connection 0 at open, then two requests on each connection
      expect(connections.map((c) => c.requests.length)).toEqual([3, 2, 2]);
      const sent = connections[1].requests[0].message as Bytecode;
      expect(sent.toString()).toContain('uid');
      expect(connections[1].requests[0].options.evaluationTimeout).toBe(5000);
    });

    it('sends binary requests over a GraphBinary pool of its own, probed at open', async () => {
      const { client, connections, binary } = makeClient({ poolSize: 2 });
      await client.open();
      // One probe on the first GraphBinary connection.
      expect(binary.map((c) => c.requests.length)).toEqual([1, 0]);
      for (let i = 0; i < 4; i += 1) {
        await client.submit(client.g.inject(i), { binary: true });
      }
      expect(binary.map((c) => c.requests.length)).toEqual([3, 2]);
      // The GraphSON pool got the probe of open() and nothing else.
      expect(connections.map((c) => c.requests.length)).toEqual([1, 0]);
      // Scripts and requests not marked binary stay GraphSON.
      await client.submitScript('graph.tx().commit()', {});
      await client.submit(client.g.inject(9));
      expect(binary.map((c) => c.requests.length)).toEqual([3, 2]);
      expect(connections.map((c) => c.requests.length)).toEqual([2, 1]);
      await client.close();
      expect([...connections, ...binary].map((c) => c.closed)).toEqual([1, 1, 1, 1]);
    });

    it('fails to open, saying what to set, when the server does not answer GraphBinary', async () => {
      /** A server that answers GraphSON and cannot read GraphBinary. */
      const graphSonOnly = (binaryRequests: boolean) => {
        const binary: FakeConnection[] = [];
        const client = new JanusGraphClient(
          { ...config, poolSize: 1, retryAttempts: 0, binaryRequests },
          {
            logger: silent,
            timeoutGraceMs: 0,
            connectionFactory: (_url, options) => {
              const connection = new FakeConnection();
              if (options.serializer === 'graphbinary-v1') {
                connection.fallback = () =>
                  Promise.reject(new Error('Unreadable answer: Unsupported version 123'));
                binary.push(connection);
              }
              return connection;
            },
          },
        );
        return { client, binary };
      };
      const on = graphSonOnly(true);
      const error = await on.client.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphUnavailableError);
      expect((error as Error).message).toMatch(
        /not a GraphBinary probe \(Unreadable answer: Unsupported version 123\).*JANUSGRAPH_BINARY_WRITES=false/,
      );
      expect(on.binary[0].closed).toBe(1);
      // With binary requests turned off the same server opens, and takes writes as GraphSON.
      const off = graphSonOnly(false);
      await expect(off.client.open()).resolves.toBeUndefined();
      await expect(off.client.submit(off.client.g.inject(1), { binary: true })).resolves.toEqual([
        1,
      ]);
      expect(off.binary).toHaveLength(0);
    });

    it('sends everything as GraphSON when binary requests are turned off', async () => {
      const { client, connections, binary } = makeClient({ poolSize: 1, binaryRequests: false });
      await client.submit(client.g.inject(1), { binary: true });
      expect(binary).toHaveLength(0);
      expect(connections[0].requests).toHaveLength(1);
    });

    it('passes a per-request timeout to the server', async () => {
      const { client, connections } = makeClient({ poolSize: 1 });
      await client.submit(client.g.inject(1), { timeoutMs: 1234 });
      expect(connections[0].requests[0].options.evaluationTimeout).toBe(1234);
    });

    it('sends scripts with their bindings (schema management)', async () => {
      const { client, connections } = makeClient({ poolSize: 1 });
      connections[0].fallback = () => Promise.resolve(['done']);
      await expect(
        client.submitScript('graph.openManagement()', { specJson: '{}' }),
      ).resolves.toEqual(['done']);
      expect(connections[0].requests[0]).toMatchObject({
        message: 'graph.openManagement()',
        bindings: { specJson: '{}' },
      });
    });

    it('retries a transient failure of an idempotent request with backoff and then succeeds', async () => {
      const { client, connections, total } = makeClient({ poolSize: 1 });
      connections[0].answers.push(refused, refused, () => Promise.resolve([new Traverser(42, 1)]));
      await expect(client.submit(client.g.inject(42))).resolves.toEqual([42]);
      expect(total()).toBe(3);
    });

    it('gives up after retryAttempts retries with a typed error', async () => {
      const { client, connections, total } = makeClient({
        poolSize: 1,
        retryAttempts: 2,
        breakerThreshold: 10,
      });
      connections[0].fallback = () =>
        Promise.reject(
          new GremlinResponseError(
            500,
            'x',
            new Map([['exceptions', ['TemporaryLockingException']]]),
          ),
        );
      await expect(
        client.submit(client.g.inject(1), { operation: 'upsertEdges' }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(total()).toBe(3);
    });

    it('does not retry a request marked as not idempotent', async () => {
      const { client, connections, total } = makeClient({ poolSize: 1 });
      connections[0].fallback = refused;
      await expect(client.submit(client.g.inject(1), { idempotent: false })).rejects.toBeInstanceOf(
        GraphUnavailableError,
      );
      expect(total()).toBe(1);
    });

    it('does not retry a rejected traversal, which stays a JanusGraphQueryError', async () => {
      const { client, connections, total } = makeClient({ poolSize: 1 });
      connections[0].fallback = () =>
        Promise.reject(new GremlinResponseError(597, 'No signature of method', undefined));
      const error = await client
        .submit(client.g.inject(1), { operation: 'counts' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JanusGraphQueryError);
      expect((error as Error).message).toBe(
        'counts: JanusGraph rejected the request: Server error: No signature of method (597)',
      );
      expect(total()).toBe(1);
    });

    it('times out a request that gets no answer and does not retry it', async () => {
      const { client, connections, total } = makeClient({ poolSize: 1, requestTimeoutMs: 30 });
      connections[0].fallback = () => new Promise<unknown[]>(() => undefined);
      await expect(client.submit(client.g.inject(1))).rejects.toBeInstanceOf(GraphTimeoutError);
      expect(total()).toBe(1);
    });

    it('drops a connection that let a request time out, and the next request goes through', async () => {
      const { client, connections } = makeClient({ poolSize: 1, requestTimeoutMs: 30 });
      await client.open();
      connections[0].fallback = () => new Promise<unknown[]>(() => undefined);
      await expect(client.submit(client.g.inject(1))).rejects.toBeInstanceOf(GraphTimeoutError);
      expect(connections[0].discarded).toBe(1);
      expect(connections[0].isOpen).toBe(false);
      // The server answers again (on a new address, after a partition): the client reopens.
      connections[0].fallback = () => Promise.resolve([new Traverser(7, 1)]);
      await expect(client.submit(client.g.inject(7))).resolves.toEqual([7]);
    });

    it('keeps the connection when the server itself answers with an error', async () => {
      const { client, connections } = makeClient({ poolSize: 1, retryAttempts: 0 });
      connections[0].fallback = refused;
      await expect(client.submit(client.g.inject(1))).rejects.toBeInstanceOf(GraphUnavailableError);
      expect(connections[0].discarded).toBe(0);
    });

    it('opens the breaker after breakerThreshold consecutive failures, fails fast, then recovers', async () => {
      const { client, connections, total } = makeClient({
        poolSize: 1,
        retryAttempts: 0,
        breakerThreshold: 2,
        breakerHalfOpenMs: 100,
      });
      connections[0].fallback = refused;
      await expect(client.submit(client.g.inject(1))).rejects.toBeInstanceOf(GraphUnavailableError);
      await expect(client.submit(client.g.inject(1))).rejects.toBeInstanceOf(GraphUnavailableError);
      expect(client.breakerState).toBe('open');

      const fast = await client.submit(client.g.inject(1)).catch((e: unknown) => e);
      expect(fast).toBeInstanceOf(GraphUnavailableError);
      expect((fast as Error).message).toMatch(/circuit breaker is open/);
      expect(total()).toBe(2);

      connections[0].fallback = () => Promise.resolve([new Traverser(1, 1)]);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await expect(client.submit(client.g.inject(1))).resolves.toEqual([1]);
      expect(client.breakerState).toBe('closed');
    });

    it('does not count conflicts against the breaker', async () => {
      const { client, connections } = makeClient({
        poolSize: 1,
        retryAttempts: 0,
        breakerThreshold: 1,
      });
      connections[0].fallback = () =>
        Promise.reject(
          new GremlinResponseError(500, 'violates a uniqueness constraint', undefined),
        );
      await expect(client.submit(client.g.inject(1))).rejects.toBeInstanceOf(ConflictError);
      expect(client.breakerState).toBe('closed');
    });
  });

  describe('ping and close', () => {
    it('ping resolves on the expected answer and reports unreachability as GraphUnavailableError', async () => {
      const { client, connections } = makeClient({ poolSize: 1, retryAttempts: 0 });
      await expect(client.ping()).resolves.toBeUndefined();
      connections[0].fallback = refused;
      await expect(client.ping()).rejects.toBeInstanceOf(GraphUnavailableError);
    });

    it('closes every connection once and refuses requests afterwards', async () => {
      const { client, connections } = makeClient();
      await client.open();
      await client.close();
      await client.close();
      expect(connections.map((c) => c.closed)).toEqual([1, 1, 1]);
      await expect(client.submit(client.g.inject(1))).rejects.toBeInstanceOf(GraphUnavailableError);
      await expect(client.open()).rejects.toThrow(/was closed/);
    });
  });
});
