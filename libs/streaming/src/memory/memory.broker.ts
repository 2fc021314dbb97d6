import { Clock, StreamUnavailableError, SystemClock } from '@app/vocabulary';
import {
  BrokerMessage,
  MessageBroker,
  MessageHandler,
  OutgoingMessage,
  PublishedMessage,
  ReadOptions,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
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
  /** Messages waiting for a consumer, ordered by position. */
  ready: Entry[];
  consumers: MemoryConsumer[];
  nextConsumer: number;
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

function insertByPosition(queue: Entry[], entry: Entry): void {
  let index = queue.length;
  while (index > 0 && queue[index - 1].record.seq > entry.record.seq) index -= 1;
  queue.splice(index, 0, entry);
}

/**
 * The embedded broker: topics, Shared subscriptions, redelivery and dead-lettering in process
 * memory, with the same semantics as Pulsar (see the port). It is the default backend
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
      let sub = state.subscriptions.get(subscription);
      if (!sub) {
        // A new subscription starts at the end of the topic, like Pulsar's default.
        sub = { topic: state, name: subscription, ready: [], consumers: [], nextConsumer: 0 };
        state.subscriptions.set(subscription, sub);
      }
      const consumer = new MemoryConsumer(sub, handler, options, (c) => this.detach(c));
      sub.consumers.push(consumer);
      this.consumers.add(consumer);
      this.dispatch(sub);
      return consumer;
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

  /** Hands ready messages to consumers with room, round robin. */
  private dispatch(sub: SubscriptionState): void {
    while (sub.ready.length > 0) {
      const consumer = this.nextConsumerWithRoom(sub);
      if (!consumer) return;
      const entry = sub.ready.shift() as Entry;
      this.deliver(consumer, entry);
    }
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
