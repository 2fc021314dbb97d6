import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { Clock, GraphUnavailableError, SystemClock } from '@app/vocabulary';
import type { GraphStore } from './graph-store.port';

/** The writes of a bulk load (what the loaders need of the port). */
export type GraphStoreWriter = Pick<GraphStore, 'upsertVertices' | 'upsertEdges'>;

/** A write waiting for the graph store to answer again. */
export interface OutageWait {
  /** What the store said (GraphUnavailableError). */
  error: GraphUnavailableError;
  /** Since the first failed try of this write, in ms. */
  waitedMs: number;
  /** The pause before the next try, in ms. */
  retryInMs: number;
}

export interface OutageWaitOptions {
  /**
   * How long one write keeps trying a store that is unavailable (`GraphUnavailableError`:
   * connection refused or lost, server restarting) before it fails; 0 = fail at once.
   */
  waitMs: number;
  /** First pause between tries (doubles each time, up to `maxDelayMs`). Default 500 ms. */
  initialDelayMs?: number;
  /** Longest pause between tries. Default 5 s. */
  maxDelayMs?: number;
  /** Called before each pause (to tell the user the load is waiting, not stuck). */
  onWait?: (wait: OutageWait) => void;
  /** Time source of `waitMs` (the pauses themselves are real). */
  clock?: Clock;
}

const DEFAULT_INITIAL_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 5_000;

/**
 * Runs `write`, and while the store is unavailable tries it again with backoff, for up to
 * `waitMs` from the first failure. Meant for idempotent writes (the upserts): a write that was
 * cut off by the outage may have landed, and running it again changes nothing. Any other error
 * fails at once. When the wait runs out, the store's last error is thrown with a message that
 * says how long the write waited and that the load can be run again.
 */
export async function waitOutOutage<T>(
  write: () => Promise<T>,
  options: OutageWaitOptions,
): Promise<T> {
  if (options.waitMs <= 0) return write();
  const clock = options.clock ?? new SystemClock();
  let firstFailure: number | undefined;
  const waitedMs = (): number => (firstFailure === undefined ? 0 : clock.now() - firstFailure);
  const policy = retry(
    handleWhen((error) => {
      if (!(error instanceof GraphUnavailableError)) return false;
      firstFailure ??= clock.now();
      return waitedMs() < options.waitMs;
    }),
    {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      backoff: new ExponentialBackoff({
        initialDelay: options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS,
        maxDelay: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
      }),
    },
  );
  const listener = policy.onRetry((event) => {
    if ('error' in event && event.error instanceof GraphUnavailableError) {
      options.onWait?.({ error: event.error, waitedMs: waitedMs(), retryInMs: event.delay });
    }
  });
  try {
    return await policy.execute(write);
  } catch (error: unknown) {
    if (error instanceof GraphUnavailableError && firstFailure !== undefined) {
      throw new GraphUnavailableError(
        `The graph store did not answer for ${Math.round(waitedMs() / 1000)} s (the outage wait allows ${Math.round(options.waitMs / 1000)} s), so the load stopped. What it wrote stays, and loading the same data again completes it (writes are idempotent). Last error: ${error.message}`,
        error.details,
        { cause: error },
      );
    }
    throw error;
  } finally {
    listener.dispose();
  }
}

/** The line a loader logs while it waits (`onWait`), for people watching the load. */
export function describeOutageWait(wait: OutageWait, waitMs: number): string {
  const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
  return `The graph store does not answer (${wait.error.message}). The load waits for it and tries the same batch again in ${seconds(wait.retryInMs)} (waited ${seconds(wait.waitedMs)} of up to ${seconds(waitMs)}, GRAPH_OUTAGE_WAIT_MS).`;
}

/**
 * `writer` with every write going through `waitOutOutage`: a bulk load (seeder, imports, API
 * import jobs) rides out a store restart or a short outage instead of failing at once.
 */
export function outageWaitingWriter(
  writer: GraphStoreWriter,
  options: OutageWaitOptions,
): GraphStoreWriter {
  if (options.waitMs <= 0) return writer;
  return {
    upsertVertices: (batch) => waitOutOutage(() => writer.upsertVertices(batch), options),
    upsertEdges: (batch, edgeOptions) =>
      waitOutOutage(() => writer.upsertEdges(batch, edgeOptions), options),
  };
}
