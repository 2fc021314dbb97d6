import { Clock, StreamUnavailableError, SystemClock } from '@app/vocabulary';
import {
  BrokerMessage,
  InitialPosition,
  MessageBroker,
  MessageHandler,
  OutgoingMessage,
  PublishedMessage,
  ReadOptions,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
  SubscriptionType,
} from '../message-broker.port';
import { clipReason, DLQ_PROPERTIES, payloadBytes, resolveTopic } from '../topic-names';

/** Where a memory broker resolves short topic names (same defaults as the Pulsar settings). */
export interface MemoryBrokerOptions {
  tenant?: string;
  namespace?: string;
  clock?: Clock;
}

interface StoredRecord extends BrokerMessage {
  /** Position on the topic; redelivered messages are handed out in this order. */
  readonly seq: number;
}

interface Entry {
  record: StoredRecord;
  redeliveryCount: number;
}

interface Delivery {
  entry: Entry;
  consumer: MemoryConsumer;
  settled: boolean;
  /** Set when the consumer closed (or the ack timeout fired) and the message went back. */
  returned: boolean;
  ackTimer?: NodeJS.Timeout;
}

interface TopicState {
  index: number;
  name: string;
  log: StoredRecord[];
  subscriptions: Map<string, SubscriptionState>;
}

interface SubscriptionState {
  topic: TopicState;
  name: string;
  /** Set by the first consumer that attaches; others must ask for the same. */
  type: SubscriptionType;
  /** Messages waiting for a consumer, ordered by position. */
  ready: Entry[];
  consumers: MemoryConsumer[];
  nextConsumer: number;
  /** Key_Shared: the consumer each key went to, kept while that consumer is attached. */
  keyOwners: Map<string, MemoryConsumer>;
}

class MemoryConsumer implements Subscription {
  readonly inflight = new Map<string, Delivery>();
  stopped = false;
  closed = false;

  constructor(
    readonly state: SubscriptionState,
    readonly handler: MessageHandler,
    readonly options: SubscribeOptions,
    private readonly onClose: (consumer: MemoryConsumer) => void,
  ) {}

  get topic(): string {
    return this.state.topic.name;
  }

  get name(): string {
    return this.state.name;
  }

  get capacity(): number {
    return Math.max(1, this.options.receiveQueueSize ?? 1000);
  }

  stop(): void {
    this.stopped = true;
  }

  close(): Promise<void> {
    if (!this.closed) this.onClose(this);
    return Promise.resolve();
  }
}

/** Runs synchronous broker work and reports its outcome as a promise (a throw rejects it). */
function run<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

/** FNV-1a: a stable spread of keys over consumers. */
function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function insertByPosition(queue: Entry[], entry: Entry): void {
  let index = queue.length;
  while (index > 0 && queue[index - 1].record.seq > entry.record.seq) index -= 1;
  queue.splice(index, 0, entry);
}

/**
 * The embedded broker: topics, Shared and Key_Shared subscriptions, redelivery and
 * dead-lettering in process memory, with the same semantics as Pulsar (see the port). On a
 * Key_Shared subscription a key goes to the consumer its hash picks when the key is first
 * dispatched, and stays with it until that consumer closes. It is the default backend
 * (`STREAMING_BACKEND=memory`) and the fast backend of unit tests. Messages live only as long
 * as the process; another process cannot reach them.
 */
export class MemoryBroker extends MessageBroker {
  readonly kind = 'memory' as const;

  private readonly topics = new Map<string, TopicState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly consumers = new Set<MemoryConsumer>();
  private readonly tenant: string;
  private readonly namespace: string;
  private readonly clock: Clock;
  private closed = false;

  constructor(options: MemoryBrokerOptions = {}) {
    super();
    this.tenant = options.tenant ?? 'public';
    this.namespace = options.namespace ?? 'default';
    this.clock = options.clock ?? new SystemClock();
  }

  topicName(topic: string): string {
    return resolveTopic(topic, this.tenant, this.namespace).full;
  }

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishedMessage[]> {
    return run(() => {
      this.assertOpen();
      const state = this.topic(topic);
      return messages.map((message) => ({ messageId: this.append(state, message) }));
    });
  }

  subscribe(
    topic: string,
    subscription: string,
    handler: MessageHandler,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    return run(() => {
      this.assertOpen();
      const state = this.topic(topic);
      // A new subscription starts at the end of the topic, like Pulsar's default.
      const sub = this.subscription(state, subscription, 'latest');
      const type = options.subscriptionType ?? 'Shared';
      if (sub.consumers.length === 0) {
        sub.type = type;
      } else if (sub.type !== type) {
        throw new StreamUnavailableError(
          `Subscription "${subscription}" on ${state.name} is ${sub.type} while consumers are attached; a ${type} consumer cannot join it`,
        );
      }
      const consumer = new MemoryConsumer(sub, handler, options, (c) => this.detach(c));
      sub.consumers.push(consumer);
      this.consumers.add(consumer);
      this.dispatch(sub);
      return consumer;
    });
  }

  /** Creates it without attaching, so the type does not matter here. */
  override ensureSubscription(
    topic: string,
    subscription: string,
    position: InitialPosition,
    _subscriptionType?: SubscriptionType,
  ): Promise<void> {
    return run(() => {
      this.assertOpen();
      this.subscription(this.topic(topic), subscription, position);
    });
  }

  readAll(topic: string, options: ReadOptions): Promise<BrokerMessage[]> {
    return run(() => {
      this.assertOpen();
      const log = this.topic(topic).log;
      const records = options.max === undefined ? log : log.slice(0, options.max);
      return records.map((record) => this.copy(record));
    });
  }

  ping(): Promise<void> {
    return run(() => this.assertOpen());
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    for (const consumer of [...this.consumers]) this.detach(consumer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.closed = true;
    return Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new StreamUnavailableError('The memory message broker is closed');
    }
  }

  private topic(topic: string): TopicState {
    const name = this.topicName(topic);
    let state = this.topics.get(name);
    if (!state) {
      state = { index: this.topics.size + 1, name, log: [], subscriptions: new Map() };
      this.topics.set(name, state);
    }
    return state;
  }

  private subscription(
    state: TopicState,
    name: string,
    position: InitialPosition,
  ): SubscriptionState {
    let sub = state.subscriptions.get(name);
    if (!sub) {
      sub = {
        topic: state,
        name,
        type: 'Shared',
        ready:
          position === 'earliest'
            ? state.log.map((record) => ({ record, redeliveryCount: 0 }))
            : [],
        consumers: [],
        nextConsumer: 0,
        keyOwners: new Map(),
      };
      state.subscriptions.set(name, sub);
    }
    return sub;
  }

  private append(state: TopicState, message: OutgoingMessage): string {
    const seq = state.log.length;
    const record: StoredRecord = {
      messageId: `${state.index}:${seq}`,
      topic: state.name,
      payload: payloadBytes(message.payload),
      key: message.key,
      properties: { ...(message.properties ?? {}) },
      publishTime: this.clock.now(),
      redeliveryCount: 0,
      seq,
    };
    state.log.push(record);
    for (const sub of state.subscriptions.values()) {
      sub.ready.push({ record, redeliveryCount: 0 });
      this.dispatch(sub);
    }
    return record.messageId;
  }

  private copy(record: StoredRecord, redeliveryCount = 0): BrokerMessage {
    return {
      messageId: record.messageId,
      topic: record.topic,
      payload: Buffer.from(record.payload),
      key: record.key,
      properties: { ...record.properties },
      publishTime: record.publishTime,
      redeliveryCount,
    };
  }

  /** Hands ready messages to consumers with room: round robin, or by key on Key_Shared. */
  private dispatch(sub: SubscriptionState): void {
    if (sub.type === 'Key_Shared') {
      this.dispatchByKey(sub);
      return;
    }
    while (sub.ready.length > 0) {
      const consumer = this.nextConsumerWithRoom(sub);
      if (!consumer) return;
      const entry = sub.ready.shift() as Entry;
      this.deliver(consumer, entry);
    }
  }

  /**
   * Key_Shared: each ready message goes to its key's consumer if that one has room; otherwise it
   * waits (later messages of the same key wait behind it, so a key's order holds).
   */
  private dispatchByKey(sub: SubscriptionState): void {
    let index = 0;
    while (index < sub.ready.length && sub.consumers.some((c) => this.hasRoom(c))) {
      const entry = sub.ready[index];
      const consumer = this.ownerOf(sub, entry.record.key ?? '');
      if (consumer && this.hasRoom(consumer)) {
        if (index === 0) sub.ready.shift();
        else sub.ready.splice(index, 1);
        this.deliver(consumer, entry);
      } else {
        index += 1;
      }
    }
  }

  private hasRoom(consumer: MemoryConsumer): boolean {
    return !consumer.stopped && consumer.inflight.size < consumer.capacity;
  }

  /** The consumer a key is bound to; a new key is bound by its hash to an active consumer. */
  private ownerOf(sub: SubscriptionState, key: string): MemoryConsumer | undefined {
    const owner = sub.keyOwners.get(key);
    if (owner) return owner;
    const active = sub.consumers.filter((c) => !c.stopped);
    if (active.length === 0) return undefined;
    const chosen = active[keyHash(key) % active.length];
    sub.keyOwners.set(key, chosen);
    return chosen;
  }

  private nextConsumerWithRoom(sub: SubscriptionState): MemoryConsumer | undefined {
    const count = sub.consumers.length;
    for (let i = 0; i < count; i += 1) {
      const consumer = sub.consumers[(sub.nextConsumer + i) % count];
      if (!consumer.stopped && consumer.inflight.size < consumer.capacity) {
        sub.nextConsumer = (sub.nextConsumer + i + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private deliver(consumer: MemoryConsumer, entry: Entry): void {
    const delivery: Delivery = { entry, consumer, settled: false, returned: false };
    consumer.inflight.set(entry.record.messageId, delivery);
    const ackTimeoutMs = consumer.options.ackTimeoutMs ?? 0;
    if (ackTimeoutMs > 0) {
      delivery.ackTimer = this.schedule(ackTimeoutMs, () => {
        if (delivery.settled || delivery.returned) return;
        delivery.returned = true;
        consumer.inflight.delete(entry.record.messageId);
        this.redeliverOrDeadLetter(delivery, 0);
      });
    }
    const message = this.received(delivery);
    queueMicrotask(() => {
      if (consumer.closed) return;
      Promise.resolve()
        .then(() => consumer.handler(message))
        .catch(() => (message.settled ? undefined : message.nack()))
        .catch(() => undefined);
    });
  }

  private received(delivery: Delivery): ReceivedMessage {
    const { entry } = delivery;
    const data = this.copy(entry.record, entry.redeliveryCount);
    const settle = (action: () => void): Promise<void> => {
      if (delivery.settled) return Promise.resolve();
      if (delivery.returned) {
        return Promise.reject(
          new StreamUnavailableError(
            `Message ${entry.record.messageId} can no longer be settled: its consumer closed or its ack timeout passed, so the broker redelivers it`,
          ),
        );
      }
      delivery.settled = true;
      if (delivery.ackTimer) clearTimeout(delivery.ackTimer);
      delivery.consumer.inflight.delete(entry.record.messageId);
      action();
      this.dispatch(delivery.consumer.state);
      return Promise.resolve();
    };
    return {
      ...data,
      get settled(): boolean {
        return delivery.settled;
      },
      ack: () => settle(() => undefined),
      nack: () =>
        settle(() =>
          this.redeliverOrDeadLetter(delivery, delivery.consumer.options.nackRedeliveryDelayMs),
        ),
      deadLetter: (reason: string) =>
        settle(() =>
          this.sendToDeadLetter(delivery, { [DLQ_PROPERTIES.reason]: clipReason(reason) }),
        ),
    };
  }

  private redeliverOrDeadLetter(delivery: Delivery, delayMs: number): void {
    const { entry, consumer } = delivery;
    if (entry.redeliveryCount >= consumer.options.maxRedeliverCount) {
      this.sendToDeadLetter(delivery, {});
      return;
    }
    const sub = consumer.state;
    this.schedule(delayMs, () => {
      entry.redeliveryCount += 1;
      insertByPosition(sub.ready, entry);
      this.dispatch(sub);
    });
  }

  private sendToDeadLetter(delivery: Delivery, extra: Record<string, string>): void {
    const { record } = delivery.entry;
    const dlq = this.topic(delivery.consumer.options.deadLetterTopic);
    this.append(dlq, {
      payload: record.payload,
      key: record.key,
      properties: {
        ...record.properties,
        [DLQ_PROPERTIES.realTopic]: record.topic,
        [DLQ_PROPERTIES.originMessageId]: record.messageId,
        ...extra,
      },
    });
  }

  private detach(consumer: MemoryConsumer): void {
    if (consumer.closed) return;
    consumer.closed = true;
    consumer.stopped = true;
    this.consumers.delete(consumer);
    const sub = consumer.state;
    sub.consumers = sub.consumers.filter((c) => c !== consumer);
    sub.nextConsumer = 0;
    for (const [key, owner] of sub.keyOwners) if (owner === consumer) sub.keyOwners.delete(key);
    for (const delivery of consumer.inflight.values()) {
      delivery.returned = true;
      if (delivery.ackTimer) clearTimeout(delivery.ackTimer);
      insertByPosition(sub.ready, delivery.entry);
    }
    consumer.inflight.clear();
    this.dispatch(sub);
  }

  private schedule(delayMs: number, work: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) work();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }
}
