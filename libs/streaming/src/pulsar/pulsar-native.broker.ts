import { createRequire } from 'node:module';
import { StreamUnavailableError } from '@app/vocabulary';
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

/*
 * The parts of the optional `pulsar-client` package (1.x) this adapter uses, typed
 * structurally so the package is needed neither to compile nor to bundle.
 */
interface NativeMessageId {
  toString(): string;
}
interface NativeMessage {
  getTopicName(): string;
  getProperties(): Record<string, string>;
  getData(): Buffer;
  getMessageId(): NativeMessageId;
  getPublishTimestamp(): number;
  getRedeliveryCount(): number;
  getPartitionKey(): string;
}
interface NativeProducer {
  send(message: {
    data: Buffer;
    properties?: Record<string, string>;
    partitionKey?: string;
  }): Promise<NativeMessageId>;
  flush(): Promise<unknown>;
  close(): Promise<unknown>;
}
interface NativeConsumer {
  acknowledge(message: NativeMessage): Promise<unknown>;
  negativeAcknowledge(message: NativeMessage): void;
  close(): Promise<unknown>;
}
interface NativeReader {
  readNext(timeoutMs?: number): Promise<NativeMessage>;
  hasNext(): boolean;
  close(): Promise<unknown>;
}
interface NativeClient {
  createProducer(config: Record<string, unknown>): Promise<NativeProducer>;
  subscribe(config: Record<string, unknown>): Promise<NativeConsumer>;
  createReader(config: Record<string, unknown>): Promise<NativeReader>;
  close(): Promise<unknown>;
}
/** The module object of `pulsar-client`. */
export interface PulsarClientModule {
  Client: new (config: Record<string, unknown>) => NativeClient;
  AuthenticationToken: new (params: { token: string }) => unknown;
  MessageId: { earliest(): unknown };
}

export const PULSAR_CLIENT_PACKAGE = 'pulsar-client';

/** True when the optional native client package can be resolved from this installation. */
export function nativeClientInstalled(
  resolve: (name: string) => string = createRequire(__filename).resolve,
): boolean {
  try {
    resolve(PULSAR_CLIENT_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

/** Loads `pulsar-client` at run time; a clear `StreamUnavailableError` when it is missing. */
export function loadNativeClient(
  load: (name: string) => unknown = createRequire(__filename),
): PulsarClientModule {
  try {
    return load(PULSAR_CLIENT_PACKAGE) as PulsarClientModule;
  } catch (error: unknown) {
    throw new StreamUnavailableError(
      'PULSAR_TRANSPORT=native needs the optional package "pulsar-client", which is not installed ' +
        '(its install downloads a prebuilt C++ library). Install it where that works, or set ' +
        'PULSAR_TRANSPORT=websocket (or auto) to use the WebSocket API.',
      { package: PULSAR_CLIENT_PACKAGE },
      { cause: error },
    );
  }
}

export interface PulsarNativeBrokerOptions {
  serviceUrl: string;
  tenant: string;
  namespace: string;
  authToken?: string;
  /** Topic `ping()` opens a producer on. */
  healthTopic?: string;
}

/**
 * `MessageBroker` over the native Pulsar client (binary protocol, `pulsar://` URL). Only used
 * when `pulsar-client` is installed; this repository's machines cannot install it, so it is
 * checked against a stand-in of the package in unit tests, not against a real broker.
 */
export class PulsarNativeBroker extends MessageBroker {
  readonly kind = 'pulsar-native' as const;
  private readonly client: NativeClient;
  private readonly producers = new Map<string, Promise<NativeProducer>>();
  private readonly consumers = new Set<Subscription>();
  private closed = false;

  constructor(
    private readonly options: PulsarNativeBrokerOptions,
    private readonly pulsar: PulsarClientModule = loadNativeClient(),
  ) {
    super();
    this.client = new pulsar.Client({
      serviceUrl: options.serviceUrl,
      ...(options.authToken
        ? { authentication: new pulsar.AuthenticationToken({ token: options.authToken }) }
        : {}),
    });
  }

  topicName(topic: string): string {
    return resolveTopic(topic, this.options.tenant, this.options.namespace).full;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishedMessage[]> {
    this.assertOpen();
    const full = this.topicName(topic);
    if (messages.length === 0) return [];
    try {
      const ready = await this.producer(full);
      const ids = await Promise.all(
        messages.map((message) =>
          ready.send({
            data: payloadBytes(message.payload),
            properties: { ...(message.properties ?? {}) },
            ...(message.key !== undefined ? { partitionKey: message.key } : {}),
          }),
        ),
      );
      return ids.map((id) => ({ messageId: id.toString() }));
    } catch (error: unknown) {
      throw this.unavailable(`Could not publish ${messages.length} message(s) to ${full}`, error);
    }
  }

  async subscribe(
    topic: string,
    subscription: string,
    handler: MessageHandler,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    this.assertOpen();
    const full = this.topicName(topic);
    const deadLetterTopic = this.topicName(options.deadLetterTopic);
    const clientSide = options.maxRedeliverCount < 1;
    let stopped = false;
    const onMessage = (message: NativeMessage, consumer: NativeConsumer): void => {
      if (stopped) return;
      const received = this.received(full, message, consumer, options, deadLetterTopic, clientSide);
      Promise.resolve()
        .then(() => handler(received))
        .catch(() => (received.settled ? undefined : received.nack()))
        .catch(() => undefined);
    };
    let consumer: NativeConsumer;
    try {
      consumer = await this.client.subscribe({
        topic: full,
        subscription,
        // pulsar-client spells Key_Shared without the underscore.
        subscriptionType: options.subscriptionType === 'Key_Shared' ? 'KeyShared' : 'Shared',
        nAckRedeliverTimeoutMs: options.nackRedeliveryDelayMs,
        receiverQueueSize: options.receiveQueueSize ?? 1000,
        ...((options.ackTimeoutMs ?? 0) > 0 ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
        ...(clientSide
          ? {}
          : {
              deadLetterPolicy: { deadLetterTopic, maxRedeliverCount: options.maxRedeliverCount },
            }),
        listener: onMessage,
      });
    } catch (error: unknown) {
      throw this.unavailable(`Could not subscribe to ${full} as "${subscription}"`, error);
    }
    const sub: Subscription = {
      topic: full,
      name: subscription,
      stop: () => {
        stopped = true;
      },
      close: async () => {
        stopped = true;
        this.consumers.delete(sub);
        await consumer.close();
      },
    };
    this.consumers.add(sub);
    return sub;
  }

  /**
   * Subscribes with the initial position (which creates the subscription) and detaches. It
   * attaches with the type given, because Pulsar refuses a consumer of another type while
   * consumers are attached.
   */
  override async ensureSubscription(
    topic: string,
    subscription: string,
    position: InitialPosition,
    subscriptionType: SubscriptionType = 'Shared',
  ): Promise<void> {
    this.assertOpen();
    const full = this.topicName(topic);
    let consumer: NativeConsumer;
    try {
      consumer = await this.client.subscribe({
        topic: full,
        subscription,
        subscriptionType: subscriptionType === 'Key_Shared' ? 'KeyShared' : 'Shared',
        subscriptionInitialPosition: position === 'earliest' ? 'Earliest' : 'Latest',
        receiverQueueSize: 1,
      });
    } catch (error: unknown) {
      throw this.unavailable(
        `Could not create the subscription "${subscription}" on ${full}`,
        error,
      );
    }
    await consumer.close();
  }

  async readAll(topic: string, options: ReadOptions): Promise<BrokerMessage[]> {
    this.assertOpen();
    const full = this.topicName(topic);
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    let reader: NativeReader;
    try {
      reader = await this.client.createReader({
        topic: full,
        startMessageId: this.pulsar.MessageId.earliest(),
      });
    } catch (error: unknown) {
      throw this.unavailable(`Could not read ${full}`, error);
    }
    const found: BrokerMessage[] = [];
    try {
      while (found.length < max) {
        let message: NativeMessage;
        try {
          message = await reader.readNext(Math.max(1, options.idleMs));
        } catch {
          break; // nothing arrived within idleMs
        }
        found.push(this.data(full, message));
      }
    } finally {
      await reader.close();
    }
    return found;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    // The native client has no cheap probe; a producer on the health topic proves the broker answers.
    const full = this.topicName(this.options.healthTopic ?? 'health-check');
    try {
      await this.producer(full);
    } catch (error: unknown) {
      throw this.unavailable(`Pulsar does not answer at ${this.options.serviceUrl}`, error);
    }
  }

  private producer(full: string): Promise<NativeProducer> {
    let producer = this.producers.get(full);
    if (!producer) {
      // Key-based batching: a batch holds one key only, which Key_Shared subscriptions need.
      producer = this.client.createProducer({
        topic: full,
        batchingEnabled: true,
        batchingType: 'KeyBasedBatching',
      });
      this.producers.set(full, producer);
      producer.catch(() => this.producers.delete(full));
    }
    return producer;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((sub) => sub.close()));
    await Promise.all(
      [...this.producers.values()].map((p) =>
        p.then((producer) => producer.close()).catch(() => undefined),
      ),
    );
    await this.client.close();
  }

  private data(topic: string, message: NativeMessage): BrokerMessage {
    const key = message.getPartitionKey();
    return {
      messageId: message.getMessageId().toString(),
      topic,
      payload: message.getData(),
      key: key === '' ? undefined : key,
      properties: { ...message.getProperties() },
      publishTime: message.getPublishTimestamp(),
      redeliveryCount: message.getRedeliveryCount(),
    };
  }

  private received(
    topic: string,
    message: NativeMessage,
    consumer: NativeConsumer,
    options: SubscribeOptions,
    deadLetterTopic: string,
    clientSide: boolean,
  ): ReceivedMessage {
    const data = this.data(topic, message);
    let settled = false;
    const settle = async (action: () => Promise<void>): Promise<void> => {
      if (settled) return;
      await action();
      settled = true;
    };
    const deadLetter = async (extra: Record<string, string>): Promise<void> => {
      await this.publish(deadLetterTopic, [
        {
          payload: data.payload,
          key: data.key,
          properties: {
            ...data.properties,
            [DLQ_PROPERTIES.realTopic]: topic,
            [DLQ_PROPERTIES.originMessageId]: data.messageId,
            ...extra,
          },
        },
      ]);
      await consumer.acknowledge(message);
    };
    return {
      ...data,
      get settled(): boolean {
        return settled;
      },
      ack: () => settle(async () => void (await consumer.acknowledge(message))),
      nack: () =>
        settle(async () => {
          if (clientSide && data.redeliveryCount >= options.maxRedeliverCount) {
            await deadLetter({});
          } else {
            consumer.negativeAcknowledge(message);
          }
        }),
      deadLetter: (reason: string) =>
        settle(() => deadLetter({ [DLQ_PROPERTIES.reason]: clipReason(reason) })),
    };
  }

  private unavailable(what: string, error: unknown): StreamUnavailableError {
    if (error instanceof StreamUnavailableError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new StreamUnavailableError(
      `${what}: ${reason}`,
      { serviceUrl: this.options.serviceUrl },
      { cause: error },
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new StreamUnavailableError('The Pulsar message broker client is closed');
  }
}
