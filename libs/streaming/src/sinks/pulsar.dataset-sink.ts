import { randomUUID } from 'node:crypto';
import type { DatasetSink } from '@app/generators';
import type { StreamingConfig } from '@app/settings';
import { Clock, movementOf, SystemClock } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, GroundTruthRecord, MovementEdge } from '@app/vocabulary';
import type { BrokerLogger } from '../broker-logger';
import { createMessageBroker } from '../broker.factory';
import type { BrokerKind, MessageBroker, OutgoingMessage } from '../message-broker.port';
import { bundleMessages } from '../messages/bundle';
import {
  edgeUpsertMessage,
  movementMessage,
  vertexUpsertMessage,
} from '../messages/envelope.codec';

/** Messages per publish call when no batch size is given. */
export const DEFAULT_PUBLISH_BATCH_SIZE = 500;

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
 * and returns when the broker stored them all, entity edges before the movements of the same call. Ground truth is not stream data: it is kept and
 * returned by `groundTruth()`. `abort()` cannot take back what was published (upserts are
 * idempotent, so publishing again is harmless).
 */
export class PulsarDatasetSink implements DatasetSink {
  readonly published: PublishedCounts = { vertices: 0, entityEdges: 0, movements: 0 };
  private readonly records: GroundTruthRecord[] = [];
  private readonly batchSize: number;
  private readonly publishesInFlight: number;
  private readonly bundle: { maxItems: number; keyBuckets: number };
  private readonly clock: Clock;
  private readonly newId: () => string;
  private closed = false;

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
    await this.publish(
      this.options.movementsTopic,
      movements.map((edge) => {
        const movement = movementOf(edge);
        return movementMessage(movement, { id: this.newId(), occurredAt: movement.timestamp });
      }),
    );
    this.published.movements += movements.length;
  }

  writeGroundTruth(records: readonly GroundTruthRecord[]): Promise<void> {
    this.records.push(...records);
    return Promise.resolve();
  }

  groundTruth(): readonly GroundTruthRecord[] {
    return this.records;
  }

  async close(): Promise<void> {
    await this.release();
  }

  async abort(): Promise<void> {
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
    const messages = bundleMessages(envelopes, this.bundle);
    const chunk = Math.max(1, Math.floor(this.batchSize / this.bundle.maxItems));
    const inFlight: Promise<unknown>[] = [];
    let failure: { error: unknown } | undefined;
    for (let start = 0; start < messages.length && !failure; start += chunk) {
      if (inFlight.length >= this.publishesInFlight) {
        await (inFlight.shift() as Promise<unknown>).catch((error: unknown) => {
          failure = { error };
        });
        if (failure) break;
      }
      const publishing = this.options.broker.publish(topic, messages.slice(start, start + chunk));
      // Looked at in turn below; until then a failure must not count as unhandled.
      publishing.catch(() => undefined);
      inFlight.push(publishing);
    }
    const outcomes = await Promise.allSettled(inFlight);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.error;
    if (failed) throw failed.reason;
  }
}
