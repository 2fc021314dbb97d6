import type { LoggerService } from '@nestjs/common';
import type { MessageBroker, ReceivedMessage } from '@app/streaming';
import type { Clock } from '@app/vocabulary';
import type { WriteOutcome } from './graph-batch.writer';
import type { IngestMetrics, SettledOutcome } from './ingest.metrics';

/**
 * Set on a message the worker published again to wait longer for a missing vertex: epoch ms of
 * the original publish, so the wait keeps counting from there. The DLQ replay removes it.
 */
export const WAITING_SINCE_PROPERTY = 'ingest-waiting-since';

export interface IngestCounters {
  received: number;
  written: number;
  deadLettered: number;
  retried: number;
  alertsPublished: number;
  detectionFailures: number;
  /** Tries of a held batch that failed because the graph store was down. */
  outageRetries: number;
  /** Batches split to isolate a message that made the write fail unexpectedly. */
  batchesSplit: number;
  /** Deliveries held in the worker for a missing end vertex (instead of a nack at once). */
  held: number;
  /** Held deliveries whose end vertex was still missing when the hold time ran out. */
  heldTimedOut: number;
  /** Tries of held messages (one per message per try). */
  heldTries: number;
  /**
   * Deliveries left unwritten because the connection they came on was gone before their batch
   * started (Pulsar delivers them again on the new connection).
   */
  staleSkipped: number;
  /**
   * Entity messages acknowledged without a write: the worker had already written a newer
   * version of the same vertex or edge (a held or redelivered message arriving late).
   */
  superseded: number;
}

export function emptyCounters(): IngestCounters {
  return {
    received: 0,
    written: 0,
    deadLettered: 0,
    retried: 0,
    alertsPublished: 0,
    detectionFailures: 0,
    outageRetries: 0,
    batchesSplit: 0,
    held: 0,
    heldTries: 0,
    heldTimedOut: 0,
    staleSkipped: 0,
    superseded: 0,
  };
}

export interface SettlerConfig {
  /** PULSAR_MAX_REDELIVER_COUNT: deliveries after the first before the worker gives up. */
  maxRedeliverCount: number;
  /** INGEST_MISSING_ENTITY_WAIT_MS: least wait for a missing end vertex. */
  missingEntityWaitMs: number;
}

/** A message and what became of it, and what its missing ends are called in reasons. */
export interface Settlement {
  message: ReceivedMessage;
  outcome: WriteOutcome;
  /** `account` for movements, `vertex` otherwise. */
  endNoun: string;
}

/** A message a batch sent back to the broker to be delivered again, reported in its summary. */
interface SentBack {
  kind: 'waiting' | 'retrying';
  context: Record<string, unknown>;
  /** What the per-message line says (logged at debug level in a batch). */
  msg: string;
  endNoun: string;
}

/**
 * When a message waiting for a missing end vertex was first published: its
 * `ingest-waiting-since` property when the worker published it again, else its publish time.
 */
export function firstPublishedAt(message: ReceivedMessage): number {
  const since = Number(message.properties[WAITING_SINCE_PROPERTY]);
  return Number.isSafeInteger(since) && since > 0 && since <= message.publishTime
    ? since
    : message.publishTime;
}

/** `an account`, `a vertex`. */
function withArticle(noun: string): string {
  return `${'aeiou'.includes(noun.charAt(0)) ? 'an' : 'a'} ${noun}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}

/**
 * Settles messages by what happened to them, all of a batch at once (concurrently):
 *
 * - written → ack;
 * - invalid → dead-letter now with the reason;
 * - retry (failed on its own) → nack, and on its last allowed delivery
 *   (`redeliveryCount >= maxRedeliverCount`) dead-letter with
 *   `still failing after N redeliveries: <reason>`;
 * - missing end vertex → it waits: nack while redeliveries remain; once they are spent but
 *   INGEST_MISSING_ENTITY_WAIT_MS has not passed, publish it again to its topic (with
 *   `ingest-waiting-since`) and ack the old copy, which starts a new redelivery budget; when both
 *   are used up, dead-letter with `account "X" does not exist after waiting N s`. The wait counts
 *   from the original publish time, or from when the store began answering (worker start, end of
 *   an outage) if that is later: a worker that was down does not dead-letter its backlog.
 *
 * A message that cannot be settled (the broker is gone) stays with the broker, which delivers it
 * again; writes are idempotent, so that is harmless.
 */
export class MessageSettler {
  constructor(
    private readonly broker: MessageBroker,
    private readonly config: SettlerConfig,
    private readonly counters: IngestCounters,
    private readonly metrics: IngestMetrics,
    private readonly logger: LoggerService,
    private readonly clock: Clock,
    /** Epoch ms since when the graph store has answered without interruption. */
    private readonly storeAnsweringSince: () => number,
  ) {}

  /**
   * Settles a batch, every message at once. Messages that could not be settled (the broker
   * delivers them again) are reported in one line for the batch, not one per message: a lost
   * connection leaves a whole receive queue unsettled, and a thousand identical errors would
   * hide what happened. Each message's own error is logged at debug level.
   *
   * Messages sent back to be delivered again (waiting for a missing end vertex, or failed on
   * their own) are reported the same way: one warning per batch and kind, naming the first, and
   * each message at debug level. A worker that starts on a backlog reads movements before the
   * accounts they need are written, and one warning per message had made a thousand lines for a
   * bank of a thousand movements.
   */
  async settleAll(settlements: readonly Settlement[]): Promise<void> {
    const sentBack: SentBack[] = [];
    const errors = await Promise.all(settlements.map((s) => this.trySettle(s, sentBack)));
    this.reportSentBack(sentBack, settlements.length);
    const failed: { message: ReceivedMessage; error: unknown }[] = [];
    errors.forEach((error, index) => {
      if (error !== undefined) failed.push({ message: settlements[index].message, error });
    });
    if (failed.length === 0) return;
    for (const { message, error } of failed) {
      this.logger.debug?.({
        correlationId: message.messageId,
        topic: message.topic,
        msg: `could not settle the message (the broker delivers it again): ${errorText(error)}`,
      });
    }
    const [first] = failed;
    this.logger.error({
      correlationId: first.message.messageId,
      topic: first.message.topic,
      msg: `could not settle ${failed.length} of ${settlements.length} message(s) of a batch; the broker delivers them again (the upserts are idempotent, so nothing is written twice). First error: ${errorText(first.error)}`,
    });
  }

  async settle(settlement: Settlement): Promise<void> {
    const error = await this.trySettle(settlement);
    if (error === undefined) return;
    const { message } = settlement;
    this.logger.error({
      correlationId: message.messageId,
      topic: message.topic,
      redeliveryCount: message.redeliveryCount,
      msg: `could not settle the message (the broker delivers it again): ${errorText(error)}`,
    });
  }

  /**
   * Settles one message; resolves to the error when it could not be settled, else undefined.
   * With `sentBack`, a message sent back to the broker is noted there and logged at debug level
   * (its batch reports it); without, it is logged as a warning.
   */
  private async trySettle(
    { message, outcome, endNoun }: Settlement,
    sentBack?: SentBack[],
  ): Promise<unknown> {
    if (message.settled) return undefined;
    const context = {
      correlationId: message.messageId,
      topic: message.topic,
      redeliveryCount: message.redeliveryCount,
    };
    try {
      switch (outcome.kind) {
        case 'written':
          await message.ack();
          this.count(message, 'written');
          this.logger.debug?.({ ...context, msg: 'written' });
          return;
        case 'superseded':
          await message.ack();
          this.count(message, 'superseded');
          this.logger.debug?.({
            ...context,
            msg: `not written: a newer version (occurredAt ${new Date(outcome.newerAt).toISOString()}) is already written`,
          });
          return;
        case 'invalid':
          await this.deadLetter(message, `${outcome.reason}`, 'invalid', context);
          return;
        case 'retry':
          if (this.lastDelivery(message)) {
            const reason = `still failing after ${message.redeliveryCount} redeliveries: ${outcome.reason}`;
            await this.deadLetter(message, reason, 'gave up', context);
          } else {
            await message.nack();
            this.count(message, 'retried');
            this.sentBack(sentBack, {
              kind: 'retrying',
              context,
              msg: `will retry: ${outcome.reason}`,
              endNoun,
            });
          }
          return;
        case 'missing':
          await this.settleMissing(message, outcome, endNoun, context, sentBack);
          return;
      }
    } catch (error: unknown) {
      return error ?? new Error('settling failed without an error');
    }
    return undefined;
  }

  private async settleMissing(
    message: ReceivedMessage,
    outcome: Extract<WriteOutcome, { kind: 'missing' }>,
    endNoun: string,
    context: Record<string, unknown>,
    sentBack: SentBack[] | undefined,
  ): Promise<void> {
    const firstPublished = firstPublishedAt(message);
    const now = this.clock.now();
    const waitStart = Math.max(firstPublished, this.storeAnsweringSince());
    const waited = now - waitStart;
    const missing = outcome.missing.map((uid) => `${endNoun} "${uid}"`).join(' and ');
    if (!this.lastDelivery(message)) {
      await message.nack();
      this.count(message, 'retried');
      this.sentBack(sentBack, {
        kind: 'waiting',
        context,
        msg: `waiting for ${missing}: ${outcome.reason}`,
        endNoun,
      });
      return;
    }
    if (waited < this.config.missingEntityWaitMs) {
      // Redeliveries spent, wait not over: a fresh copy starts a new redelivery budget.
      await this.broker.publish(message.topic, [
        {
          payload: message.payload,
          key: message.key,
          properties: { ...message.properties, [WAITING_SINCE_PROPERTY]: String(firstPublished) },
        },
      ]);
      await message.ack();
      this.count(message, 'retried');
      this.logger.warn({
        ...context,
        msg: `still waiting for ${missing} after ${seconds(waited)} s; published it again to wait up to ${seconds(this.config.missingEntityWaitMs)} s`,
      });
      return;
    }
    const verb = outcome.missing.length > 1 ? 'do' : 'does';
    const reason = `${missing} ${verb} not exist after waiting ${seconds(now - firstPublished)} s (${message.redeliveryCount} redeliveries); write the ${endNoun} first, then replay the dead letter`;
    await this.deadLetter(message, reason, 'missing', context);
  }

  /** Notes a message sent back for its batch's summary, or warns about it on its own. */
  private sentBack(notes: SentBack[] | undefined, note: SentBack): void {
    if (notes === undefined) {
      this.logger.warn({ ...note.context, msg: note.msg });
      return;
    }
    notes.push(note);
    this.logger.debug?.({ ...note.context, msg: note.msg });
  }

  /** One warning per kind for the messages a batch of `total` sent back to the broker. */
  private reportSentBack(notes: readonly SentBack[], total: number): void {
    for (const kind of ['waiting', 'retrying'] as const) {
      const ofKind = notes.filter((note) => note.kind === kind);
      if (ofKind.length === 0) continue;
      const [first] = ofKind;
      const count = `${ofKind.length} of ${total} message(s) of a batch`;
      const msg =
        kind === 'waiting'
          ? `${count} wait for ${withArticle(first.endNoun)} not written yet and go back to the broker, which delivers them again (usual while the entities they need are still on their way; a message is dead-lettered only when its redeliveries and INGEST_MISSING_ENTITY_WAIT_MS are spent). First: ${first.msg}. Each message is logged at debug level.`
          : `${count} failed on their own and go back to the broker to be tried again (a message is dead-lettered when its redeliveries are spent). First: ${first.msg}. Each message is logged at debug level.`;
      this.logger.warn({ ...first.context, msg });
    }
  }

  private lastDelivery(message: ReceivedMessage): boolean {
    return message.redeliveryCount >= this.config.maxRedeliverCount;
  }

  private async deadLetter(
    message: ReceivedMessage,
    reason: string,
    why: string,
    context: Record<string, unknown>,
  ): Promise<void> {
    await message.deadLetter(reason);
    this.count(message, 'dead_lettered');
    this.logger.warn({ ...context, msg: `dead-lettered (${why}): ${reason}` });
  }

  private count(message: ReceivedMessage, outcome: SettledOutcome): void {
    if (outcome === 'written') this.counters.written += 1;
    else if (outcome === 'retried') this.counters.retried += 1;
    else if (outcome === 'superseded') this.counters.superseded += 1;
    else this.counters.deadLettered += 1;
    this.metrics.settled(message.topic, outcome);
  }
}
