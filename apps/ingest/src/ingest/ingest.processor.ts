import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { GraphStore } from '@app/graph-store';
import {
  alertMessage,
  decodeEntityMessage,
  decodeMovementMessage,
  MessageBroker,
  ReceivedMessage,
  StreamAlert,
} from '@app/streaming';
import { accountEventOf, compareActivities } from '@app/detectors';
import type { Activity } from '@app/detectors';
import { movementEdge } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, Movement, MovementEdge } from '@app/vocabulary';
import { RejectionClassifier, writeBatch, WriteOutcome } from './graph-batch.writer';
import { IngestMetrics, NoIngestMetrics } from './ingest.metrics';
import type { MovementDetector } from './movement-detector';

export interface IngestCounters {
  received: number;
  written: number;
  deadLettered: number;
  retried: number;
  alertsPublished: number;
  detectionFailures: number;
}

export interface ProcessorConfig {
  alertsTopic: string;
  maxRedeliverCount: number;
  /**
   * Movements and account events remembered so that a redelivered one is not fed to detection
   * twice.
   */
  detectedMemory: number;
}

/** Messages of one item (a uid, an eid, a movement id) in a batch; the last one wins. */
interface Group<T> {
  item: T;
  messages: ReceivedMessage[];
}

function group<T>(
  entries: readonly { key: string; item: T; message: ReceivedMessage }[],
): Group<T>[] {
  const groups = new Map<string, Group<T>>();
  for (const { key, item, message } of entries) {
    const found = groups.get(key);
    if (found) {
      found.item = item;
      found.messages.push(message);
    } else {
      groups.set(key, { item, messages: [message] });
    }
  }
  return [...groups.values()];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes batches of stream messages into the graph and settles each message by what happened
 * to it: written → ack; invalid → dead-letter at once with the reason; transient failure or
 * waiting for an entity → nack (redelivered after the delay), and dead-lettered with the
 * reason on its last allowed delivery. Writes are idempotent upserts, so redelivery is safe.
 */
export class IngestProcessor {
  readonly counters: IngestCounters = {
    received: 0,
    written: 0,
    deadLettered: 0,
    retried: 0,
    alertsPublished: 0,
    detectionFailures: 0,
  };
  private readonly detected = new Set<string>();

  constructor(
    private readonly store: GraphStore,
    private readonly broker: MessageBroker,
    private readonly detector: MovementDetector,
    private readonly config: ProcessorConfig,
    private readonly logger: LoggerService,
    private readonly metrics: IngestMetrics = new NoIngestMetrics(),
  ) {}

  /**
   * A batch from the entities topic: vertex upserts first, then edge upserts. Written HAS_EVENT
   * edges (an account's login, credential change…) are fed to detection in time order, like
   * movements, with their Event vertex as the graph holds it; raised alerts are published.
   */
  async processEntities(messages: readonly ReceivedMessage[]): Promise<void> {
    this.counters.received += messages.length;
    const vertices: { key: string; item: GraphVertex; message: ReceivedMessage }[] = [];
    const edges: { key: string; item: GraphEdge; message: ReceivedMessage }[] = [];
    for (const message of messages) {
      const decoded = decodeEntityMessage(message.payload);
      if (!decoded.ok) {
        await this.settle(message, { kind: 'invalid', reason: decoded.reason });
        continue;
      }
      const envelope = decoded.envelope;
      if (envelope.type === 'vertex.upsert') {
        const payload = envelope.payload;
        vertices.push({ key: payload.uid, item: payload, message });
      } else {
        const payload = envelope.payload;
        edges.push({ key: payload.eid, item: payload, message });
      }
    }
    const vertexGroups = group(vertices);
    if (vertexGroups.length > 0) {
      const outcomes = await writeBatch(
        vertexGroups.map((g) => g.item),
        (batch) => this.store.upsertVertices(batch),
        (rejected) => Promise.resolve(rejected.map(() => 'invalid' as const)),
      );
      await this.settleGroups(vertexGroups, outcomes);
    }
    const edgeGroups = group(edges);
    if (edgeGroups.length > 0) {
      const outcomes = await writeBatch(
        edgeGroups.map((g) => g.item),
        (batch) => this.store.upsertEdges(batch),
        this.missingEndsAreRetried<GraphEdge>(),
      );
      const hasEvent = edgeGroups.filter(
        (g, index) => outcomes[index].kind === 'written' && g.item.label === 'HAS_EVENT',
      );
      if (hasEvent.length > 0) await this.detect(await this.eventsOf(hasEvent), hasEvent);
      await this.settleGroups(edgeGroups, outcomes);
    }
  }

  /**
   * The account events of written HAS_EVENT edges, in replay order. The Event vertices are read
   * back from the graph (one read): an edge is only written once its Event exists there.
   */
  private async eventsOf(edges: readonly Group<GraphEdge>[]): Promise<Activity[]> {
    const vertices = await this.store.getVertices([...new Set(edges.map((g) => g.item.to))]);
    const events = new Map(vertices.map((v) => [v.uid, v]));
    const activities: Activity[] = [];
    for (const { item: edge } of edges) {
      const vertex = events.get(edge.to);
      if (vertex?.label !== 'Event') continue;
      activities.push({
        type: 'event',
        event: accountEventOf(edge.from, vertex.uid, vertex.props),
      });
    }
    return activities.sort(compareActivities);
  }

  /**
   * A batch from the movements topic. A movement whose accounts are not in the graph yet is
   * retried (it lands once the entities arrive). Written movements are fed to detection in
   * time order; raised alerts are published to the alerts topic.
   */
  async processMovements(messages: readonly ReceivedMessage[]): Promise<void> {
    this.counters.received += messages.length;
    const movements: { key: string; item: Movement; message: ReceivedMessage }[] = [];
    for (const message of messages) {
      const decoded = decodeMovementMessage(message.payload);
      if (!decoded.ok) {
        await this.settle(message, { kind: 'invalid', reason: decoded.reason });
        continue;
      }
      const payload = decoded.envelope.payload;
      movements.push({ key: payload.movementId, item: payload, message });
    }
    const groups = group(movements);
    if (groups.length === 0) return;
    const outcomes = await writeBatch(
      groups.map((g) => movementEdge(g.item)),
      (batch) => this.store.upsertEdges(batch),
      this.missingEndsAreRetried<MovementEdge>(),
    );
    const written = groups
      .filter((_, index) => outcomes[index].kind === 'written')
      .map((g): Activity => ({ type: 'movement', movement: g.item }))
      .sort(compareActivities);
    await this.detect(written, groups);
    await this.settleGroups(groups, outcomes);
  }

  /** Edges rejected because an end vertex is missing wait for it; other rejections are invalid. */
  private missingEndsAreRetried<E extends GraphEdge>(): RejectionClassifier<E> {
    return async (rejected) => {
      const uids = [...new Set(rejected.flatMap(({ item }) => [item.from, item.to]))];
      const present = new Set((await this.store.getVertices(uids)).map((v) => v.uid));
      return rejected.map(({ item }) =>
        present.has(item.from) && present.has(item.to) ? 'invalid' : 'retry',
      );
    };
  }

  /**
   * Feeds written activities (in replay order) to detection, once each, and publishes what they
   * raise. `groups` are the messages they came from (for correlation ids in logs).
   */
  private async detect(
    written: readonly Activity[],
    groups: readonly Group<Movement | GraphEdge>[],
  ): Promise<void> {
    const alerts: StreamAlert[] = [];
    for (const activity of written) {
      const { key, what, sourceId } =
        activity.type === 'movement'
          ? {
              key: activity.movement.movementId,
              what: `movement ${activity.movement.movementId}`,
              sourceId: activity.movement.movementId,
            }
          : {
              key: `${activity.event.accountId}>${activity.event.eventId}`,
              what: `event ${activity.event.eventId} of account ${activity.event.accountId}`,
              sourceId: activity.event.eventId,
            };
      if (this.detected.has(key)) continue;
      try {
        alerts.push(
          ...(await (activity.type === 'movement'
            ? this.detector.onMovement(activity.movement)
            : this.detector.onEvent(activity.event))),
        );
        this.remember(key);
      } catch (error: unknown) {
        this.counters.detectionFailures += 1;
        this.metrics.detectionFailed(1);
        const message = groups.find((g) =>
          'movementId' in g.item ? g.item.movementId === sourceId : g.item.to === sourceId,
        )?.messages[0];
        this.logger.error({
          msg: `Detection failed for ${what}; it stays written (batch detection will see it)`,
          correlationId: message?.messageId,
          error: errorText(error),
        });
      }
    }
    if (alerts.length === 0) return;
    try {
      await this.broker.publish(
        this.config.alertsTopic,
        alerts.map((alert) =>
          alertMessage(alert, {
            id: randomUUID(),
            occurredAt: alert.windowEnd,
          }),
        ),
      );
      this.counters.alertsPublished += alerts.length;
      this.metrics.alertsPublished(alerts.length);
      for (const alert of alerts) {
        this.logger.log({
          msg: `Alert ${alert.alertId} (${alert.ruleId}, ${alert.severity}) published`,
          correlationId: alert.movementIds[alert.movementIds.length - 1],
        });
      }
    } catch (error: unknown) {
      this.counters.detectionFailures += alerts.length;
      this.metrics.detectionFailed(alerts.length);
      this.logger.error({
        msg: `Could not publish ${alerts.length} alert(s) to ${this.config.alertsTopic}; they are saved in the graph`,
        error: errorText(error),
      });
    }
  }

  private remember(key: string): void {
    this.detected.add(key);
    if (this.detected.size > this.config.detectedMemory) {
      const oldest = this.detected.values().next().value;
      if (oldest !== undefined) this.detected.delete(oldest);
    }
  }

  private async settleGroups<T>(
    groups: readonly Group<T>[],
    outcomes: readonly WriteOutcome[],
  ): Promise<void> {
    for (let index = 0; index < groups.length; index += 1) {
      for (const message of groups[index].messages) await this.settle(message, outcomes[index]);
    }
  }

  private async settle(message: ReceivedMessage, outcome: WriteOutcome): Promise<void> {
    const context = {
      correlationId: message.messageId,
      topic: message.topic,
      redeliveryCount: message.redeliveryCount,
    };
    try {
      switch (outcome.kind) {
        case 'written':
          await message.ack();
          this.counters.written += 1;
          this.metrics.settled(message.topic, 'written');
          this.logger.debug?.({ ...context, msg: 'written' });
          return;
        case 'invalid':
          await message.deadLetter(outcome.reason);
          this.counters.deadLettered += 1;
          this.metrics.settled(message.topic, 'dead_lettered');
          this.logger.warn({ ...context, msg: `dead-lettered (invalid): ${outcome.reason}` });
          return;
        case 'retry':
          if (message.redeliveryCount >= this.config.maxRedeliverCount) {
            const reason = `still failing after ${message.redeliveryCount} redeliveries: ${outcome.reason}`;
            await message.deadLetter(reason);
            this.counters.deadLettered += 1;
            this.metrics.settled(message.topic, 'dead_lettered');
            this.logger.warn({ ...context, msg: `dead-lettered: ${reason}` });
          } else {
            await message.nack();
            this.counters.retried += 1;
            this.metrics.settled(message.topic, 'retried');
            this.logger.warn({ ...context, msg: `will retry: ${outcome.reason}` });
          }
          return;
      }
    } catch (error: unknown) {
      // The broker redelivers a message it did not hear about; writes are idempotent.
      this.logger.error({ ...context, msg: `could not settle the message: ${errorText(error)}` });
    }
  }
}
