import { BrokenCircuitError } from 'cockatiel';
import {
  ConflictError,
  DomainError,
  EntityNotFoundError,
  GraphTimeoutError,
  GraphUnavailableError,
} from '@app/vocabulary';

/*
 * What can go wrong talking to JanusGraph, and which typed domain error each failure becomes.
 *
 * | kind          | examples                                                        | retried | breaker |
 * |---------------|-----------------------------------------------------------------|---------|---------|
 * | `unavailable` | connection refused/reset/closed, server shutting down           | yes     | counts  |
 * | `storage_unreachable` | JanusGraph answers, but no node of its Cassandra does   | yes     | counts  |
 * | `replicas_short` | Cassandra took no lock write: too few replicas up (or too slow) | yes  | no      |
 * | `busy`        | Gremlin Server's request queue is full (status 429)             | yes     | counts  |
 * | `disk_full`   | the storage refuses writes for lack of disk space               | no      | no      |
 * | `timeout`     | no answer within the request timeout, server status 598         | no      | counts  |
 * | `conflict`    | JanusGraph lock contention, uniqueness violations, status 500   | yes     | no      |
 * | `not_found`   | `NoSuchElementException` from a traversal                       | no      | no      |
 * | `auth`        | wrong credentials (status 401/403/407)                           | no      | no      |
 * | `query`       | anything else the server rejects (a bad traversal, a bug)       | no      | no      |
 *
 * A busy server (429, "Rate limiting": more requests waiting than its `maxWorkQueueSize`) is
 * the server's state, never the request's: it becomes a GraphUnavailableError, so the ingest
 * worker holds its batch as in an outage instead of taking a message for the cause.
 *
 * A storage out of disk space (BerkeleyDB JE's `DiskLimitException` once the free space is under
 * its `je.freeDisk`, or the system's "No space left on device") refuses writes until someone frees
 * space, while reads still work. It becomes a GraphUnavailableError that says so: the ingest
 * worker holds its batches as in an outage, the API answers 503 to writes and keeps reading. It
 * is not retried at once (space does not come back in milliseconds) and does not count for the
 * circuit breaker, which would stop the reads too. JanusGraph reports it as a failed commit, a
 * text that otherwise means a conflict, so it is looked for first.
 *
 * A JanusGraph on Cassandra whose Cassandra nodes are all down (stopped, crashed, out of disk:
 * a real node on a full disk died of SIGBUS writing its commit log) answers every request,
 * reads included, after its own retries (about 30 s) with "Could not call index" or "Could
 * not execute operation due to backend exception", its cause chain ending in the Cassandra
 * driver's `NoNodeAvailableException`. That is an outage of the storage, not a conflict (the
 * chain also holds `TemporaryBackendException`, a conflict marker, so it is looked for first):
 * a GraphUnavailableError that names the storage, retried and counted for the breaker like an
 * unreachable server.
 *
 * A JanusGraph on Cassandra that cannot write its uniqueness locks answers "Could not commit
 * transaction due to exception during persistence", its stack trace (not its list of exception
 * classes) ending in "Lock write retry count exceeded". JanusGraph tried each lock write several
 * times and each failed or took longer than its lock wait: the storage cannot take writes at the
 * configured consistency (tried on the two-node test cluster: one node killed, replication
 * factor 2, writes at QUORUM: every write was refused, while reads at ONE went on). Lock contention
 * says other words ("Lock expired", "Expected value mismatch"). So it is a GraphUnavailableError
 * that says which replicas are missing, 503 on the API rather than a 409 conflict; it is retried
 * like a conflict (a slow moment passes) and not counted for the breaker (reads still work).
 *
 * Timeouts are not retried: a traversal that ran out of time will most likely do so again and
 * retrying would multiply the load on a struggling server. Conflicts are retried because all
 * writes of this code base are idempotent upserts.
 */
export type GraphErrorKind =
  | 'unavailable'
  | 'storage_unreachable'
  | 'replicas_short'
  | 'busy'
  | 'disk_full'
  | 'timeout'
  | 'conflict'
  | 'not_found'
  | 'auth'
  | 'query';

/** Thrown by the client itself when a request got no answer in time. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * A traversal or script the server refused for a reason that is neither transient nor the
 * caller's data (usually a bug in a traversal). Not a domain error on purpose: the API turns it
 * into a 500 with the full message logged.
 */
export class JanusGraphQueryError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JanusGraphQueryError';
  }
}

/** The fields of the driver's `ResponseError` that matter here. */
interface ResponseErrorLike {
  statusCode: number;
  statusMessage?: unknown;
  statusAttributes?: unknown;
  message: string;
}

function isResponseError(error: unknown): error is ResponseErrorLike {
  return (
    error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number'
  );
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const UNAVAILABLE_MESSAGES = [
  /connection has been closed/i,
  /websocket is not open/i,
  /socket hang up/i,
  /unexpected server response/i,
  /server is shutting down/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH/,
];

/** JanusGraph's words for "someone else holds this lock / wrote this first; try again". */
const CONFLICT_MARKERS = [
  'TemporaryLockingException',
  'PermanentLockingException',
  'LockingException',
  'TemporaryBackendException',
  'ConcurrentModificationException',
  'violates a uniqueness constraint',
  'Could not commit transaction due to exception during persistence',
  'Lock expired',
  // BerkeleyDB JE: a read or write waited longer than its lock timeout for another transaction.
  'LockTimeoutException',
  // BerkeleyDB JE: two transactions each waited for a lock the other held, and JE chose this one
  // to give way. Concurrent writes of edges that share an account do it now and then. JanusGraph
  // wraps it in a PermanentBackendException, and the message depends on where it struck: "Could
  // not commit transaction due to exception during persistence" at the commit, "Could not
  // execute operation due to backend exception" in a read. Repeating the request succeeds.
  'DeadlockException',
];

const NOT_FOUND_MARKERS = ['NoSuchElementException'];

/** The storage's words for "no disk space left to write". */
const DISK_FULL_MARKERS = ['DiskLimitException', 'No space left on device'];

/** The Cassandra driver's words, in JanusGraph's cause chain, for "no storage node answers". */
const STORAGE_UNREACHABLE_MARKERS = ['NoNodeAvailableException'];

/**
 * JanusGraph's words, in a "Caused by:" line of the server's stack trace, for "the storage did
 * not take a lock write, several times".
 */
const LOCK_WRITE_REFUSED = 'Lock write retry count exceeded';

/** One of the status attributes the server sent with an error (a Map or a plain object). */
function statusAttribute(error: ResponseErrorLike, name: string): unknown {
  const attributes = error.statusAttributes;
  if (attributes instanceof Map) return (attributes as Map<unknown, unknown>).get(name);
  if (typeof attributes === 'object' && attributes !== null) {
    return (attributes as Record<string, unknown>)[name];
  }
  return undefined;
}

/** The "Caused by:" lines of the stack trace the server sent with an error (their messages). */
function causeLines(error: ResponseErrorLike): string[] {
  const stackTrace = statusAttribute(error, 'stackTrace');
  if (typeof stackTrace !== 'string') return [];
  return stackTrace.split('\n').filter((line) => line.startsWith('Caused by:'));
}

/** Every text the server sent with an error: the message and the exception class names. */
function serverTexts(error: ResponseErrorLike): string {
  const parts = [error.message];
  if (typeof error.statusMessage === 'string') parts.push(error.statusMessage);
  const exceptions = statusAttribute(error, 'exceptions');
  if (Array.isArray(exceptions)) {
    parts.push(...exceptions.filter((item): item is string => typeof item === 'string'));
  }
  return parts.join(' | ');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : errorCode(cause);
}

/** Sorts any error thrown while talking to JanusGraph into one of the kinds above. */
export function classifyGraphError(error: unknown): GraphErrorKind {
  if (error instanceof DomainError) {
    switch (error.code) {
      case 'graph_unavailable':
        return 'unavailable';
      case 'graph_timeout':
        return 'timeout';
      case 'conflict':
        return 'conflict';
      case 'not_found':
        return 'not_found';
      case 'batch_rejected':
      case 'invalid_input':
      case 'forbidden':
      case 'stream_unavailable':
        return 'query';
    }
  }
  if (error instanceof BrokenCircuitError) return 'unavailable';
  if (error instanceof RequestTimeoutError) return 'timeout';
  if (isResponseError(error)) {
    const code = error.statusCode;
    if (code === 598) return 'timeout';
    if (code === 429) return 'busy';
    if (code === 401 || code === 403 || code === 407) return 'auth';
    const text = serverTexts(error);
    if (DISK_FULL_MARKERS.some((marker) => text.includes(marker))) return 'disk_full';
    if (STORAGE_UNREACHABLE_MARKERS.some((marker) => text.includes(marker))) {
      return 'storage_unreachable';
    }
    if (causeLines(error).some((line) => line.includes(LOCK_WRITE_REFUSED))) {
      return 'replicas_short';
    }
    if (CONFLICT_MARKERS.some((marker) => text.includes(marker))) return 'conflict';
    if (NOT_FOUND_MARKERS.some((marker) => text.includes(marker))) return 'not_found';
    // A server being stopped closes its graph first and answers requests for a while longer.
    if (/server is shutting down|graph (?:is|has been) closed|database is closed/i.test(text))
      return 'unavailable';
    return 'query';
  }
  const code = errorCode(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  const message = error instanceof Error ? error.message : String(error);
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return 'unavailable';
  return 'query';
}

/** Transient failures worth another attempt (idempotent requests only). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof BrokenCircuitError) return false;
  const kind = classifyGraphError(error);
  return (
    kind === 'unavailable' ||
    kind === 'storage_unreachable' ||
    kind === 'replicas_short' ||
    kind === 'busy' ||
    kind === 'conflict'
  );
}

/** Failures that say the server is unhealthy, counted by the circuit breaker. */
export function countsForBreaker(error: unknown): boolean {
  if (error instanceof BrokenCircuitError) return false;
  const kind = classifyGraphError(error);
  return (
    kind === 'unavailable' ||
    kind === 'storage_unreachable' ||
    kind === 'busy' ||
    kind === 'timeout'
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = errorCode(error);
    const message = error.message || error.name;
    return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

/** Where and what: the context a domain error message carries. */
export interface GraphErrorContext {
  /** `ws://host:port/gremlin`, named in unavailability messages so a newcomer knows where to look. */
  endpoint: string;
  /** What the caller was doing, for example "upsertVertices" or "schema bootstrap". */
  operation?: string;
}

/**
 * The typed error to throw for a driver failure. Domain errors pass through unchanged; the
 * original error is kept as `cause`.
 */
export function toGraphError(error: unknown, context: GraphErrorContext): Error {
  if (error instanceof DomainError || error instanceof JanusGraphQueryError) return error;
  const what = context.operation ? `${context.operation}: ` : '';
  const reason = reasonOf(error);
  if (error instanceof BrokenCircuitError) {
    return new GraphUnavailableError(
      `${what}JanusGraph at ${context.endpoint} failed repeatedly, so the circuit breaker is open and ` +
        'requests fail fast until it lets a trial request through (see JANUSGRAPH_BREAKER_* settings)',
      { endpoint: context.endpoint },
      { cause: error },
    );
  }
  switch (classifyGraphError(error)) {
    case 'unavailable':
      return new GraphUnavailableError(
        `${what}JanusGraph is not reachable at ${context.endpoint} (${reason}); is the server running? ` +
          '(local: bash docker/local/janusgraph/service.sh start)',
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'storage_unreachable':
      return new GraphUnavailableError(
        `${what}JanusGraph at ${context.endpoint} answers, but no node of its storage backend (Cassandra) does (${reason}); ` +
          'start the storage nodes or check their disks and logs (local: bash docker/local/cassandra/service.sh status); ' +
          'JanusGraph reconnects by itself once a node answers (docs/operations.md, "Cluster on Cassandra")',
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'replicas_short':
      return new GraphUnavailableError(
        `${what}JanusGraph at ${context.endpoint} could not write: its storage backend (Cassandra) did not take the writes of its uniqueness locks (${LOCK_WRITE_REFUSED}). ` +
          'Too few Cassandra replicas answer for the write consistency (a node is down: with replication factor 2, QUORUM needs both), or the nodes are overloaded; reads may still work. ' +
          'Start the missing node or look at the nodes\' load (local: bash docker/local/cassandra/service.sh status); the request can be repeated (docs/operations.md, "Cluster on Cassandra")',
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'disk_full':
      return new GraphUnavailableError(
        `${what}JanusGraph at ${context.endpoint} cannot write: its storage is out of disk space (${reason}); ` +
          'reads still work. Free disk space on the storage server (BerkeleyDB JE refuses writes while the free space is under je.freeDisk, 5 GB unless set; docs/operations.md, "Disk space")',
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'busy':
      return new GraphUnavailableError(
        `${what}JanusGraph at ${context.endpoint} is too busy: more requests wait than its queue holds (${reason}); ` +
          'the request can be repeated later (on the server: gremlinPool and maxWorkQueueSize in its YAML)',
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'timeout':
      return new GraphTimeoutError(
        `${what}JanusGraph at ${context.endpoint} did not answer in time (${reason}); ` +
          'narrow the query or raise JANUSGRAPH_REQUEST_TIMEOUT_MS',
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'conflict':
      return new ConflictError(
        `${what}JanusGraph could not complete the request because of a concurrent change or a storage backend that did not reach enough replicas (${reason}); the request can be repeated`,
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'not_found': {
      const notFound = new EntityNotFoundError('Graph element', context.operation ?? 'traversal');
      (notFound as { cause?: unknown }).cause = error;
      return notFound;
    }
    case 'auth':
      return new GraphUnavailableError(
        `${what}JanusGraph at ${context.endpoint} refused the credentials (${reason}); ` +
          'check JANUSGRAPH_USERNAME and JANUSGRAPH_PASSWORD',
        { endpoint: context.endpoint },
        { cause: error },
      );
    case 'query':
      return new JanusGraphQueryError(
        `${what}JanusGraph rejected the request: ${reason}`,
        isResponseError(error) ? error.statusCode : undefined,
        { cause: error },
      );
  }
}
