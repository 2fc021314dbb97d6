import { Clock, DomainError, SystemClock } from '@app/vocabulary';

/**
 * True for the errors that say the graph store itself is in trouble rather than the batch:
 * unreachable (`GraphUnavailableError`: connection refused or lost, circuit breaker open, wrong
 * credentials), too slow (`GraphTimeoutError`) or busy with a concurrent change it could not
 * resolve (`ConflictError`). The store adapters throw these typed errors (JanusGraph's
 * `toGraphError`); they are never a reason to dead-letter a message.
 */
export function isStoreOutage(error: unknown): boolean {
  if (!(error instanceof DomainError)) return false;
  return (
    error.code === 'graph_unavailable' ||
    error.code === 'graph_timeout' ||
    error.code === 'conflict'
  );
}

/** Thrown to whoever waits in `OutageGate.hold` when the worker stops. */
export class IngestStoppedError extends Error {
  constructor() {
    super('the ingest worker is stopping; the batch in hand is left to the broker to redeliver');
    this.name = 'IngestStoppedError';
  }
}

export interface OutageBackoff {
  /** First pause after a failed try (ms); each further failure doubles it. */
  initialMs: number;
  /** Longest pause (ms). */
  maxMs: number;
}

/** What readiness and logs say about an ongoing outage. */
export interface OutageState {
  /** Epoch ms of the first failure of this outage. */
  since: number;
  /** The last error, as text. */
  reason: string;
  /** Failed tries so far in this outage. */
  failures: number;
  /** Messages held in batches waiting for the store. */
  heldMessages: number;
}

export interface OutageListener {
  /** The first failure of an outage, and each later one. */
  failed(state: Readonly<OutageState>, retryInMs: number): void;
  /** The store answered again after `downMs`. */
  recovered(downMs: number, state: Readonly<OutageState>): void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Holds batches while the graph store is down. `hold(attempt, size)` runs the attempt; when it
 * fails with a store outage (see `isStoreOutage`) it waits (exponential backoff shared by every
 * held batch: initial, 2×, 4×… up to the maximum) and runs the SAME attempt again, for as long
 * as it takes, without settling any message: no redelivery is spent, nothing is dead-lettered.
 * The first success ends the outage for everyone. Any other error is the caller's to handle.
 * `stop()` ends every wait with `IngestStoppedError`, and so does a failure after it (graceful
 * shutdown during an outage: the held batches go back to the broker unsettled).
 */
export class OutageGate {
  private current?: OutageState;
  private stopped = false;
  private readonly waits = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();
  /** Epoch ms since when the store has answered (start, or end of the last outage). */
  private answeringSince: number;

  constructor(
    private readonly backoff: OutageBackoff,
    private readonly listener: OutageListener,
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.answeringSince = clock.now();
  }

  /** The ongoing outage, or undefined while the store answers. */
  get outage(): Readonly<OutageState> | undefined {
    return this.current;
  }

  /** Since when the store has answered without interruption (epoch ms). */
  get storeAnsweringSince(): number {
    return this.answeringSince;
  }

  /** Marks a (re)start: waits measured from "the store answers" start now. */
  restart(): void {
    this.stopped = false;
    this.answeringSince = this.clock.now();
  }

  async hold<T>(attempt: () => Promise<T>, size: number): Promise<T> {
    /** The outage this batch is counted in (as held messages). */
    let heldIn: OutageState | undefined;
    try {
      for (;;) {
        try {
          const result = await attempt();
          this.recover();
          return result;
        } catch (error: unknown) {
          if (!isStoreOutage(error)) throw error;
          // Stopping: no waiting; the batch goes back to the broker unsettled.
          if (this.stopped) throw new IngestStoppedError();
          const state = this.enter(error);
          if (heldIn !== state) {
            if (heldIn) heldIn.heldMessages -= size;
            state.heldMessages += size;
            heldIn = state;
          }
          await this.pause(this.fail(state, error));
        }
      }
    } finally {
      if (heldIn) heldIn.heldMessages -= size;
    }
  }

  /** Ends every wait (the held batches are left unsettled) and refuses new holds until restart. */
  stop(): void {
    this.stopped = true;
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.reject(new IngestStoppedError());
    }
    this.waits.clear();
  }

  /** The ongoing outage, begun now if there is none. */
  private enter(error: unknown): OutageState {
    this.current ??= {
      since: this.clock.now(),
      reason: errorText(error),
      failures: 0,
      heldMessages: 0,
    };
    return this.current;
  }

  /** Counts a failure; returns the pause before the next try. */
  private fail(state: OutageState, error: unknown): number {
    state.failures += 1;
    state.reason = errorText(error);
    const delay = Math.min(
      this.backoff.maxMs,
      this.backoff.initialMs * 2 ** Math.min(state.failures - 1, 30),
    );
    this.listener.failed(state, delay);
    return delay;
  }

  private recover(): void {
    const state = this.current;
    if (!state) return;
    this.current = undefined;
    this.answeringSince = this.clock.now();
    this.listener.recovered(this.answeringSince - state.since, state);
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
        reject,
      };
      this.waits.add(wait);
    });
  }
}
