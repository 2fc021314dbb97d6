import { StreamUnavailableError } from '@app/vocabulary';

/**
 * The message broker port: publish batches of messages to a topic, consume a topic through a
 * named Shared or Key_Shared subscription with acknowledge / negative-acknowledge semantics,
 * redelivery counts and a dead-letter topic, and read a topic from its start.
 *
 * Adapters: `MemoryBroker` (embedded default, unit tests), `PulsarWebSocketBroker` (Pulsar's
 * WebSocket API) and `PulsarNativeBroker` (the optional `pulsar-client` package). Every adapter
 * passes the contract suite in ./contract, so they behave the same:
 *
 * - a new subscription starts at the END of the topic (messages published before it existed are
 *   not delivered; read them with `readAll`, or create the subscription beforehand at the
 *   topic's start with `ensureSubscription`); a subscription keeps its position when its
 *   consumers close, and several consumers of one subscription share its messages;
 * - on a `Key_Shared` subscription every message of one key goes to the same consumer while
 *   that consumer is attached, in publish order (a nacked message comes back later, after the
 *   redelivery delay); on `Shared` any consumer may get any message;
 * - `ack` settles a message for good; `nack` redelivers it after the subscription's
 *   `nackRedeliveryDelayMs` with `redeliveryCount` one higher;
 * - a message delivered with `redeliveryCount >= maxRedeliverCount` that is nacked again goes to
 *   the dead-letter topic instead, intact (payload, key, properties) plus the properties
 *   `REAL_TOPIC` and `ORIGIN_MESSAGE_ID` (Pulsar's own names);
 * - `deadLetter(reason)` sends a message to the dead-letter topic at once with the reason in the
 *   `dlq-reason` property, and acknowledges it (it is not redelivered);
 * - a handler that throws (or rejects) before settling its message nacks it.
 */

/** A message to publish. Text payloads are sent as UTF-8. */
export interface OutgoingMessage {
  payload: Uint8Array | string;
  /** Ordering / routing key (Pulsar's partition key). */
  key?: string;
  properties?: Readonly<Record<string, string>>;
}

/** The broker's confirmation of one published message. */
export interface PublishedMessage {
  messageId: string;
}

/** A message as stored on a topic. */
export interface BrokerMessage {
  /** Broker message id (opaque text). Also the correlation id of the message in logs. */
  readonly messageId: string;
  /** Full topic name, e.g. `persistent://public/default/bank.entities`. */
  readonly topic: string;
  readonly payload: Buffer;
  readonly key?: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Epoch milliseconds when the broker stored it. */
  readonly publishTime: number;
  /** 0 on the first delivery, one more on each redelivery. */
  readonly redeliveryCount: number;
}

/** A delivered message with the means to settle it (exactly once; later calls are ignored). */
export interface ReceivedMessage extends BrokerMessage {
  /** True once ack, nack or deadLetter was called. */
  readonly settled: boolean;
  /**
   * True when the message can no longer be settled because the connection it came on is gone
   * (Pulsar's WebSocket API): the broker delivers it again on the new connection, so handling
   * this copy is wasted work. Absent or false where the transport cannot tell.
   */
  readonly stale?: boolean;
  /** Settles the message for good. */
  ack(): Promise<void>;
  /** Asks for redelivery after the delay (or dead-letters it when out of redeliveries). */
  nack(): Promise<void>;
  /** Sends it to the dead-letter topic now, with `reason` in the `dlq-reason` property. */
  deadLetter(reason: string): Promise<void>;
}

/** Called for each delivered message. It may settle the message later (e.g. after a batch). */
export type MessageHandler = (message: ReceivedMessage) => void | Promise<void>;

/**
 * How the consumers of one subscription share its messages: `Shared` hands any message to any
 * consumer; `Key_Shared` hands all messages of one key to the same consumer, in order.
 */
export type SubscriptionType = 'Shared' | 'Key_Shared';

/** Where `ensureSubscription` starts a subscription it creates. */
export type InitialPosition = 'earliest' | 'latest';

export interface SubscribeOptions {
  /** Topic of messages that failed too often or were dead-lettered on purpose. */
  deadLetterTopic: string;
  /** Redeliveries before a nacked message is dead-lettered (0 = the first nack dead-letters). */
  maxRedeliverCount: number;
  /** Delay before a nacked message is delivered again. */
  nackRedeliveryDelayMs: number;
  /** Redeliver messages not settled within this time (0 or absent = never). */
  ackTimeoutMs?: number;
  /** Messages the broker may hand to this consumer ahead of its acknowledgements. */
  receiveQueueSize?: number;
  /** `Shared` when absent. */
  subscriptionType?: SubscriptionType;
}

/** One consumer attached to a subscription. */
export interface Subscription {
  readonly topic: string;
  readonly name: string;
  /**
   * Stops handing new messages to the handler. Messages already delivered can still be
   * settled; anything that arrives afterwards is left to the broker to redeliver.
   */
  stop(): void;
  /** Stops and disconnects; messages still unsettled are redelivered by the broker. */
  close(): Promise<void>;
}

export interface ReadOptions {
  /** Stop after this many messages. */
  max?: number;
  /** Stop when no message arrived for this long (a topic has no "end" signal). */
  idleMs: number;
}

export type BrokerKind = 'memory' | 'pulsar-websocket' | 'pulsar-native';

/** The port. Topics are short names (`bank.entities`) or full `persistent://t/ns/x` names. */
export abstract class MessageBroker {
  abstract readonly kind: BrokerKind;

  /** Full name of a topic, as it appears in `BrokerMessage.topic` and `REAL_TOPIC`. */
  abstract topicName(topic: string): string;

  /**
   * Publishes a batch; resolves (with one id per message, in order) when the broker has stored
   * every message. Rejects with `StreamUnavailableError` when it cannot; some messages may then
   * have been stored (publishing is at-least-once, consumers must be idempotent).
   */
  abstract publish(
    topic: string,
    messages: readonly OutgoingMessage[],
  ): Promise<PublishedMessage[]>;

  /**
   * Attaches a consumer to a subscription (created at the end of the topic if new); rejects
   * with `StreamUnavailableError`.
   */
  abstract subscribe(
    topic: string,
    subscription: string,
    handler: MessageHandler,
    options: SubscribeOptions,
  ): Promise<Subscription>;

  /**
   * Creates a durable subscription without attaching a consumer, starting at the topic's first
   * message (`earliest`) or its end (`latest`), so that the broker keeps every message from there
   * on for it. An existing subscription is left as it is (its position does not move).
   * `subscriptionType` is the type its consumers attach with (default `Shared`): a client that
   * can only create a subscription by attaching (the native one) attaches with it, so it is not
   * refused while consumers of that type are attached. Every adapter of this library implements
   * it; a test double that does not rejects.
   */
  ensureSubscription(
    topic: string,
    subscription: string,
    position: InitialPosition,
    _subscriptionType?: SubscriptionType,
  ): Promise<void> {
    return Promise.reject(
      new StreamUnavailableError(
        `This ${this.kind} broker cannot create the subscription "${subscription}" on ${topic} at its ${position} message`,
      ),
    );
  }

  /** Reads a topic from its first message without a subscription (inspection, DLQ checks). */
  abstract readAll(topic: string, options: ReadOptions): Promise<BrokerMessage[]>;

  /** Resolves when the broker answers; throws `StreamUnavailableError` otherwise. */
  abstract ping(): Promise<void>;

  /** Closes every producer and consumer. */
  abstract close(): Promise<void>;
}

/** A topic on which a subscription could not be created, and why. */
export interface SubscriptionFailure {
  topic: string;
  error: unknown;
}

/**
 * Creates `subscription` on each of `topics` from the topic's first message, where it does not
 * exist yet (an existing one keeps its position), all at once. This is how the ingest worker's
 * subscription is made ready on the entities and movements topics before anything is published
 * or consumed: attaching a consumer alone would create it at the end of the topic and skip what
 * was published before. Resolves to the topics where it failed; the caller decides what that
 * means (the worker warns and goes on, the seeder's sink fails its publish).
 */
export async function ensureSubscriptionsFromStart(
  broker: MessageBroker,
  topics: readonly string[],
  subscription: string,
  subscriptionType?: SubscriptionType,
): Promise<SubscriptionFailure[]> {
  const outcomes = await Promise.allSettled(
    topics.map((topic) =>
      broker.ensureSubscription(topic, subscription, 'earliest', subscriptionType),
    ),
  );
  const failures: SubscriptionFailure[] = [];
  outcomes.forEach((outcome, at) => {
    if (outcome.status === 'rejected') failures.push({ topic: topics[at], error: outcome.reason });
  });
  return failures;
}
