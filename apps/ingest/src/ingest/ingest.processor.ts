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
import type { Decoded, EntityEnvelope, MovementEnvelope } from '@app/streaming';
import { accountEventOf, compareActivities, identifierUsesOf } from '@app/detectors';
import type { Activity, IdentifierUse } from '@app/detectors';
import { movementEdge, sameEdgeValues, SystemClock } from '@app/vocabulary';
import type { Clock, GraphEdge, GraphVertex, Movement } from '@app/vocabulary';
import {
  RejectionClassifier,
  RejectionVerdict,
  writeBatch,
  WriteOutcome,
} from './graph-batch.writer';
import type { IngestCounters, MessageSettler, Settlement } from './message-settler';
import { IngestMetrics, NoIngestMetrics } from './ingest.metrics';
import type { MovementDetector } from './movement-detector';
import { edgeVersionKey, EntityVersions, vertexVersionKey } from './entity-versions';
import { IngestStoppedError } from './store-outage';

export type { IngestCounters } from './message-settler';

/**
 * How far an entity message's `occurredAt` may be ahead of the worker's clock (clocks of
 * producer and worker differ a little). A version dated later than that is refused: written, it
 * would count as newer than every real update of its vertex or edge, and `EntityVersions` would
 * then acknowledge each of them as superseded without a write (a producer sending microseconds
 * or nanoseconds instead of milliseconds would freeze every element it touched).
 */
export const MAX_OCCURRED_AT_AHEAD_MS = 5 * 60_000;

/**
 * The earliest `occurredAt` an entity message may carry: 1973-03-03T09:46:40Z as epoch
 * milliseconds (10^11). Below it the value is almost surely epoch seconds (today's time in
 * seconds is about 1.7 × 10^9, in milliseconds 1973-01-20): such a version would count as older
 * than every version dated in milliseconds and be acknowledged as superseded without a write,
 * so one producer sending seconds would have its updates silently passed over.
 */
export const MIN_OCCURRED_AT_MS = 100_000_000_000;

/**
 * How far after the worker's clock a movement may be dated. A payment's value date can lie a
 * few days ahead (a weekend, a holiday); a timestamp years ahead is a unit error (microseconds
 * read as milliseconds are dated in the year 55,000) that would sit in every later detection
 * window and stay there: such a movement is dead-lettered with the reason.
 */
export const MAX_MOVEMENT_AHEAD_MS = 7 * 86_400_000;

export interface ProcessorConfig {
  alertsTopic: string;
  /**
   * Movements and account events remembered so that a redelivered one is not fed to detection
   * twice.
   */
  detectedMemory: number;
  /** Vertices and edges whose newest written version is remembered (see `EntityVersions`). */
  versionMemory: number;
}

/**
 * A batch written to the graph, not yet settled: what became of each message, and the written
 * activities to feed to detection (in replay order).
 */
export interface PreparedBatch {
  readonly settlements: readonly Settlement[];
  readonly activities: readonly Activity[];
  /** Id of the message each activity came from (by movement id or Event uid), for logs. */
  readonly sources: ReadonlyMap<string, string>;
  /** Identifier uses (written USES edges), for the learned risk model's shared-identifier features. */
  readonly identifierUses?: readonly IdentifierUse[];
  /** Uids of the vertices this batch wrote (held messages may wait for them). */
  readonly writtenVertices?: readonly string[];
}

/**
 * Messages of one item (a uid, an eid, a movement id) in a batch. The item is the one that
 * happened last (`at`, the envelope's `occurredAt`, when given); of equal times, or without
 * times, the last in the batch.
 */
interface Group<T> {
  item: T;
  at?: number;
  messages: ReceivedMessage[];
}

function group<T>(
  entries: readonly { key: string; item: T; message: ReceivedMessage; at?: number }[],
): Group<T>[] {
  const groups = new Map<string, Group<T>>();
  for (const { key, item, message, at } of entries) {
    const found = groups.get(key);
    if (found) {
      if (at === undefined || found.at === undefined || at >= found.at) {
        found.item = item;
        found.at = at;
      }
      found.messages.push(message);
    } else {
      groups.set(key, { item, at, messages: [message] });
    }
  }
  return [...groups.values()];
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A message's envelope, or why it cannot be read. */
type DecodeOutcome<E> = { ok: true; envelope: E } | { ok: false; reason: string };

/**
 * Decodes one message; a decoder that throws (it should not: the codec refuses oversized and
 * deeply nested payloads) makes that message invalid, never the batch.
 */
function decodeSafely<E>(
  decode: (payload: Buffer) => Decoded<E>,
  message: ReceivedMessage,
): DecodeOutcome<E> {
  try {
    return decode(message.payload);
  } catch (error: unknown) {
    return { ok: false, reason: `message could not be decoded (${errorText(error)})` };
  }
}

/**
 * Decodes a delivery once: a message held for a missing end vertex, or in a batch split to find a
 * failing message, is prepared several times, and decoding (JSON and the envelope's DTO checks)
 * is most of the worker's own CPU per message. Kept per delivery object, so a redelivered copy is
 * decoded again and nothing outlives the message.
 */
function decodeOnce<E>(
  cache: WeakMap<ReceivedMessage, DecodeOutcome<E>>,
  decode: (payload: Buffer) => Decoded<E>,
  message: ReceivedMessage,
): DecodeOutcome<E> {
  let outcome = cache.get(message);
  if (outcome === undefined) {
    outcome = decodeSafely(decode, message);
    cache.set(message, outcome);
  }
  return outcome;
}

/** The end vertices an edge lacked at its last try, and the store's reason. */
interface MissingEnds {
  missing: readonly string[];
  reason: string;
}

function settlementsOf<T>(
  groups: readonly Group<T>[],
  outcomes: readonly WriteOutcome[],
  endNoun: string,
): Settlement[] {
  return groups.flatMap((g, index) =>
    g.messages.map((message) => ({ message, outcome: outcomes[index], endNoun })),
  );
}

/**
 * Writes batches of stream messages into the graph in two steps, so that the worker can write
 * the next batch while the previous one is detected and settled:
 *
 * 1. `prepareEntities` / `prepareMovements`: decode each message (a bad one is `invalid`, the
 *    others go on), write with the store's idempotent upserts, classify rejections by what the
 *    store holds at that moment. No message is settled here, so this step can be run again on
 *    the same batch: after a store outage (its typed errors are thrown), or on halves of the
 *    batch to isolate a message that makes the write fail (any other error is thrown).
 * 2. `complete`: feed the written movements and account events to detection, in time order and
 *    once each; publish the alerts; settle every message of the batch at once (`MessageSettler`).
 */
export class IngestProcessor {
  /**
   * Runs one activity's detection; the worker makes it wait out a store outage (its
   * `OutageGate`) and run again, so that a movement written just before JanusGraph went away
   * is still detected before its message is settled. Without it (tests), it runs once.
   */
  holdDetection: <T>(attempt: () => Promise<T>) => Promise<T> = (attempt) => attempt();
  private readonly detected = new Set<string>();
  private readonly entityEnvelopes = new WeakMap<ReceivedMessage, DecodeOutcome<EntityEnvelope>>();
  private readonly movementEnvelopes = new WeakMap<
    ReceivedMessage,
    DecodeOutcome<MovementEnvelope>
  >();
  /** Deliveries whose edge lacked an end vertex at its last try (held ones, tried again). */
  private readonly lastMissing = new WeakMap<ReceivedMessage, MissingEnds>();
  private readonly versions: EntityVersions;

  constructor(
    private readonly store: GraphStore,
    private readonly broker: MessageBroker,
    private readonly detector: MovementDetector,
    private readonly settler: MessageSettler,
    private readonly counters: IngestCounters,
    private readonly config: ProcessorConfig,
    private readonly logger: LoggerService,
    private readonly metrics: IngestMetrics = new NoIngestMetrics(),
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.versions = new EntityVersions(config.versionMemory);
  }

  /**
   * A batch from the entities topic: vertex upserts first, then edge upserts. Written HAS_EVENT
   * edges (an account's login, credential change…) become account events for detection, with
   * their Event vertex as the graph holds it. A message older (`occurredAt`) than a version of
   * its vertex or edge this worker already wrote is acknowledged without a write (`superseded`,
   * see `EntityVersions`); of several versions in the batch, the one that happened last is
   * written.
   */
  async prepareEntities(messages: readonly ReceivedMessage[]): Promise<PreparedBatch> {
    const settlements: Settlement[] = [];
    type Entry<T> = { key: string; item: T; message: ReceivedMessage; at: number };
    const vertices: Entry<GraphVertex>[] = [];
    const edges: Entry<GraphEdge>[] = [];
    for (const message of messages) {
      const decoded = decodeOnce(this.entityEnvelopes, decodeEntityMessage, message);
      if (!decoded.ok) {
        settlements.push(invalid(message, decoded.reason));
        continue;
      }
      const { type, payload, occurredAt: at } = decoded.envelope;
      const misdated = tooEarly(at) ?? this.aheadOfClock(at);
      if (misdated !== undefined) {
        settlements.push(invalid(message, misdated));
        continue;
      }
      const versionKey =
        type === 'vertex.upsert' ? vertexVersionKey(payload.uid) : edgeVersionKey(payload.eid);
      const newerAt = this.versions.newerThan(versionKey, at);
      if (newerAt !== undefined) {
        settlements.push({ message, outcome: { kind: 'superseded', newerAt }, endNoun: 'vertex' });
      } else if (type === 'vertex.upsert') {
        vertices.push({ key: payload.uid, item: payload, message, at });
      } else {
        edges.push({ key: payload.eid, item: payload, message, at });
      }
    }
    const vertexGroups = group(vertices);
    const writtenVertices: string[] = [];
    if (vertexGroups.length > 0) {
      const outcomes = await writeBatch(
        vertexGroups.map((g) => g.item),
        (batch) => this.store.upsertVertices(batch),
        (rejected) => Promise.resolve(rejected.map((): RejectionVerdict => 'invalid')),
      );
      settlements.push(...settlementsOf(vertexGroups, outcomes, 'vertex'));
      vertexGroups.forEach((g, index) => {
        if (outcomes[index].kind !== 'written') return;
        writtenVertices.push(g.item.uid);
        if (g.at !== undefined) this.versions.wrote(vertexVersionKey(g.item.uid), g.at);
      });
    }
    const edgeGroups = group(edges);
    let activities: Activity[] = [];
    let identifierUses: IdentifierUse[] = [];
    const sources = new Map<string, string>();
    if (edgeGroups.length > 0) {
      const outcomes = await this.writeEdges(
        edgeGroups.map((g) => g.item),
        edgeGroups,
      );
      edgeGroups.forEach((g, index) => {
        if (outcomes[index].kind === 'written' && g.at !== undefined)
          this.versions.wrote(edgeVersionKey(g.item.eid), g.at);
      });
      const hasEvent = edgeGroups.filter(
        (g, index) => outcomes[index].kind === 'written' && g.item.label === 'HAS_EVENT',
      );
      if (hasEvent.length > 0) activities = await this.eventsOf(hasEvent);
      identifierUses = identifierUsesOf(
        edgeGroups.filter((_, index) => outcomes[index].kind === 'written').map((g) => g.item),
      );
      for (const g of hasEvent) sources.set(g.item.to, g.messages[0].messageId);
      settlements.push(...settlementsOf(edgeGroups, outcomes, 'vertex'));
    }
    return { settlements, activities, sources, identifierUses, writtenVertices };
  }

  /**
   * What the entity messages of `messages` write, as `EntityVersions` keys (a vertex's uid, an
   * edge's eid): two batches that share none can be written side by side without reordering the
   * versions of anything. A message that cannot be decoded writes nothing (it is dead-lettered).
   * Decoding is kept for the write (`decodeOnce`).
   */
  entityKeys(messages: readonly ReceivedMessage[]): Set<string> {
    const keys = new Set<string>();
    for (const message of messages) {
      const decoded = decodeOnce(this.entityEnvelopes, decodeEntityMessage, message);
      if (!decoded.ok) continue;
      const { type, payload } = decoded.envelope;
      keys.add(
        type === 'vertex.upsert' ? vertexVersionKey(payload.uid) : edgeVersionKey(payload.eid),
      );
    }
    return keys;
  }

  /**
   * A batch from the movements topic. A movement whose accounts are not in the graph yet waits
   * for them (see `MessageSettler`). Written movements are fed to detection in time order.
   */
  async prepareMovements(messages: readonly ReceivedMessage[]): Promise<PreparedBatch> {
    const settlements: Settlement[] = [];
    const firstOfId = new Map<string, Movement>();
    const movements: { key: string; item: Movement; message: ReceivedMessage }[] = [];
    for (const message of messages) {
      const decoded = decodeOnce(this.movementEnvelopes, decodeMovementMessage, message);
      if (!decoded.ok) {
        settlements.push(invalid(message, decoded.reason));
        continue;
      }
      const payload = decoded.envelope.payload;
      const ahead = this.movementAheadOfClock(payload.timestamp);
      if (ahead !== undefined) {
        settlements.push(invalid(message, ahead));
        continue;
      }
      // Written, it would be a movement no rule can judge (and every scan would pass it over).
      const unconvertible = this.detector.conversionProblem?.(payload);
      if (unconvertible !== undefined) {
        settlements.push(invalid(message, `payload.${unconvertible}`));
        continue;
      }
      const first = firstOfId.get(payload.movementId);
      if (first !== undefined && !sameMovement(first, payload)) {
        // A movement is written once: the first message of the batch with this id is it.
        settlements.push(invalid(message, usedByEarlierMessage(payload.movementId)));
        continue;
      }
      if (first === undefined) firstOfId.set(payload.movementId, payload);
      movements.push({ key: payload.movementId, item: payload, message });
    }
    const groups = group(movements);
    if (groups.length === 0) return { settlements, activities: [], sources: new Map() };
    const outcomes = await this.writeEdges(
      groups.map((g) => movementEdge(g.item)),
      groups,
      true,
    );
    const written = groups.filter((_, index) => outcomes[index].kind === 'written');
    const activities = written
      .map((g): Activity => ({ type: 'movement', movement: g.item }))
      .sort(compareActivities);
    const sources = new Map(written.map((g) => [g.item.movementId, g.messages[0].messageId]));
    settlements.push(...settlementsOf(groups, outcomes, 'account'));
    return { settlements, activities, sources };
  }

  /** Detection (in order, once each), alerts, then every message of the batch settled at once. */
  async complete(prepared: PreparedBatch): Promise<void> {
    // Identifier uses before the activities: movements after their first use count them.
    if (prepared.identifierUses && prepared.identifierUses.length > 0)
      this.detector.onIdentifierUses?.(prepared.identifierUses);
    await this.detect(prepared.activities, prepared.sources);
    await this.settler.settleAll(prepared.settlements);
  }

  /**
   * Writes edges (one per group of messages, in order) and says what became of each. An edge
   * whose delivery lacked an end vertex at its last try (a held message tried again) is first
   * looked up: when every end it lacked is still missing, it is `missing` again without a write.
   * That costs one read of those uids instead of a write the store refuses, the read that
   * explains the refusal and the read that classifies it. Edges whose ends may have arrived, and
   * new ones, go through `writeBatch` as usual.
   */
  private async writeEdges(
    edges: readonly GraphEdge[],
    groups: readonly { messages: readonly ReceivedMessage[] }[],
    keepStored = false,
  ): Promise<WriteOutcome[]> {
    const outcomes: (WriteOutcome | undefined)[] = edges.map(() => undefined);
    // The edge of a group is its last message's (see `group`): that delivery's last try counts.
    const known = groups.map(({ messages }) => this.lastMissing.get(messages[messages.length - 1]));
    const uids = [...new Set(known.flatMap((last) => last?.missing ?? []))];
    if (uids.length > 0) {
      const present = new Set((await this.store.getVertices(uids)).map((v) => v.uid));
      known.forEach((last, index) => {
        if (last && last.missing.every((uid) => !present.has(uid)))
          outcomes[index] = { kind: 'missing', reason: last.reason, missing: last.missing };
      });
    }
    const toWrite = edges.flatMap((_edge, index) => (outcomes[index] ? [] : [index]));
    if (toWrite.length > 0) {
      /** Eids found stored with other values and kept as stored (`keepStored`). */
      const kept = new Set<string>();
      const written = await writeBatch(
        toWrite.map((index) => edges[index]),
        async (batch) => {
          const result = await this.store.upsertEdges(batch, { keepStored });
          for (const eid of result.kept ?? []) kept.add(eid);
          return result;
        },
        this.missingEndsWait<GraphEdge>(),
      );
      toWrite.forEach((index, i) => {
        outcomes[index] =
          written[i].kind === 'written' && kept.has(edges[index].eid)
            ? { kind: 'invalid', reason: storedWithOtherValues(edges[index]) }
            : written[i];
      });
    }
    return edges.map((_edge, index) => {
      const outcome = outcomes[index] ?? { kind: 'retry', reason: 'not written' };
      for (const message of groups[index].messages) {
        if (outcome.kind === 'missing')
          this.lastMissing.set(message, { missing: outcome.missing, reason: outcome.reason });
        else this.lastMissing.delete(message);
      }
      return outcome;
    });
  }

  /**
   * Rejected edges: a problem with a property or a label is `invalid`; a problem with an end
   * (`from`/`to`) is checked against the store now: an end that is missing makes the edge wait,
   * ends that are all there now mean it can be written (a vertex arrived since the write).
   */
  private missingEndsWait<E extends GraphEdge>(): RejectionClassifier<E> {
    return async (rejected) => {
      const aboutEnds = rejected.map(({ problems }) =>
        problems.every((p) => p.field === 'from' || p.field === 'to'),
      );
      const uids = [
        ...new Set(rejected.flatMap(({ item }, i) => (aboutEnds[i] ? [item.from, item.to] : []))),
      ];
      const present = new Set(
        uids.length > 0 ? (await this.store.getVertices(uids)).map((v) => v.uid) : [],
      );
      return rejected.map(({ item }, i): RejectionVerdict => {
        if (!aboutEnds[i]) return 'invalid';
        const missing = [item.from, item.to].filter((uid) => !present.has(uid));
        return missing.length > 0 ? { missing: [...new Set(missing)] } : 'present';
      });
    };
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
   * Feeds written activities (in replay order) to detection, once each, and publishes what they
   * raise. `sources` name the messages they came from (correlation ids in logs).
   */
  private async detect(
    written: readonly Activity[],
    sources: ReadonlyMap<string, string>,
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
          ...(await this.holdDetection(() =>
            activity.type === 'movement'
              ? this.detector.onMovement(activity.movement)
              : this.detector.onEvent(activity.event),
          )),
        );
        this.remember(key);
      } catch (error: unknown) {
        // Stopping during an outage: the batch goes back to the broker unsettled, and its
        // activities are detected when it comes again.
        if (error instanceof IngestStoppedError) throw error;
        this.counters.detectionFailures += 1;
        this.metrics.detectionFailed(1);
        this.logger.error({
          msg: `Detection failed for ${what}; it stays written (batch detection will see it)`,
          correlationId: sources.get(sourceId),
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (alerts.length === 0) return;
    try {
      await this.broker.publish(
        this.config.alertsTopic,
        alerts.map((alert) =>
          alertMessage(alert, { id: randomUUID(), occurredAt: alert.windowEnd }),
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
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * Why an entity message dated `at` is refused for being in the future (see
   * `MAX_OCCURRED_AT_AHEAD_MS`), or undefined when it is not.
   */
  private aheadOfClock(at: number): string | undefined {
    const now = this.clock.now();
    if (at <= now + MAX_OCCURRED_AT_AHEAD_MS) return undefined;
    const when = at <= 8_640_000_000_000_000 ? new Date(at).toISOString() : `${at} ms`;
    return (
      `occurredAt must not be more than ${MAX_OCCURRED_AT_AHEAD_MS / 60_000} minutes after this worker's clock ` +
      `(was ${when}, clock ${new Date(now).toISOString()}): a version dated in the future would hide every ` +
      `later update of its vertex or edge; occurredAt is epoch milliseconds`
    );
  }

  /** Why a movement dated `at` is refused (see `MAX_MOVEMENT_AHEAD_MS`), or undefined. */
  private movementAheadOfClock(at: number): string | undefined {
    const now = this.clock.now();
    if (at <= now + MAX_MOVEMENT_AHEAD_MS) return undefined;
    return (
      `payload.timestamp must not be more than ${MAX_MOVEMENT_AHEAD_MS / 86_400_000} days after this worker's clock ` +
      `(was ${new Date(at).toISOString()}, clock ${new Date(now).toISOString()}); timestamp is epoch milliseconds, ` +
      'and a value this far ahead is usually microseconds or a wrong year'
    );
  }

  private remember(key: string): void {
    this.detected.add(key);
    if (this.detected.size > this.config.detectedMemory) {
      const oldest = this.detected.values().next().value;
      if (oldest !== undefined) this.detected.delete(oldest);
    }
  }
}

/** True when two movements with one id are the same movement (a copy sent again). */
function sameMovement(a: Movement, b: Movement): boolean {
  return sameEdgeValues(movementEdge(a), movementEdge(b));
}

/** Why a movement whose id an earlier message of the same batch used otherwise is refused. */
function usedByEarlierMessage(movementId: string): string {
  return (
    `payload.movementId ${movementId} is used by an earlier message of this batch with other values; ` +
    'a movement is written once and never changed: send a correction under a movementId of its own'
  );
}

/** Why a movement whose id is stored with other values is refused (the stored one stays). */
function storedWithOtherValues(edge: GraphEdge): string {
  return (
    `payload.movementId ${edge.eid} is stored already with other values (kept as stored); ` +
    'a movement is written once and never changed: send a correction under a movementId of its own'
  );
}

function invalid(message: ReceivedMessage, reason: string): Settlement {
  return { message, outcome: { kind: 'invalid', reason }, endNoun: 'vertex' };
}

/** Why an entity message dated `at` is refused as too early (see `MIN_OCCURRED_AT_MS`). */
function tooEarly(at: number): string | undefined {
  if (at >= MIN_OCCURRED_AT_MS) return undefined;
  return (
    `occurredAt must be epoch milliseconds, ${MIN_OCCURRED_AT_MS} (${new Date(MIN_OCCURRED_AT_MS).toISOString()}) or later ` +
    `(was ${at}, ${new Date(at).toISOString()} read as milliseconds; epoch seconds?): a version dated that early ` +
    `would count as older than every other version of its vertex or edge and be passed over`
  );
}
