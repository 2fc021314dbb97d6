import { randomUUID } from 'node:crypto';
import type { DatasetSink } from '@app/generators';
import type { StreamingConfig } from '@app/settings';
import { Clock, movementOf, SystemClock } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, GroundTruthRecord, MovementEdge } from '@app/vocabulary';
import type { BrokerLogger } from '../broker-logger';
import { createMessageBroker } from '../broker.factory';
import type {
  BrokerKind,
  MessageBroker,
  OutgoingMessage,
  SubscriptionType,
} from '../message-broker.port';
import { ensureSubscriptionsFromStart } from '../message-broker.port';
import { BUNDLE_SIZE_PROPERTY, bundleMessages } from '../messages/bundle';
import {
  edgeUpsertMessage,
  movementMessage,
  vertexUpsertMessage,
} from '../messages/envelope.codec';

/** Messages per publish call when no batch size is given. */
export const DEFAULT_PUBLISH_BATCH_SIZE = 500;

/** Most movements a sink with bundles keeps back before it publishes them. */
export const MAX_MOVEMENTS_KEPT_BACK = 20_000;

/** Publish calls of one write kept in flight at once when not given. */
export const DEFAULT_PUBLISHES_IN_FLIGHT = 4;

export interface PulsarDatasetSinkOptions {
  broker: MessageBroker;
  entitiesTopic: string;
  movementsTopic: string;
  /** Envelopes per publish call. */
  batchSize?: number;
  /**
   * Most envelopes per Pulsar message (a bundle, see `bundleMessages`); 1 (the default here)
   * publishes every envelope as a message of its own. `fromSettings` takes
   * `PULSAR_PUBLISH_BUNDLE_SIZE`.
   */
  bundleSize?: number;
  /** Key buckets of the bundles (`PULSAR_PUBLISH_KEY_BUCKETS` in `fromSettings`; default 64). */
  keyBuckets?: number;
  /**
   * Publish calls sent before the receipts of the earlier ones arrived (default 4). The broker
   * keeps their order on the topic; each write still returns only once all of them are stored.
   */
  publishesInFlight?: number;
  /**
   * The ingest worker's subscription (`PULSAR_SUBSCRIPTION` in `fromSettings`). When given, the
   * sink creates it on both topics, from their first message, before it publishes anything (an
   * existing one keeps its position). Pulsar keeps a message only for the subscriptions that
   * exist when it arrives, so without this a bank published before any worker ever ran would be
   * lost to the worker that starts later.
   */
  ingestSubscription?: string;
  /** The type the worker attaches with (`PULSAR_SUBSCRIPTION_TYPE` in `fromSettings`). */
  ingestSubscriptionType?: SubscriptionType;
  /** Close the broker on `close()` / `abort()` (when the sink created it). */
  ownsBroker?: boolean;
  clock?: Clock;
  newId?: () => string;
}

/** What the sink published. */
export interface PublishedCounts {
  vertices: number;
  entityEdges: number;
  movements: number;
}

/**
 * A `DatasetSink` (see @app/generators) that publishes a generated bank as stream messages
 * instead of writing it into a graph: vertices and every edge but TRANSFERRED as
 * `vertex.upsert` / `edge.upsert` envelopes on the entities topic, TRANSFERRED edges as
 * `movement.recorded` envelopes (a `Movement`) on the movements topic. Messages are keyed by
 * the vertex uid, the edge's source and the paying account; with `bundleSize` > 1 up to that
 * many envelopes of one key bucket travel in one Pulsar message (see `bundleMessages`). The
 * ingest worker then writes them.
 *
 * Each write call publishes in batches, several in flight at once (the broker keeps their order),
 * and returns when the broker stored them all, entity edges before the movements of the same
 * call; with bundles, movements are kept back until enough wait to fill the bundles (see
 * `movementsFlushAt`) and the rest is published by `close()`. Ground truth is not stream data: it is kept and
 * returned by `groundTruth()`. `abort()` cannot take back what was published (upserts are
 * idempotent, so publishing again is harmless).
 */
export class PulsarDatasetSink implements DatasetSink {
  readonly published: PublishedCounts = { vertices: 0, entityEdges: 0, movements: 0 };
  private readonly records: GroundTruthRecord[] = [];
  private readonly batchSize: number;
  private readonly publishesInFlight: number;
  private readonly bundle: { maxItems: number; keyBuckets: number };
  /**
   * With bundles, movements are kept back until this many are waiting (enough to fill a bundle
   * per key bucket), then published together: a generator writes the movements of one day per
   * call, a few hundred, which spread over the buckets would make bundles of a handful. `close`
   * publishes the rest. 0 (no bundles): published by the call that brings them.
   */
  private readonly movementsFlushAt: number;
  private pendingMovements: OutgoingMessage[] = [];
  private readonly clock: Clock;
  private readonly newId: () => string;
  private closed = false;
  private subscriptionsReady?: Promise<void>;

  constructor(private readonly options: PulsarDatasetSinkOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_PUBLISH_BATCH_SIZE;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`batchSize must be a whole number, at least 1 (got ${this.batchSize})`);
    }
    this.publishesInFlight = options.publishesInFlight ?? DEFAULT_PUBLISHES_IN_FLIGHT;
    if (!Number.isSafeInteger(this.publishesInFlight) || this.publishesInFlight < 1) {
      throw new RangeError(
        `publishesInFlight must be a whole number, at least 1 (got ${this.publishesInFlight})`,
      );
    }
    this.bundle = { maxItems: options.bundleSize ?? 1, keyBuckets: options.keyBuckets ?? 64 };
    // Checks both now rather than at the first write.
    bundleMessages([], this.bundle);
    this.movementsFlushAt =
      this.bundle.maxItems === 1
        ? 0
        : Math.min(MAX_MOVEMENTS_KEPT_BACK, this.bundle.maxItems * this.bundle.keyBuckets);
    this.clock = options.clock ?? new SystemClock();
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * A sink on the Pulsar broker of the `streaming` settings (whatever STREAMING_BACKEND says:
   * an embedded memory broker would publish into a process nobody reads). It owns its broker.
   * Creating it does not connect; `ping()` checks that Pulsar answers.
   */
  static fromSettings(
    config: StreamingConfig,
    logger: BrokerLogger,
    options: { batchSize?: number } = {},
  ): PulsarDatasetSink {
    const broker = createMessageBroker({ ...config, backend: 'pulsar' }, { logger });
    return new PulsarDatasetSink({
      broker,
      entitiesTopic: config.entitiesTopic,
      movementsTopic: config.movementsTopic,
      batchSize: options.batchSize,
      bundleSize: config.publishBundleSize,
      keyBuckets: config.publishKeyBuckets,
      ingestSubscription: config.subscription,
      ingestSubscriptionType: config.subscriptionType,
      ownsBroker: true,
    });
  }

  /** The kind of broker it publishes through (`pulsar-websocket` or `pulsar-native` from settings). */
  get brokerKind(): BrokerKind {
    return this.options.broker.kind;
  }

  /** Full names of the topics it publishes to (`persistent://tenant/namespace/name`). */
  get topics(): { entities: string; movements: string } {
    return {
      entities: this.options.broker.topicName(this.options.entitiesTopic),
      movements: this.options.broker.topicName(this.options.movementsTopic),
    };
  }

  /** Resolves when the broker answers; rejects with `StreamUnavailableError` otherwise. */
  ping(): Promise<void> {
    return this.options.broker.ping();
  }

  async writeVertices(batch: readonly GraphVertex[]): Promise<void> {
    const occurredAt = this.clock.now();
    await this.publish(
      this.options.entitiesTopic,
      batch.map((vertex) => vertexUpsertMessage(vertex, { id: this.newId(), occurredAt })),
    );
    this.published.vertices += batch.length;
  }

  async writeEdges(batch: readonly GraphEdge[]): Promise<void> {
    const occurredAt = this.clock.now();
    const entityEdges = batch.filter((edge) => edge.label !== 'TRANSFERRED');
    const movements = batch.filter((edge): edge is MovementEdge => edge.label === 'TRANSFERRED');
    await this.publish(
      this.options.entitiesTopic,
      entityEdges.map((edge) => edgeUpsertMessage(edge, { id: this.newId(), occurredAt })),
    );
    this.published.entityEdges += entityEdges.length;
    for (const edge of movements) {
      const movement = movementOf(edge);
      this.pendingMovements.push(
        movementMessage(movement, { id: this.newId(), occurredAt: movement.timestamp }),
      );
    }
    if (this.pendingMovements.length >= this.movementsFlushAt) await this.flushMovements();
  }

  /** Publishes the movements kept back to fill bundles (see `movementsFlushAt`). */
  private async flushMovements(): Promise<void> {
    const movements = this.pendingMovements;
    this.pendingMovements = [];
    await this.publish(this.options.movementsTopic, movements);
    this.published.movements += movements.length;
  }

  writeGroundTruth(records: readonly GroundTruthRecord[]): Promise<void> {
    this.records.push(...records);
    return Promise.resolve();
  }

  groundTruth(): readonly GroundTruthRecord[] {
    return this.records;
  }

  /** Publishes the movements kept back, then releases the broker (if the sink owns it). */
  async close(): Promise<void> {
    try {
      if (!this.closed && this.pendingMovements.length > 0) await this.flushMovements();
    } finally {
      await this.release();
    }
  }

  /** Releases the broker; movements kept back are dropped (never published). */
  async abort(): Promise<void> {
    this.pendingMovements = [];
    await this.release();
  }

  private async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.ownsBroker) await this.options.broker.close();
  }

  /**
   * Bundles the envelopes (when `bundleSize` > 1) and publishes them in chunks of about
   * `batchSize` envelopes, up to `publishesInFlight` chunks unconfirmed at a time; resolves when
   * every chunk is stored, or rejects with the first failure once none is in flight.
   */
  private async publish(topic: string, envelopes: readonly OutgoingMessage[]): Promise<void> {
    if (envelopes.length === 0) return;
    await this.ensureIngestSubscription();
    const inFlight: Promise<unknown>[] = [];
    let failure: { error: unknown } | undefined;
    for (const messages of this.publishCalls(envelopes)) {
      if (inFlight.length >= this.publishesInFlight) {
        await (inFlight.shift() as Promise<unknown>).catch((error: unknown) => {
          failure = { error };
        });
        if (failure) break;
      }
      const publishing = this.options.broker.publish(topic, messages);
      // Looked at in turn below; until then a failure must not count as unhandled.
      publishing.catch(() => undefined);
      inFlight.push(publishing);
    }
    const outcomes = await Promise.allSettled(inFlight);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.error;
    if (failed) throw failed.reason;
  }

  /**
   * Creates the ingest worker's subscription on both topics from their first message (once per
   * sink; see `ingestSubscription`). A failure is the publish's failure: publishing into a topic
   * nobody keeps messages for would lose them.
   */
  private ensureIngestSubscription(): Promise<void> {
    const subscription = this.options.ingestSubscription;
    if (subscription === undefined) return Promise.resolve();
    this.subscriptionsReady ??= ensureSubscriptionsFromStart(
      this.options.broker,
      [this.options.entitiesTopic, this.options.movementsTopic],
      subscription,
      this.options.ingestSubscriptionType,
    ).then((failures) => {
      if (failures.length === 0) return;
      this.subscriptionsReady = undefined;
      throw failures[0].error;
    });
    return this.subscriptionsReady;
  }

  /** The messages (bundled when asked) of each publish call: about `batchSize` envelopes each. */
  private publishCalls(envelopes: readonly OutgoingMessage[]): OutgoingMessage[][] {
    const calls: OutgoingMessage[][] = [];
    let call: OutgoingMessage[] = [];
    let count = 0;
    for (const message of bundleMessages(envelopes, this.bundle)) {
      call.push(message);
      count += Number(message.properties?.[BUNDLE_SIZE_PROPERTY] ?? 1);
      if (count >= this.batchSize) {
        calls.push(call);
        call = [];
        count = 0;
      }
    }
    if (call.length > 0) calls.push(call);
    return calls;
  }
}
