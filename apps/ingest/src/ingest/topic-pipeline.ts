import type { LoggerService } from '@nestjs/common';
import type { ReceivedMessage } from '@app/streaming';
import { Clock, SystemClock } from '@app/vocabulary';
import type { PreparedBatch } from './ingest.processor';
import { firstPublishedAt } from './message-settler';
import type { IngestCounters, Settlement } from './message-settler';
import type { IngestMetrics } from './ingest.metrics';
import { IngestStoppedError, OutageGate } from './store-outage';

export interface TopicPipelineSteps {
  /** Full topic name (metrics and logs). */
  topic: string;
  /** `entities` or `movements` (logs). */
  kind: string;
  /** Writes a batch without settling it (may run again on the same messages). */
  prepare(batch: readonly ReceivedMessage[]): Promise<PreparedBatch>;
  /** Detects and settles a prepared batch; never throws. */
  complete(prepared: PreparedBatch): Promise<void>;
  /**
   * Called each time a new batch of this topic has been written (not a retry of held ones),
   * with the uids of the vertices it wrote.
   */
  written?(vertices: readonly string[]): void;
  /**
   * True while new batches of entities are being written (not tries of held messages): a held
   * message's hold does not run out then, since they may bring the vertex it waits for.
   */
  entitiesBusy?(): boolean;
  /**
   * The keys whose order `keepKeyOrder` keeps for these messages (the vertices and edges they
   * write). Without it, the message keys are used: with bundles a message's key is its key
   * bucket, which makes unrelated batches wait for each other.
   */
  orderKeys?(batch: readonly ReceivedMessage[]): ReadonlySet<string>;
}

/** How much of a topic's work runs at once, and how messages with a missing end wait. */
export interface TopicPipelineOptions {
  /** Batches of this topic written at once (`INGEST_WRITE_CONCURRENCY`), at least 1. */
  writeConcurrency: number;
  /**
   * Keep the order of each key (`orderKeys`, else the message key) among the writes: a batch
   * that shares a key with a write under way (a new batch, or a try of held messages) waits for
   * that write to end before it starts, and a held message is not tried while a new batch of its
   * key is being written. For topics whose messages update what earlier ones wrote (the entities
   * topic: a later upsert of a uid must land last; an older one tried after it is then
   * recognised as superseded, see `EntityVersions`). Off, writes run in any order (the movements
   * topic: each movement is written once and never changed, and detection follows batch order
   * anyway).
   */
  keepKeyOrder?: boolean;
  /**
   * Longest time a message with a missing end vertex is held in the worker without a batch of
   * entities being written (`INGEST_HOLD_MISSING_MS`); 0 = never held.
   */
  holdMissingMs: number;
  /**
   * Longest time a message is held while batches of entities keep being written (which may bring
   * the vertex it waits for): `INGEST_MISSING_ENTITY_WAIT_MS`, counted like the settler's wait
   * from its first publish (or from when the store began answering, if later). A hold lasts
   * `holdMissingMs` at least (0 = no hold beyond that).
   */
  holdLongestMs: number;
  /** Most messages held at once; when full, a further one takes the broker path at once. */
  holdMaxMessages: number;
  /**
   * Pause before a held message is tried again when no batch of entities wrote what it waits
   * for; it doubles after each such try (capped by the end of the hold).
   */
  holdRetryMs: number;
}

/** One batch written at a time (the next one overlapping the completion of the last), nothing held. */
export const SERIAL_PIPELINE: TopicPipelineOptions = {
  writeConcurrency: 1,
  holdMissingMs: 0,
  holdLongestMs: 0,
  holdMaxMessages: 0,
  holdRetryMs: 0,
};

/** A message held in the worker because an end vertex it needs was not stored yet. */
interface Held {
  /** Epoch ms when it was first held. */
  since: number;
  /** True while it waits for its next try; false while a try of it is under way. */
  waiting: boolean;
  /**
   * The end vertices it waits for, as the store said at its last try; a batch of entities that
   * writes them removes them, and once none is left it is tried at once.
   */
  missing: Set<string>;
  /**
   * When its next try comes if no batch of entities writes what it waits for before
   * (`performance.now()` time: the pace of tries is not business time, the hold's length is).
   */
  nextTry: number;
  /** The pause before that try; doubles after each try. */
  pause: number;
}

/** The message keys of a batch; a message without a key counts under the empty key. */
function messageKeysOf(batch: readonly ReceivedMessage[]): Set<string> {
  return new Set(batch.map((message) => message.key ?? ''));
}

/** The pause between tries of a held message grows to at most this many times `holdRetryMs`. */
const MAX_PAUSE_FACTOR = 8;

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The work on one topic in two overlapping steps: writing batches, up to `writeConcurrency` of
 * them at once, and completing them (detection, then settling) strictly in batch order, so one
 * account's movements reach detection in the order they were received. `run` hands a batch over
 * and returns once there is room for the next: fewer than `writeConcurrency` writes under way and
 * no more than `writeConcurrency` batches waiting to be completed. With 1 this is the overlap of
 * writing batch N+1 while batch N is completed, never more. With `keepKeyOrder`, a batch that
 * shares a message key with a write under way starts only once that write has ended, and held
 * messages are tried only when no write of their key is under way.
 *
 * Writing a batch goes through the `OutageGate`: while the graph store is down the batch is
 * held and tried again with backoff, unsettled, and no further batch of this topic is taken once
 * the writes in hand are all held (the broker stops handing out messages once the worker's
 * receive queue is full). A write that fails for any other reason is a message fault: the batch
 * is split in halves, and halves again, until the message that makes it fail is alone; that one
 * is retried through the broker (and dead-lettered with the error on its last delivery) while the
 * others are written.
 *
 * A message whose write reports a missing end vertex (a movement whose account is not written
 * yet) is held here, unsettled, instead of being sent back through the broker at once: it is
 * tried again as soon as a batch of entities has written the vertices it waits for
 * (`retryHeld(vertices)`), or else after `holdRetryMs`, twice as long after each such try (the
 * vertex may come another way: another worker, a write that landed before the message was held),
 * for up to `holdMissingMs` (not counting time the store was down, nor time in which batches of
 * entities were being written, `entitiesBusy` and `retryHeld`: a worker working through a
 * backlog of entities keeps the movements that wait for them, up to `holdLongestMs`), and by at
 * most `holdMaxMessages` at a time. Once that time is over, or when the holding area is full, the
 * outcome of its last try goes to the `MessageSettler` as before (nack, publish again to wait
 * longer, dead-letter). A held message reaches detection when it is written, after the batches
 * completed meanwhile. On `stop` the messages still held are left unsettled for the broker to
 * deliver again.
 *
 * A stop that cannot wait for the writes under way (a write stuck behind a dead server's locks)
 * calls `abandon`: those batches are never completed (not detected, not settled), so the broker
 * delivers their messages again; the upserts are idempotent, so a write that lands anyway
 * changes nothing when it is done again.
 */
export class TopicPipeline {
  private completing: Promise<void> = Promise.resolve();
  /** Writes under way. */
  private writing = 0;
  /** Writes under way of new batches (not tries of held messages). */
  private writingNew = 0;
  /** Batches handed over and not completed yet (written or not). */
  private unfinished = 0;
  /** Messages of those batches. */
  private unfinishedMessages = 0;
  /** Bumped by `abandon`: work launched before it is never completed. */
  private epoch = 0;
  /** After `abandon` (until `resume`): batches handed over are left unsettled, not written. */
  private abandoned = false;
  private waiters: (() => void)[] = [];
  /**
   * Message keys of the batches being written (new ones and tries of held messages), with how
   * many of them carry each (`keepKeyOrder`).
   */
  private readonly writingKeys = new Map<string, number>();
  /** A held message was due but not tried because a write of its key was under way. */
  private deferredByKey = false;
  private readonly held = new Map<ReceivedMessage, Held>();
  /** `held.size` as last reported to the metrics. */
  private heldReported = 0;
  private retryTimer?: NodeJS.Timeout;
  /** `performance.now()` time the retry timer is set for. */
  private retryAt = Number.POSITIVE_INFINITY;
  /** A try of held messages is under way. */
  private retrying = false;
  /** Held messages should be tried again as soon as the try under way is done. */
  private retryAgain = false;
  /** Clock time the last batch of entities was written (see `retryHeld`). */
  private entitiesWrittenAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly steps: TopicPipelineSteps,
    private readonly gate: OutageGate,
    private readonly counters: IngestCounters,
    private readonly metrics: IngestMetrics,
    private readonly logger: LoggerService,
    private readonly options: TopicPipelineOptions = SERIAL_PIPELINE,
    private readonly clock: Clock = new SystemClock(),
  ) {
    if (!Number.isSafeInteger(options.writeConcurrency) || options.writeConcurrency < 1) {
      throw new RangeError(
        `writeConcurrency must be a whole number, at least 1 (got ${options.writeConcurrency})`,
      );
    }
  }

  /** Messages held in the worker for a missing end vertex right now. */
  get heldMessages(): number {
    return this.held.size;
  }

  /** True while a new batch of this topic is being written (not a try of held messages). */
  get writingNewBatch(): boolean {
    return this.writingNew > 0;
  }

  /**
   * Starts writing a batch, queues its completion behind the previous batch's, and resolves once
   * the pipeline has room for the next batch (see the class comment).
   */
  async run(received: readonly ReceivedMessage[]): Promise<void> {
    if (this.abandoned) return;
    this.counters.received += received.length;
    const batch = this.withoutStale(received);
    if (batch.length === 0) return;
    const keys = this.options.keepKeyOrder === true ? this.keysOf(batch) : undefined;
    // A write of an earlier batch with one of these keys must end first (see the option).
    while (keys && !this.abandoned && this.sharesKeyWithWrites(keys)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.abandoned) return;
    this.metrics.batchStarted(this.steps.topic, batch.length);
    this.launch(batch, false, keys);
    const limit = this.options.writeConcurrency;
    while (!this.abandoned && (this.writing >= limit || this.unfinished > limit)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Resolves when every batch handed to `run` so far, and every try of held messages, is
   * complete, or has been abandoned.
   */
  async drain(): Promise<void> {
    while (this.unfinished > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * The worker is stopping and cannot wait any longer: the batches not completed yet are given
   * up, unsettled (the broker delivers their messages again once the subscription closes), and
   * so is every batch handed over until `resume`. Writes still running go on in the store, but
   * their results are ignored. Returns how many messages were given up.
   */
  abandon(): number {
    const left = this.unfinishedMessages;
    if (left > 0) this.metrics.stopGaveUp(this.steps.topic, left);
    this.abandoned = true;
    this.epoch += 1;
    this.writing = 0;
    this.writingNew = 0;
    this.writingKeys.clear();
    this.deferredByKey = false;
    this.unfinished = 0;
    this.unfinishedMessages = 0;
    this.completing = Promise.resolve();
    this.retrying = false;
    this.retryAgain = false;
    this.changed();
    return left;
  }

  /**
   * A batch of entities wrote `vertices`: the held messages that waited for nothing else are
   * tried again now (or right after the try under way). Without `vertices`, every held message
   * is tried again now.
   */
  retryHeld(vertices?: readonly string[]): void {
    if (this.stopped) return;
    if (vertices) this.entitiesWrittenAt = this.clock.now();
    const now = performance.now();
    // A held message waits for one or two vertices, a batch writes hundreds: look its few up
    // in the batch's set (held × 2 lookups, not held × batch deletes).
    const written = vertices ? new Set(vertices) : undefined;
    for (const entry of this.held.values()) {
      if (!written) entry.nextTry = now;
      else for (const uid of entry.missing) if (written.has(uid)) entry.missing.delete(uid);
    }
    this.tryDue();
  }

  /** Tries the held messages that are due (see `Held`), unless a try is under way. */
  private tryDue(): void {
    if (this.stopped) return;
    if (this.retrying) {
      this.retryAgain = true;
      return;
    }
    const now = performance.now();
    const due: ReceivedMessage[] = [];
    const keyed = this.options.keepKeyOrder === true;
    let stale = 0;
    for (const [message, entry] of this.held) {
      if (message.stale === true) {
        // Pulsar delivers it again on the new connection: a try of this copy is wasted.
        this.held.delete(message);
        stale += 1;
        continue;
      }
      if (!entry.waiting || (entry.missing.size > 0 && entry.nextTry > now)) continue;
      if (keyed && this.sharesKeyWithWrites(this.keysOf([message]))) {
        // A newer message of its key is being written: this one is tried after that write.
        this.deferredByKey = true;
        continue;
      }
      entry.waiting = false;
      due.push(message);
    }
    if (stale > 0) {
      this.counters.staleSkipped += stale;
      this.heldChanged();
      this.logger.warn({
        msg: `Stopped holding ${stale} message(s) from the ${this.steps.kind} topic: the connection they came on is gone, and Pulsar delivers them again`,
      });
    }
    this.scheduleRetry();
    if (due.length === 0) return;
    this.counters.heldTries += due.length;
    this.retrying = true;
    this.launch(due, true, keyed ? this.keysOf(due) : undefined);
  }

  /**
   * Stops holding and trying held messages (the worker is stopping): a batch completed from now
   * on settles every message the usual way. The messages still held stay unsettled until
   * `releaseHeld`.
   */
  stop(): void {
    this.stopped = true;
    this.retryAgain = false;
    this.clearTimer();
  }

  /**
   * After `stop` and `drain`: forgets the messages still held, unsettled (the broker delivers
   * them again once the subscription closes), and says how many there were.
   */
  releaseHeld(): number {
    const count = this.held.size;
    this.held.clear();
    this.heldChanged();
    return count;
  }

  /** Takes batches and holds messages again after `stop` (and `abandon`). */
  resume(): void {
    this.stopped = false;
    this.abandoned = false;
  }

  private changed(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The keys whose order `keepKeyOrder` keeps for `batch` (see `orderKeys`). */
  private keysOf(batch: readonly ReceivedMessage[]): ReadonlySet<string> {
    return this.steps.orderKeys?.(batch) ?? messageKeysOf(batch);
  }

  /** True when a batch being written (new, or a try of held messages) carries one of `keys`. */
  private sharesKeyWithWrites(keys: ReadonlySet<string>): boolean {
    if (this.writingKeys.size === 0) return false;
    for (const key of keys) if (this.writingKeys.has(key)) return true;
    return false;
  }

  /**
   * Writes a batch now and chains its completion; `retry`: a try of held messages. `keys`: the
   * batch's message keys, noted as being written until its write ends (`keepKeyOrder`).
   */
  private launch(
    batch: readonly ReceivedMessage[],
    retry: boolean,
    keys?: ReadonlySet<string>,
  ): void {
    const started = performance.now();
    const epoch = this.epoch;
    const current = (): boolean => epoch === this.epoch;
    this.writing += 1;
    if (!retry) this.writingNew += 1;
    this.unfinished += 1;
    this.unfinishedMessages += batch.length;
    if (keys)
      for (const key of keys) this.writingKeys.set(key, (this.writingKeys.get(key) ?? 0) + 1);
    const written = this.prepareIsolating(batch).finally(() => {
      if (!current()) return;
      this.writing -= 1;
      if (!retry) this.writingNew -= 1;
      if (keys) {
        for (const key of keys) {
          const left = (this.writingKeys.get(key) ?? 1) - 1;
          if (left > 0) this.writingKeys.set(key, left);
          else this.writingKeys.delete(key);
        }
        if (this.deferredByKey) {
          this.deferredByKey = false;
          this.tryDue();
        }
      }
      this.changed();
    });
    if (!retry && this.steps.written) {
      const notify = this.steps.written.bind(this.steps);
      void written.then(
        (parts) => {
          const vertices = parts.flatMap((part) => part.writtenVertices ?? []);
          if (vertices.length > 0) notify(vertices);
        },
        () => undefined,
      );
    }
    const previous = this.completing;
    this.completing = previous.then(async () => {
      let prepared: PreparedBatch[] = [];
      try {
        prepared = await written;
        for (const part of prepared) {
          if (!current()) return;
          await this.steps.complete(this.holdMissing(part));
        }
      } catch (error: unknown) {
        if (current()) await this.release(prepared, error);
      } finally {
        if (current()) this.finished(batch, retry, started);
      }
    });
  }

  /** A batch launched by `launch` is complete. */
  private finished(batch: readonly ReceivedMessage[], retry: boolean, started: number): void {
    this.unfinished -= 1;
    this.unfinishedMessages -= batch.length;
    this.changed();
    if (retry) this.retryDone();
    else
      this.metrics.batchFinished(
        this.steps.topic,
        batch.length,
        (performance.now() - started) / 1000,
      );
  }

  /** The batch without the messages that are held now (they stay unsettled). */
  private holdMissing(part: PreparedBatch): PreparedBatch {
    const now = this.clock.now();
    const settlements = part.settlements.filter((s) => !this.hold(s, now));
    this.heldChanged();
    this.scheduleRetry();
    return settlements.length === part.settlements.length ? part : { ...part, settlements };
  }

  /** Reports the number of held messages (metrics) when it changed. */
  private heldChanged(): void {
    if (this.held.size === this.heldReported) return;
    this.heldReported = this.held.size;
    this.metrics.heldMessages(this.steps.topic, this.held.size);
  }

  /** True when the message of `settlement` is held (again) instead of settled. */
  private hold({ message, outcome }: Settlement, now: number): boolean {
    const entry = this.held.get(message);
    if (
      outcome.kind !== 'missing' ||
      message.settled ||
      this.stopped ||
      this.options.holdMissingMs <= 0
    ) {
      if (entry) this.held.delete(message);
      return false;
    }
    if (entry) {
      // Time the store was down does not count: the store could not have written the vertex.
      const heldFrom = Math.max(entry.since, this.gate.storeAnsweringSince);
      // Nor does time in which batches of entities were written, which may bring it, up to
      // holdLongestMs: a worker that starts on a backlog, or a slow store, writes the entities
      // batch after batch while the movements that need them wait here, not in the broker.
      const progress = this.steps.entitiesBusy?.() === true ? now : this.entitiesWrittenAt;
      const start = Math.max(heldFrom, progress);
      // The longest hold counts from the first publish (or the store's return), as the settler's
      // wait does: a message delivered again is not held that long once more.
      const waitingFrom = Math.max(firstPublishedAt(message), this.gate.storeAnsweringSince);
      const end = Math.min(
        start + this.options.holdMissingMs,
        Math.max(heldFrom + this.options.holdMissingMs, waitingFrom + this.options.holdLongestMs),
      );
      if (now < end) {
        entry.waiting = true;
        entry.missing = new Set(outcome.missing);
        entry.pause = Math.min(entry.pause * 2, MAX_PAUSE_FACTOR * this.pauseOf());
        // The last try comes when the hold is over, not a whole pause later.
        const left = end - now;
        entry.nextTry = performance.now() + Math.min(entry.pause, left);
        return true;
      }
      this.held.delete(message);
      this.counters.heldTimedOut += 1;
      return false;
    }
    if (this.held.size >= this.options.holdMaxMessages) return false;
    const pause = this.pauseOf();
    this.held.set(message, {
      since: now,
      waiting: true,
      missing: new Set(outcome.missing),
      nextTry: performance.now() + pause,
      pause,
    });
    this.counters.held += 1;
    return true;
  }

  private pauseOf(): number {
    return Math.max(1, this.options.holdRetryMs);
  }

  /**
   * The messages of `received` that can still be settled. Those whose connection is gone
   * (`stale`) are left alone: Pulsar delivers them again on the new connection, and writing
   * this copy would only be written again then. After a reconnect this spares the worker a
   * whole receive queue of writes (with bundles, up to 50 envelopes per message).
   */
  private withoutStale(received: readonly ReceivedMessage[]): readonly ReceivedMessage[] {
    const live = received.filter((message) => message.stale !== true);
    const skipped = received.length - live.length;
    if (skipped > 0) {
      this.counters.staleSkipped += skipped;
      this.logger.warn({
        msg: `Skipped ${skipped} of ${received.length} message(s) of a batch from the ${this.steps.kind} topic: the connection they came on is gone, and Pulsar delivers them again`,
        correlationId: received[0].messageId,
      });
    }
    return live;
  }

  /** Sets the timer for the earliest try of a waiting held message (or clears it). */
  private scheduleRetry(): void {
    if (this.stopped) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.held.values()) {
      if (entry.waiting && entry.nextTry < earliest) earliest = entry.nextTry;
    }
    if (earliest === this.retryAt && this.retryTimer) return;
    this.clearTimer();
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.retryAt = earliest;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.retryAt = Number.POSITIVE_INFINITY;
        this.tryDue();
      },
      Math.max(0, earliest - performance.now()),
    );
  }

  private clearTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAt = Number.POSITIVE_INFINITY;
  }

  /** A try of held messages is complete: the next one now if asked for, or after the pause. */
  private retryDone(): void {
    this.retrying = false;
    if (this.retryAgain) {
      this.retryAgain = false;
      this.tryDue();
    } else {
      this.scheduleRetry();
    }
  }

  /**
   * The batch written, held through store outages; split when it fails otherwise. Returns the
   * prepared parts in message order; none when the worker stops during an outage (the messages
   * are then left unsettled for the broker to deliver again).
   */
  private async prepareIsolating(batch: readonly ReceivedMessage[]): Promise<PreparedBatch[]> {
    try {
      return [await this.gate.hold(() => this.steps.prepare(batch), batch.length)];
    } catch (error: unknown) {
      if (error instanceof IngestStoppedError) return [];
      if (batch.length === 1) return [this.failedAlone(batch[0], error)];
      this.counters.batchesSplit += 1;
      this.metrics.batchFailed(this.steps.topic);
      const half = Math.ceil(batch.length / 2);
      this.logger.warn({
        msg: `A batch of ${batch.length} message(s) from the ${this.steps.kind} topic failed (${errorText(error)}); splitting it into ${half} + ${batch.length - half} to find the message that causes it`,
        correlationId: batch[0].messageId,
      });
      const left = await this.prepareIsolating(batch.slice(0, half));
      const right = await this.prepareIsolating(batch.slice(half));
      return [...left, ...right];
    }
  }

  /**
   * Completing failed (a bug: `complete` handles its own failures): every message of the batch
   * that is still unsettled is nacked (held ones included), so none is left hanging and later
   * batches go on.
   */
  private async release(prepared: readonly PreparedBatch[], error: unknown): Promise<void> {
    const unsettled = prepared
      .flatMap((part) => part.settlements.map((s) => s.message))
      .filter((message) => !message.settled);
    for (const message of unsettled) this.held.delete(message);
    this.heldChanged();
    this.logger.error({
      msg: `Settling a batch from the ${this.steps.kind} topic failed (${errorText(error)}); ${unsettled.length} unsettled message(s) are negatively acknowledged and will be delivered again`,
      correlationId: unsettled[0]?.messageId,
    });
    await Promise.all(
      unsettled.map((message) =>
        message.nack().catch((nackError: unknown) => {
          this.logger.error({
            msg: `could not nack the message (the broker delivers it again): ${errorText(nackError)}`,
            correlationId: message.messageId,
          });
        }),
      ),
    );
  }

  /** A message that makes the write fail on its own: retried through the broker. */
  private failedAlone(message: ReceivedMessage, error: unknown): PreparedBatch {
    const settlement: Settlement = {
      message,
      outcome: { kind: 'retry', reason: `the graph write failed: ${errorText(error)}` },
      endNoun: 'vertex',
    };
    return { settlements: [settlement], activities: [], sources: new Map() };
  }
}
