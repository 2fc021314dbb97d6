import { StreamUnavailableError } from '@app/vocabulary';
import type { BrokerMessage, MessageBroker, SubscribeOptions } from '../message-broker.port';
import { DLQ_PROPERTIES } from '../topic-names';
import { Inbox } from './inbox';

/** What an adapter's spec hands to the contract. */
export interface BrokerContractSubject {
  broker: MessageBroker;
  /** A topic name no other test (or earlier run) uses. */
  uniqueTopic(label: string): string;
  /** How long `readAll` waits for more messages on this backend. */
  readIdleMs: number;
  close(): Promise<void>;
}

const text = (message: BrokerMessage): string => message.payload.toString('utf8');

/**
 * The behaviour every `MessageBroker` adapter must have (see the port's comment). Run it from a
 * spec next to each adapter: the memory adapter in unit runs, Pulsar in integration runs.
 */
export function messageBrokerContract(
  adapter: string,
  open: () => Promise<BrokerContractSubject>,
): void {
  describe(`MessageBroker contract: ${adapter}`, () => {
    let subject: BrokerContractSubject;
    let broker: MessageBroker;

    beforeAll(async () => {
      subject = await open();
      broker = subject.broker;
    });

    afterAll(async () => {
      await subject.close();
    });

    function options(
      deadLetterTopic: string,
      extra: Partial<SubscribeOptions> = {},
    ): SubscribeOptions {
      return { deadLetterTopic, maxRedeliverCount: 2, nackRedeliveryDelayMs: 50, ...extra };
    }

    /** Dead-lettered messages, waiting until `count` arrived (a topic has no end signal). */
    async function deadLetters(topic: string, count: number): Promise<BrokerMessage[]> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = await broker.readAll(topic, { idleMs: subject.readIdleMs });
        if (found.length >= count || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('resolves short topic names in the tenant and namespace, keeps full names', () => {
      expect(broker.topicName('bank.entities')).toMatch(
        /^persistent:\/\/[^/]+\/[^/]+\/bank\.entities$/,
      );
      expect(broker.topicName('persistent://t1/ns1/x')).toBe('persistent://t1/ns1/x');
    });

    it('delivers published messages with payload, key, properties, topic and publish time', async () => {
      const topic = subject.uniqueTopic('roundtrip');
      const inbox = new Inbox();
      const sub = await broker.subscribe(topic, 'sub', inbox.handler, options(`${topic}-dlq`));
      const before = Date.now();
      const ids = await broker.publish(topic, [
        { payload: 'first', key: 'k-1', properties: { type: 'a', version: '1' } },
        { payload: Buffer.from([0, 1, 2, 255]) },
        { payload: '{"unicode":"€ ü 中"}', key: 'k-2' },
      ]);
      expect(ids).toHaveLength(3);
      expect(new Set(ids.map((i) => i.messageId)).size).toBe(3);
      const got = await inbox.waitFor(3);
      expect(got.map((m) => m.messageId)).toEqual(ids.map((i) => i.messageId));
      expect(text(got[0])).toBe('first');
      expect(got[0].key).toBe('k-1');
      expect(got[0].properties).toEqual({ type: 'a', version: '1' });
      expect(got[0].topic).toBe(broker.topicName(topic));
      expect(got[0].redeliveryCount).toBe(0);
      expect(got[0].publishTime).toBeGreaterThanOrEqual(before - 5_000);
      expect([...got[1].payload]).toEqual([0, 1, 2, 255]);
      expect(got[1].key).toBeUndefined();
      expect(got[1].properties).toEqual({});
      expect(text(got[2])).toBe('{"unicode":"€ ü 中"}');
      await sub.close();
    });

    it('publishes an empty batch as a no-op', async () => {
      await expect(broker.publish(subject.uniqueTopic('empty'), [])).resolves.toEqual([]);
    });

    it('starts a new subscription at the end of the topic; readAll reads from the start', async () => {
      const topic = subject.uniqueTopic('position');
      await broker.publish(topic, [{ payload: 'before-1' }, { payload: 'before-2' }]);
      const inbox = new Inbox();
      const sub = await broker.subscribe(topic, 'late', inbox.handler, options(`${topic}-dlq`));
      await broker.publish(topic, [{ payload: 'after' }]);
      await inbox.waitFor(1);
      expect(inbox.texts()).toEqual(['after']);
      await sub.close();
      const all = await broker.readAll(topic, { idleMs: subject.readIdleMs });
      expect(all.map(text)).toEqual(['before-1', 'before-2', 'after']);
      const firstTwo = await broker.readAll(topic, { idleMs: subject.readIdleMs, max: 2 });
      expect(firstTwo.map(text)).toEqual(['before-1', 'before-2']);
    });

    it('keeps messages in publish order for one consumer', async () => {
      const topic = subject.uniqueTopic('order');
      const inbox = new Inbox();
      const sub = await broker.subscribe(topic, 'sub', inbox.handler, options(`${topic}-dlq`));
      const payloads = Array.from({ length: 50 }, (_, i) => `m-${i}`);
      await broker.publish(
        topic,
        payloads.map((payload) => ({ payload, key: 'same' })),
      );
      await inbox.waitFor(50);
      expect(inbox.texts()).toEqual(payloads);
      await sub.close();
    });

    it('gives every subscription every message', async () => {
      const topic = subject.uniqueTopic('fanout');
      const a = new Inbox();
      const b = new Inbox();
      const subA = await broker.subscribe(topic, 'a', a.handler, options(`${topic}-dlq`));
      const subB = await broker.subscribe(topic, 'b', b.handler, options(`${topic}-dlq`));
      await broker.publish(topic, [{ payload: 'x' }, { payload: 'y' }]);
      await a.waitFor(2);
      await b.waitFor(2);
      expect(a.texts()).toEqual(['x', 'y']);
      expect(b.texts()).toEqual(['x', 'y']);
      await subA.close();
      await subB.close();
    });

    it('shares one subscription between consumers: each message is handled once', async () => {
      const topic = subject.uniqueTopic('shared');
      const seen: string[] = [];
      const all = new Inbox();
      const record = (tag: string) => async (message: Parameters<typeof all.handler>[0]) => {
        seen.push(`${tag}:${text(message)}`);
        await all.handler(message);
      };
      const one = await broker.subscribe(
        topic,
        'workers',
        record('1'),
        options(`${topic}-dlq`, { receiveQueueSize: 1 }),
      );
      const two = await broker.subscribe(
        topic,
        'workers',
        record('2'),
        options(`${topic}-dlq`, { receiveQueueSize: 1 }),
      );
      const payloads = Array.from({ length: 20 }, (_, i) => `w-${i}`);
      await broker.publish(
        topic,
        payloads.map((payload) => ({ payload })),
      );
      await all.waitFor(20);
      expect([...all.texts()].sort()).toEqual([...payloads].sort());
      expect(seen).toHaveLength(20);
      await one.close();
      await two.close();
    });

    it('on Key_Shared, hands every message of a key to one consumer, in publish order', async () => {
      const topic = subject.uniqueTopic('key-shared');
      const all = new Inbox();
      const seen = new Map<string, Map<string, string[]>>([
        ['one', new Map()],
        ['two', new Map()],
      ]);
      const record = (tag: string) => async (message: Parameters<typeof all.handler>[0]) => {
        const byKey = seen.get(tag) as Map<string, string[]>;
        const key = message.key ?? '';
        byKey.set(key, [...(byKey.get(key) ?? []), text(message)]);
        await all.handler(message);
      };
      const keyShared = options(`${topic}-dlq`, { subscriptionType: 'Key_Shared' });
      const one = await broker.subscribe(topic, 'by-key', record('one'), keyShared);
      const two = await broker.subscribe(topic, 'by-key', record('two'), keyShared);
      const keys = Array.from({ length: 16 }, (_, i) => `acct-${i}`);
      // Interleaved: acct-0 #0, acct-1 #0, …, acct-15 #0, acct-0 #1, …
      const messages = Array.from({ length: 5 }, (_, round) =>
        keys.map((key) => ({ payload: `${key}#${round}`, key })),
      ).flat();
      await broker.publish(topic, messages);
      await all.waitFor(messages.length, 15_000);
      const [keysOne, keysTwo] = [seen.get('one'), seen.get('two')] as Map<string, string[]>[];
      // Both consumers work, and no key is split between them.
      expect(keysOne.size).toBeGreaterThan(0);
      expect(keysTwo.size).toBeGreaterThan(0);
      expect([...keysOne.keys()].filter((key) => keysTwo.has(key))).toEqual([]);
      for (const key of keys) {
        expect(keysOne.get(key) ?? keysTwo.get(key)).toEqual(
          [0, 1, 2, 3, 4].map((round) => `${key}#${round}`),
        );
      }
      await one.close();
      await two.close();
    });

    it('creates a subscription at the start of the topic on request, and leaves an existing one where it is', async () => {
      const topic = subject.uniqueTopic('ensure');
      await broker.publish(topic, [{ payload: 'before-1' }, { payload: 'before-2' }]);
      await broker.ensureSubscription(topic, 'from-start', 'earliest');
      await broker.ensureSubscription(topic, 'from-end', 'latest');
      await broker.publish(topic, [{ payload: 'after' }]);
      // Asked again: the subscription exists and keeps its position.
      await broker.ensureSubscription(topic, 'from-start', 'latest');
      const fromStart = new Inbox();
      const subStart = await broker.subscribe(
        topic,
        'from-start',
        fromStart.handler,
        options(`${topic}-dlq`),
      );
      await fromStart.waitFor(3);
      expect(fromStart.texts()).toEqual(['before-1', 'before-2', 'after']);
      await subStart.close();
      const fromEnd = new Inbox();
      const subEnd = await broker.subscribe(
        topic,
        'from-end',
        fromEnd.handler,
        options(`${topic}-dlq`),
      );
      await broker.publish(topic, [{ payload: 'marker' }]);
      await fromEnd.waitFor(2);
      expect(fromEnd.texts()).toEqual(['after', 'marker']);
      await subEnd.close();
    });

    it('does not redeliver an acknowledged message; the subscription keeps its position', async () => {
      const topic = subject.uniqueTopic('ack');
      const first = new Inbox();
      const sub = await broker.subscribe(topic, 'sub', first.handler, options(`${topic}-dlq`));
      await broker.publish(topic, [{ payload: 'acked' }]);
      await first.waitFor(1);
      await sub.close();
      // Published while nobody listens: the subscription still holds it.
      await broker.publish(topic, [{ payload: 'while-away' }]);
      const second = new Inbox();
      const again = await broker.subscribe(topic, 'sub', second.handler, options(`${topic}-dlq`));
      await broker.publish(topic, [{ payload: 'marker' }]);
      await second.waitFor(2);
      expect(second.texts()).toEqual(['while-away', 'marker']);
      await again.close();
    });

    it('redelivers a nacked message with a higher count, then dead-letters it intact', async () => {
      const topic = subject.uniqueTopic('nack');
      const dlq = `${topic}-dlq`;
      const inbox = new Inbox(() => 'nack');
      const sub = await broker.subscribe(
        topic,
        'sub',
        inbox.handler,
        options(dlq, { maxRedeliverCount: 2 }),
      );
      const [published] = await broker.publish(topic, [
        {
          payload: '{"n":1}',
          key: 'acct-1',
          properties: { type: 'movement.recorded', version: '1' },
        },
      ]);
      const deliveries = await inbox.waitFor(3);
      expect(deliveries.map((m) => m.redeliveryCount)).toEqual([0, 1, 2]);
      expect(new Set(deliveries.map((m) => m.messageId))).toEqual(new Set([published.messageId]));
      const dead = await deadLetters(dlq, 1);
      expect(dead).toHaveLength(1);
      expect(text(dead[0])).toBe('{"n":1}');
      expect(dead[0].key).toBe('acct-1');
      expect(dead[0].properties).toMatchObject({
        type: 'movement.recorded',
        version: '1',
        [DLQ_PROPERTIES.realTopic]: broker.topicName(topic),
      });
      expect(dead[0].properties[DLQ_PROPERTIES.originMessageId]).toEqual(expect.any(String));
      expect(dead[0].properties[DLQ_PROPERTIES.reason]).toBeUndefined();
      // Three deliveries in all: the message is not handed out again after dead-lettering.
      await broker.publish(topic, [{ payload: 'marker' }]);
      await inbox.waitFor(4);
      expect(inbox.texts()[3]).toBe('marker');
      await sub.close();
    });

    it('dead-letters at the first nack when maxRedeliverCount is 0', async () => {
      const topic = subject.uniqueTopic('zero');
      const dlq = `${topic}-dlq`;
      const inbox = new Inbox(() => 'nack');
      const sub = await broker.subscribe(
        topic,
        'sub',
        inbox.handler,
        options(dlq, { maxRedeliverCount: 0 }),
      );
      await broker.publish(topic, [{ payload: 'once', key: 'k' }]);
      await inbox.waitFor(1);
      const dead = await deadLetters(dlq, 1);
      expect(dead.map(text)).toEqual(['once']);
      expect(dead[0].key).toBe('k');
      expect(dead[0].properties[DLQ_PROPERTIES.realTopic]).toBe(broker.topicName(topic));
      await broker.publish(topic, [{ payload: 'marker' }]);
      await inbox.waitFor(2);
      expect(inbox.texts()).toEqual(['once', 'marker']);
      await sub.close();
    });

    it('dead-letters at once with the reason, without redelivery', async () => {
      const topic = subject.uniqueTopic('reject');
      const dlq = `${topic}-dlq`;
      const inbox = new Inbox(() => 'keep');
      const sub = await broker.subscribe(
        topic,
        'sub',
        inbox.handler,
        options(dlq, { maxRedeliverCount: 5 }),
      );
      await broker.publish(topic, [{ payload: 'bad', key: 'k-bad', properties: { type: 'x' } }]);
      const [message] = await inbox.waitFor(1);
      await message.deadLetter('payload.amountMinor must be at least 1');
      expect(message.settled).toBe(true);
      const dead = await deadLetters(dlq, 1);
      expect(dead).toHaveLength(1);
      expect(text(dead[0])).toBe('bad');
      expect(dead[0].key).toBe('k-bad');
      expect(dead[0].properties).toMatchObject({
        type: 'x',
        [DLQ_PROPERTIES.reason]: 'payload.amountMinor must be at least 1',
        [DLQ_PROPERTIES.realTopic]: broker.topicName(topic),
        [DLQ_PROPERTIES.originMessageId]: message.messageId,
      });
      await broker.publish(topic, [{ payload: 'marker' }]);
      await inbox.waitFor(2);
      expect(inbox.texts()).toEqual(['bad', 'marker']);
      await sub.close();
    });

    it('nacks a message whose handler throws before settling it', async () => {
      const topic = subject.uniqueTopic('throws');
      let calls = 0;
      const inbox = new Inbox();
      const sub = await broker.subscribe(
        topic,
        'sub',
        async (message) => {
          calls += 1;
          if (calls === 1) throw new Error('transient');
          await inbox.handler(message);
        },
        options(`${topic}-dlq`),
      );
      await broker.publish(topic, [{ payload: 'retry-me' }]);
      const [redelivered] = await inbox.waitFor(1);
      expect(text(redelivered)).toBe('retry-me');
      expect(redelivered.redeliveryCount).toBe(1);
      await sub.close();
    });

    it('settles a message once: a second ack or nack changes nothing', async () => {
      const topic = subject.uniqueTopic('once');
      const inbox = new Inbox(() => 'keep');
      const sub = await broker.subscribe(topic, 'sub', inbox.handler, options(`${topic}-dlq`));
      await broker.publish(topic, [{ payload: 'a' }]);
      const [message] = await inbox.waitFor(1);
      expect(message.settled).toBe(false);
      await message.ack();
      await message.nack();
      expect(message.settled).toBe(true);
      await broker.publish(topic, [{ payload: 'marker' }]);
      const got = await inbox.waitFor(2);
      await got[1].ack();
      expect(inbox.texts()).toEqual(['a', 'marker']);
      await sub.close();
    });

    it('stops handing out messages after stop(), and redelivers unsettled ones after close()', async () => {
      const topic = subject.uniqueTopic('stop');
      const first = new Inbox(() => 'keep');
      const sub = await broker.subscribe(topic, 'sub', first.handler, options(`${topic}-dlq`));
      await broker.publish(topic, [{ payload: 'in-flight' }]);
      const [inFlight] = await first.waitFor(1);
      sub.stop();
      await broker.publish(topic, [{ payload: 'after-stop' }]);
      await sub.close();
      const second = new Inbox();
      const again = await broker.subscribe(topic, 'sub', second.handler, options(`${topic}-dlq`));
      await second.waitFor(2);
      expect([...second.texts()].sort()).toEqual(['after-stop', 'in-flight']);
      expect(first.texts()).toEqual(['in-flight']);
      expect(inFlight.settled).toBe(false);
      await again.close();
    });

    it('rejects names that are not topics', async () => {
      await expect(broker.publish('no spaces allowed', [{ payload: 'x' }])).rejects.toThrow(
        /topic/,
      );
    });

    it('answers ping while open', async () => {
      await expect(broker.ping()).resolves.toBeUndefined();
    });
  });

  describe(`MessageBroker contract: ${adapter} after close`, () => {
    it('refuses to publish with StreamUnavailableError', async () => {
      const subject = await open();
      await subject.broker.close();
      await expect(
        subject.broker.publish(subject.uniqueTopic('closed'), [{ payload: 'x' }]),
      ).rejects.toBeInstanceOf(StreamUnavailableError);
      await subject.close();
    });
  });
}
