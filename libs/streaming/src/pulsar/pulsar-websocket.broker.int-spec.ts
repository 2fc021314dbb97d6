import { describeWithPulsar } from '@app/testing';
import { StreamUnavailableError } from '@app/vocabulary';
import { Inbox, messageBrokerContract } from '../contract';
import { resolveTopic } from '../topic-names';
import type { ResolvedTopic } from '../topic-names';
import { PulsarWebSocketBroker } from './pulsar-websocket.broker';

jest.setTimeout(30_000);

const run = `${Date.now().toString(36)}-${process.pid}`;
let counter = 0;
const uniqueTopic = (label: string): string => `it-${run}-${label}-${(counter += 1)}`;

/**
 * Acknowledgements are frames Pulsar handles after they are sent: waits until the subscription's
 * backlog is down to `waiting`.
 */
async function acknowledged(
  broker: PulsarWebSocketBroker,
  topic: ResolvedTopic,
  subscription: string,
  waiting: number,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await broker.subscriptionBacklog(topic, subscription))?.waiting !== waiting) {
    if (Date.now() > deadline)
      throw new Error(`the backlog of ${subscription} did not come down to ${waiting}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeWithPulsar('PulsarWebSocketBroker on a real Pulsar', (endpoint) => {
  const open = (): PulsarWebSocketBroker =>
    new PulsarWebSocketBroker({
      webUrl: endpoint.webUrl,
      tenant: 'public',
      namespace: 'default',
      reconnect: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 500 },
    });

  messageBrokerContract('pulsar (WebSocket)', () => {
    const broker = open();
    return Promise.resolve({
      broker,
      uniqueTopic,
      readIdleMs: 700,
      close: () => broker.close(),
    });
  });

  it('reads what a subscription holds from the topic stats (the stall check of its consumers)', async () => {
    const broker = open();
    const topic = uniqueTopic('backlog');
    try {
      await broker.ensureSubscription(topic, 'waiting', 'earliest');
      await broker.publish(topic, [{ payload: 'a' }, { payload: 'b' }, { payload: 'c' }]);
      const resolved = resolveTopic(topic, 'public', 'default');
      expect(await broker.subscriptionBacklog(resolved, 'waiting')).toEqual({
        waiting: 3,
        inFlight: 0,
      });
      expect(await broker.subscriptionBacklog(resolved, 'no-such-subscription')).toBeUndefined();
    } finally {
      await broker.close();
    }
  });

  /** When the consumers of `subscription` connected to the broker (topic stats). */
  const connectedSince = async (topic: ResolvedTopic, subscription: string): Promise<string[]> => {
    const response = await fetch(`${endpoint.webUrl}/admin/v2/${topic.path}/stats`);
    const stats = (await response.json()) as {
      subscriptions?: Record<string, { consumers?: { connectedSince?: string }[] }>;
    };
    return (stats.subscriptions?.[subscription]?.consumers ?? []).map(
      (consumer) => consumer.connectedSince ?? '',
    );
  };

  it('unloads a topic (a step of the stall check): the broker reopens it, its consumer is attached again and served, nothing is lost', async () => {
    const broker = open();
    const topic = uniqueTopic('unload');
    try {
      await broker.ensureSubscription(topic, 'reader', 'earliest');
      await broker.publish(topic, [{ payload: 'a' }, { payload: 'b' }]);
      const inbox = new Inbox();
      await broker.subscribe(topic, 'reader', inbox.handler, {
        deadLetterTopic: `${topic}-dlq`,
        maxRedeliverCount: 3,
        nackRedeliveryDelayMs: 100,
      });
      await inbox.waitFor(2);
      const resolved = resolveTopic(topic, 'public', 'default');
      await acknowledged(broker, resolved, 'reader', 0);
      const before = await connectedSince(resolved, 'reader');
      expect(before).toHaveLength(1);
      expect(await broker.unloadTopic(resolved)).toBeUndefined();
      // The consumer was detached by the unload and attached again to the reopened topic.
      const deadline = Date.now() + 10_000;
      let after = await connectedSince(resolved, 'reader');
      while (after.length !== 1 || after[0] === before[0]) {
        if (Date.now() > deadline)
          throw new Error(`no new attachment after the unload: ${after.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await connectedSince(resolved, 'reader');
      }
      await broker.publish(topic, [{ payload: 'c' }]);
      await inbox.waitFor(3);
      expect(inbox.texts()).toEqual(['a', 'b', 'c']);
      expect(
        await broker.unloadTopic(
          resolveTopic('persistent://no-such-tenant/default/x', 'public', 'default'),
        ),
      ).toMatch(/^Pulsar answered [45]\d\d/);
    } finally {
      await broker.close();
    }
  });

  it('rewinds a subscription to its first unacknowledged message (a step of the stall check): what was acknowledged after it comes again, nothing before it', async () => {
    const broker = open();
    const topic = uniqueTopic('rewind');
    const settings = {
      deadLetterTopic: `${topic}-dlq`,
      maxRedeliverCount: 3,
      nackRedeliveryDelayMs: 100,
    };
    try {
      await broker.ensureSubscription(topic, 'reader', 'earliest');
      await broker.publish(
        topic,
        ['a', 'b', 'c', 'd'].map((payload) => ({ payload })),
      );
      // a and c acknowledged, b and d not: the first unacknowledged message is b.
      const first = new Inbox((message) =>
        ['a', 'c'].includes(message.payload.toString()) ? 'ack' : 'keep',
      );
      const held = await broker.subscribe(topic, 'reader', first.handler, settings);
      await first.waitFor(4);
      const resolved = resolveTopic(topic, 'public', 'default');
      await acknowledged(broker, resolved, 'reader', 2);
      await held.close();
      expect(await broker.rewindSubscription(resolved, 'reader')).toBeUndefined();
      const second = new Inbox();
      await broker.subscribe(topic, 'reader', second.handler, settings);
      // Without the rewind only b and d would come (c was acknowledged).
      await second.waitFor(3);
      await acknowledged(broker, resolved, 'reader', 0);
      expect(second.texts()).toEqual(['b', 'c', 'd']);
      expect(await broker.rewindSubscription(resolved, 'no-such-subscription')).toBe(
        "the topic's internal stats list no subscription named no-such-subscription (was it deleted?)",
      );
    } finally {
      await broker.close();
    }
  });

  describe('failures surface as StreamUnavailableError', () => {
    it('names the reason when Pulsar refuses the connection (unknown namespace), without retrying', async () => {
      const broker = open();
      const started = Date.now();
      const error: unknown = await broker
        .subscribe('persistent://no-such-tenant/default/x', 'sub', new Inbox().handler, {
          deadLetterTopic: 'persistent://no-such-tenant/default/x-dlq',
          maxRedeliverCount: 1,
          nackRedeliveryDelayMs: 100,
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamUnavailableError);
      expect((error as Error).message).toMatch(/404/);
      expect((error as Error).message).toMatch(/[Nn]amespace not found|[Tt]enant/);
      // Refusals are not retried (three attempts with backoff would take longer).
      expect(Date.now() - started).toBeLessThan(5_000);
      await broker.close();
    });

    it('reports a broker that is not there after the configured attempts', async () => {
      const broker = new PulsarWebSocketBroker({
        webUrl: `http://127.0.0.1:9`,
        tenant: 'public',
        namespace: 'default',
        reconnect: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      });
      await expect(broker.publish('x', [{ payload: 'x' }])).rejects.toBeInstanceOf(
        StreamUnavailableError,
      );
      await expect(broker.ping()).rejects.toThrow(/does not answer/);
      await broker.close();
    });
  });
});
