import { StreamUnavailableError } from '@app/vocabulary';
import { Inbox } from '../contract';
import {
  loadNativeClient,
  nativeClientInstalled,
  PulsarClientModule,
  PulsarNativeBroker,
} from './pulsar-native.broker';

type Listener = (message: FakeMessage, consumer: FakeConsumer) => void;

class FakeMessage {
  constructor(
    private readonly id: string,
    private readonly text: string,
    private readonly redeliveries = 0,
  ) {}
  getTopicName = (): string => 'persistent://public/default/t';
  getProperties = (): Record<string, string> => ({ p: '1' });
  getData = (): Buffer => Buffer.from(this.text);
  getMessageId = (): { toString(): string } => ({ toString: () => this.id });
  getPublishTimestamp = (): number => 1_700_000_000_000;
  getRedeliveryCount = (): number => this.redeliveries;
  getPartitionKey = (): string => 'key-1';
}

class FakeConsumer {
  readonly acked: string[] = [];
  readonly nacked: string[] = [];
  acknowledge(message: FakeMessage): Promise<null> {
    this.acked.push(message.getMessageId().toString());
    return Promise.resolve(null);
  }
  negativeAcknowledge(message: FakeMessage): void {
    this.nacked.push(message.getMessageId().toString());
  }
  close(): Promise<null> {
    return Promise.resolve(null);
  }
}

/** A stand-in for the `pulsar-client` module that records what the adapter asks of it. */
function fakeModule() {
  const sent: { topic: string; message: Record<string, unknown> }[] = [];
  const producers: Record<string, unknown>[] = [];
  const subscriptions: Record<string, unknown>[] = [];
  const consumer = new FakeConsumer();
  let listener: Listener | undefined;
  let clientConfig: Record<string, unknown> = {};
  class Client {
    constructor(config: Record<string, unknown>) {
      clientConfig = config;
    }
    createProducer(config: { topic: string }) {
      producers.push(config);
      return Promise.resolve({
        send: (message: Record<string, unknown>) => {
          sent.push({ topic: config.topic, message });
          const id = `id-${sent.length}`;
          return Promise.resolve({ toString: () => id });
        },
        flush: () => Promise.resolve(null),
        close: () => Promise.resolve(null),
      });
    }
    subscribe(config: Record<string, unknown> & { listener: Listener }) {
      subscriptions.push(config);
      listener = config.listener;
      return Promise.resolve(consumer);
    }
    createReader() {
      return Promise.reject(new Error('not used'));
    }
    close() {
      return Promise.resolve(null);
    }
  }
  class AuthenticationToken {
    constructor(readonly params: { token: string }) {}
  }
  const module: PulsarClientModule = {
    Client,
    AuthenticationToken,
    MessageId: { earliest: () => 'earliest' },
  };
  return {
    module,
    sent,
    producers,
    subscriptions,
    consumer,
    clientConfig: () => clientConfig,
    deliver: (message: FakeMessage) => listener?.(message, consumer),
  };
}

describe('PulsarNativeBroker', () => {
  it('is not installed on this machine, and says so clearly when asked for', () => {
    expect(nativeClientInstalled()).toBe(false);
    expect(() => loadNativeClient()).toThrow(StreamUnavailableError);
    expect(() => loadNativeClient()).toThrow(
      /optional package "pulsar-client", which is not installed/,
    );
    expect(nativeClientInstalled(() => '/somewhere/pulsar-client/index.js')).toBe(true);
  });

  it('connects with the service URL and token, and publishes with partition keys', async () => {
    const fake = fakeModule();
    const broker = new PulsarNativeBroker(
      { serviceUrl: 'pulsar://h:6650', tenant: 'bank', namespace: 'ns', authToken: 't0k' },
      fake.module,
    );
    expect(fake.clientConfig()).toMatchObject({ serviceUrl: 'pulsar://h:6650' });
    expect(fake.clientConfig().authentication).toEqual({ params: { token: 't0k' } });
    const ids = await broker.publish('bank.entities', [
      { payload: 'a', key: 'uid-1', properties: { type: 'vertex.upsert' } },
      { payload: 'b' },
    ]);
    expect(ids).toEqual([{ messageId: 'id-1' }, { messageId: 'id-2' }]);
    expect(fake.sent[0]).toEqual({
      topic: 'persistent://bank/ns/bank.entities',
      message: {
        data: Buffer.from('a'),
        properties: { type: 'vertex.upsert' },
        partitionKey: 'uid-1',
      },
    });
    expect(fake.sent[1].message).toEqual({ data: Buffer.from('b'), properties: {} });
    // Batches by key, so a Key_Shared subscription can still give each key to one consumer.
    expect(fake.producers[0]).toMatchObject({
      batchingEnabled: true,
      batchingType: 'KeyBasedBatching',
    });
    await broker.close();
  });

  it('subscribes Key_Shared when asked, and creates a subscription at the earliest message by subscribing once', async () => {
    const fake = fakeModule();
    const broker = new PulsarNativeBroker(
      { serviceUrl: 'pulsar://h:6650', tenant: 'public', namespace: 'default' },
      fake.module,
    );
    await broker.subscribe('t', 'graph-ingest', new Inbox().handler, {
      deadLetterTopic: 'dlq',
      maxRedeliverCount: 3,
      nackRedeliveryDelayMs: 500,
      subscriptionType: 'Key_Shared',
    });
    await broker.ensureSubscription('dlq', 'dlq-replay', 'earliest');
    // Attaching to create it: with the type of the consumers attached (Pulsar refuses another).
    await broker.ensureSubscription('t', 'graph-ingest', 'earliest', 'Key_Shared');
    expect(fake.subscriptions.map((s) => [s.subscription, s.subscriptionType])).toEqual([
      ['graph-ingest', 'KeyShared'],
      ['dlq-replay', 'Shared'],
      ['graph-ingest', 'KeyShared'],
    ]);
    expect(fake.subscriptions[1]).toMatchObject({
      topic: 'persistent://public/default/dlq',
      subscriptionInitialPosition: 'Earliest',
    });
    await broker.close();
  });

  it('subscribes Shared with the dead-letter policy; ack, nack and deadLetter reach the client', async () => {
    const fake = fakeModule();
    const broker = new PulsarNativeBroker(
      { serviceUrl: 'pulsar://h:6650', tenant: 'public', namespace: 'default' },
      fake.module,
    );
    const inbox = new Inbox(() => 'keep');
    await broker.subscribe('t', 'graph-ingest', inbox.handler, {
      deadLetterTopic: 'dlq',
      maxRedeliverCount: 3,
      nackRedeliveryDelayMs: 500,
    });
    expect(fake.subscriptions[0]).toMatchObject({
      topic: 'persistent://public/default/t',
      subscription: 'graph-ingest',
      subscriptionType: 'Shared',
      nAckRedeliverTimeoutMs: 500,
      deadLetterPolicy: {
        deadLetterTopic: 'persistent://public/default/dlq',
        maxRedeliverCount: 3,
      },
    });
    fake.deliver(new FakeMessage('m1', 'one'));
    fake.deliver(new FakeMessage('m2', 'two', 1));
    fake.deliver(new FakeMessage('m3', 'three'));
    const [one, two, three] = await inbox.waitFor(3);
    expect(one.key).toBe('key-1');
    expect(two.redeliveryCount).toBe(1);
    await one.ack();
    await two.nack();
    await three.deadLetter('payload.uid is required');
    expect(fake.consumer.acked).toEqual(['m1', 'm3']);
    expect(fake.consumer.nacked).toEqual(['m2']);
    expect(fake.sent).toEqual([
      {
        topic: 'persistent://public/default/dlq',
        message: {
          data: Buffer.from('three'),
          partitionKey: 'key-1',
          properties: {
            p: '1',
            REAL_TOPIC: 'persistent://public/default/t',
            ORIGIN_MESSAGE_ID: 'm3',
            'dlq-reason': 'payload.uid is required',
          },
        },
      },
    ]);
    await broker.close();
  });
});
