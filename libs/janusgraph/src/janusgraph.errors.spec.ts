import { BrokenCircuitError } from 'cockatiel';
import {
  ConflictError,
  EntityNotFoundError,
  GraphTimeoutError,
  GraphUnavailableError,
  InvalidInputError,
} from '@app/vocabulary';
import { ConnectionClosedError, GremlinResponseError } from './gremlin-connection';
import {
  classifyGraphError,
  countsForBreaker,
  isRetryable,
  JanusGraphQueryError,
  RequestTimeoutError,
  toGraphError,
} from './janusgraph.errors';

const context = { endpoint: 'ws://graph.example:8182/gremlin', operation: 'upsertVertices' };

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:8182`), { code });
}

function serverError(
  code: number,
  message: string,
  exceptions: string[] = [],
): GremlinResponseError {
  return new GremlinResponseError(
    code,
    message,
    new Map<string, unknown>([['exceptions', exceptions]]),
  );
}

/**
 * What JanusGraph on a two-node Cassandra (replication factor 2, writes at QUORUM) answered to a
 * write of new vertices once node 2 was killed: the classes list ends in TemporaryBackendException,
 * and only the stack trace says why (abridged from the real answer).
 */
function lockWriteRefused(): GremlinResponseError {
  return new GremlinResponseError(
    500,
    'Could not commit transaction due to exception during persistence',
    new Map<string, unknown>([
      [
        'exceptions',
        [
          'org.janusgraph.core.JanusGraphException',
          'org.janusgraph.diskstorage.locking.TemporaryLockingException',
          'org.janusgraph.diskstorage.TemporaryBackendException',
        ],
      ],
      [
        'stackTrace',
        [
          'org.janusgraph.core.JanusGraphException: Could not commit transaction due to exception during persistence',
          '\tat org.janusgraph.graphdb.transaction.StandardJanusGraphTx.commit(StandardJanusGraphTx.java:1569)',
          'Caused by: org.janusgraph.diskstorage.locking.TemporaryLockingException: Temporary locking failure',
          '\t... 12 more',
          'Caused by: org.janusgraph.diskstorage.TemporaryBackendException: Lock write retry count exceeded',
          '\t... 19 more',
        ].join('\n'),
      ],
    ]),
  );
}

describe('classifyGraphError', () => {
  it.each([
    ['connection refused', socketError('ECONNREFUSED'), 'unavailable'],
    ['connection reset', socketError('ECONNRESET'), 'unavailable'],
    ['socket closed under a request', new ConnectionClosedError('code 1006'), 'unavailable'],
    ['open circuit breaker', new BrokenCircuitError(), 'unavailable'],
    [
      'a server shutting down: the graph closed, requests still answered',
      serverError(500, 'Graph has been closed', ['java.lang.IllegalStateException']),
      'unavailable',
    ],
    [
      'a server whose request queue is full (429, as a real Gremlin Server answers when more requests wait than its maxWorkQueueSize)',
      serverError(429, 'Rate limiting'),
      'busy',
    ],
    [
      'BerkeleyDB JE out of disk space (the failed commit a real JanusGraph answered when the free space fell under je.freeDisk)',
      serverError(500, 'Could not commit transaction due to exception during persistence', [
        'org.janusgraph.core.JanusGraphException',
        'org.janusgraph.core.JanusGraphException',
        'org.janusgraph.diskstorage.PermanentBackendException',
        'com.sleepycat.je.DiskLimitException',
      ]),
      'disk_full',
    ],
    [
      'a full disk named by the system',
      serverError(500, 'Could not commit transaction due to exception during persistence', [
        'java.io.IOException: No space left on device',
      ]),
      'disk_full',
    ],
    [
      'JanusGraph on Cassandra with every Cassandra node down (what a real JanusGraph answered to a read once its one node had died on a full disk)',
      serverError(500, 'Could not call index', [
        'org.janusgraph.core.JanusGraphException',
        'org.janusgraph.core.JanusGraphException',
        'org.janusgraph.diskstorage.TemporaryBackendException',
        'org.janusgraph.diskstorage.TemporaryBackendException',
        'com.datastax.oss.driver.api.core.NoNodeAvailableException',
      ]),
      'storage_unreachable',
    ],
    ['Cassandra refusing lock writes (a replica down)', lockWriteRefused(), 'replicas_short'],
    ['client-side timeout', new RequestTimeoutError(100), 'timeout'],
    ['server-side timeout (598)', serverError(598, 'evaluation exceeded 30000 ms'), 'timeout'],
    [
      'lock contention',
      serverError(500, 'Could not commit', [
        'org.janusgraph.diskstorage.locking.TemporaryLockingException',
      ]),
      'conflict',
    ],
    [
      'BerkeleyDB JE lock wait timed out (index read beside a writing transaction)',
      serverError(500, 'Could not call index', [
        'org.janusgraph.core.JanusGraphException',
        'org.janusgraph.diskstorage.PermanentBackendException',
        'com.sleepycat.je.LockTimeoutException',
      ]),
      'conflict',
    ],
    [
      'BerkeleyDB JE deadlock in a read (the chain a real JanusGraph logged when a graph-index read gave way to a concurrent write of movements of the same accounts)',
      serverError(500, 'Could not execute operation due to backend exception', [
        'org.janusgraph.core.JanusGraphException',
        'org.janusgraph.diskstorage.PermanentBackendException',
        'com.sleepycat.je.DeadlockException',
      ]),
      'conflict',
    ],
    [
      'uniqueness violation',
      serverError(
        500,
        'Adding this property for key [uid] and value [p1] violates a uniqueness constraint [byUid]',
      ),
      'conflict',
    ],
    ['missing element', serverError(500, 'x', ['java.util.NoSuchElementException']), 'not_found'],
    ['bad credentials', serverError(401, 'Username and/or password are incorrect'), 'auth'],
    [
      'a bad traversal',
      serverError(597, 'The provided traverser does not map to a value'),
      'query',
    ],
    ['anything else', new Error('something odd'), 'query'],
  ] as const)('%s is %s', (_case, error, kind) => {
    expect(classifyGraphError(error)).toBe(kind);
  });

  it('retries only unavailability, a busy server and conflicts, and counts only unavailability, a busy server and timeouts for the breaker', () => {
    expect(isRetryable(socketError('ECONNREFUSED'))).toBe(true);
    expect(isRetryable(serverError(500, 'violates a uniqueness constraint'))).toBe(true);
    expect(isRetryable(serverError(429, 'Rate limiting'))).toBe(true);
    expect(isRetryable(new RequestTimeoutError(10))).toBe(false);
    expect(isRetryable(new BrokenCircuitError())).toBe(false);
    expect(isRetryable(serverError(597, 'bad step'))).toBe(false);
    expect(countsForBreaker(socketError('ECONNREFUSED'))).toBe(true);
    expect(countsForBreaker(new RequestTimeoutError(10))).toBe(true);
    expect(countsForBreaker(serverError(429, 'Rate limiting'))).toBe(true);
    expect(countsForBreaker(serverError(500, 'violates a uniqueness constraint'))).toBe(false);
    expect(countsForBreaker(serverError(597, 'bad step'))).toBe(false);
  });
});

describe('toGraphError', () => {
  it('names the endpoint and how to start a local server when JanusGraph is unreachable', () => {
    const error = toGraphError(socketError('ECONNREFUSED'), context);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect(error.message).toContain(
      'upsertVertices: JanusGraph is not reachable at ws://graph.example:8182/gremlin',
    );
    expect(error.message).toContain('service.sh start');
    expect((error as GraphUnavailableError).cause).toBeInstanceOf(Error);
  });

  it('makes a JanusGraph whose Cassandra nodes are all down a GraphUnavailableError that names the storage, retried and counted for the breaker', () => {
    const down = serverError(500, 'Could not execute operation due to backend exception', [
      'org.janusgraph.core.JanusGraphException',
      'org.janusgraph.diskstorage.TemporaryBackendException',
      'com.datastax.oss.driver.api.core.NoNodeAvailableException',
    ]);
    const error = toGraphError(down, context);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect(error.message).toContain('no node of its storage backend (Cassandra) does');
    expect(error.message).toContain('cassandra/service.sh status');
    expect(isRetryable(down)).toBe(true);
    expect(countsForBreaker(down)).toBe(true);
  });

  it('makes lock writes Cassandra did not take a GraphUnavailableError that names the missing replicas, retried but not counted for the breaker', () => {
    const refused = lockWriteRefused();
    const error = toGraphError(refused, context);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect(error.message).toContain('Too few Cassandra replicas answer for the write consistency');
    expect(error.message).toContain('Lock write retry count exceeded');
    expect(isRetryable(refused)).toBe(true);
    expect(countsForBreaker(refused)).toBe(false);
  });

  it('keeps lock contention a conflict even when a stack trace comes with it', () => {
    const contended = new GremlinResponseError(
      500,
      'Could not commit transaction due to exception during persistence',
      new Map<string, unknown>([
        ['exceptions', ['org.janusgraph.diskstorage.locking.PermanentLockingException']],
        [
          'stackTrace',
          'org.janusgraph.core.JanusGraphException: Could not commit\nCaused by: org.janusgraph.diskstorage.locking.PermanentLockingException: Lock expired',
        ],
      ]),
    );
    expect(toGraphError(contended, context)).toBeInstanceOf(ConflictError);
  });

  it('makes a busy server (429) a GraphUnavailableError that says so, not a rejected request', () => {
    const error = toGraphError(serverError(429, 'Rate limiting'), context);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect(error.message).toContain('is too busy');
    expect(error.message).toContain('maxWorkQueueSize');
  });

  it('makes a storage out of disk space a GraphUnavailableError that says so, neither retried nor counted for the breaker', () => {
    const full = serverError(
      500,
      'Could not commit transaction due to exception during persistence',
      ['com.sleepycat.je.DiskLimitException'],
    );
    const error = toGraphError(full, context);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect(error.message).toContain('out of disk space');
    expect(error.message).toContain('reads still work');
    expect(isRetryable(full)).toBe(false);
    expect(countsForBreaker(full)).toBe(false);
  });

  it('explains an open breaker', () => {
    const error = toGraphError(new BrokenCircuitError(), context);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect(error.message).toMatch(/circuit breaker is open/);
  });

  it('maps timeouts, conflicts, missing elements and bad credentials to their domain errors', () => {
    expect(toGraphError(serverError(598, 'too slow'), context)).toBeInstanceOf(GraphTimeoutError);
    expect(
      toGraphError(serverError(500, 'x', ['TemporaryLockingException']), context),
    ).toBeInstanceOf(ConflictError);
    expect(
      toGraphError(serverError(500, 'x', ['java.util.NoSuchElementException']), context),
    ).toBeInstanceOf(EntityNotFoundError);
    const auth = toGraphError(serverError(401, 'nope'), context);
    expect(auth).toBeInstanceOf(GraphUnavailableError);
    expect(auth.message).toContain('JANUSGRAPH_USERNAME');
  });

  it('keeps a rejected traversal as a JanusGraphQueryError with the server status', () => {
    const error = toGraphError(serverError(597, 'No such property: foo'), context);
    expect(error).toBeInstanceOf(JanusGraphQueryError);
    expect((error as JanusGraphQueryError).statusCode).toBe(597);
    expect(error.message).toContain('No such property: foo');
  });

  it('passes domain errors through unchanged', () => {
    const invalid = new InvalidInputError('bad', []);
    expect(toGraphError(invalid, context)).toBe(invalid);
  });
});
