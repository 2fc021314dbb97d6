import type { LoggerService } from '@nestjs/common';
import type { ReceivedMessage } from '@app/streaming';
import type { PreparedBatch } from './ingest.processor';
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
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The work on one topic, batch after batch, in two overlapping steps: while batch N is detected
 * and settled, batch N+1 is already being written (never more than one batch ahead, and
 * detection and settling stay in batch order, so one account's movements reach detection in
 * order).
 *
 * Writing a batch goes through the `OutageGate`: while the graph store is down the batch is
 * held and tried again with backoff, unsettled, and no further batch of this topic is written
 * (the broker stops handing out messages once the worker's receive queue is full). A write that
 * fails for any other reason is a message fault: the batch is split in halves, and halves again,
 * until the message that makes it fail is alone; that one is retried through the broker (and
 * dead-lettered with the error on its last delivery) while the others are written.
 */
export class TopicPipeline {
  private completing: Promise<void> = Promise.resolve();

  constructor(
    private readonly steps: TopicPipelineSteps,
    private readonly gate: OutageGate,
    private readonly counters: IngestCounters,
    private readonly metrics: IngestMetrics,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Writes a batch, queues its completion behind the previous batch's, and resolves once the
   * batch is written and the previous one is complete (so at most two are in the pipeline).
   */
  async run(batch: readonly ReceivedMessage[]): Promise<void> {
    this.counters.received += batch.length;
    this.metrics.batchStarted(this.steps.topic, batch.length);
    const started = performance.now();
    const prepared = await this.prepareIsolating(batch);
    const previous = this.completing;
    this.completing = previous.then(async () => {
      try {
        for (const part of prepared) await this.steps.complete(part);
      } catch (error: unknown) {
        await this.release(prepared, error);
      }
      this.metrics.batchFinished(
        this.steps.topic,
        batch.length,
        (performance.now() - started) / 1000,
      );
    });
    await previous;
  }

  /** Resolves when every batch handed to `run` so far is complete. */
  async drain(): Promise<void> {
    await this.completing;
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
   * that is still unsettled is nacked, so none is left hanging and later batches go on.
   */
  private async release(prepared: readonly PreparedBatch[], error: unknown): Promise<void> {
    const unsettled = prepared
      .flatMap((part) => part.settlements.map((s) => s.message))
      .filter((message) => !message.settled);
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
