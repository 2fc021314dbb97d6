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

  it('unloads a topic (the last resort of the stall check): its consumer is served again and nothing is lost', async () => {
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
      expect(await broker.unloadTopic(resolved)).toBeUndefined();
      await broker.publish(topic, [{ payload: 'c' }]);
      await inbox.waitFor(3);
      expect(inbox.texts()).toEqual(['a', 'b', 'c']);
      expect(
        await broker.unloadTopic(
          resolveTopic('persistent://no-such-tenant/default/x', 'public', 'default'),
        ),
      ).toMatch(/^Pulsar answered 4\d\d/);
    } finally {
      await broker.close();
    }
  });

  it('rewinds a subscription to its first unacknowledged message (the stall check after an unload): what was not acknowledged comes again', async () => {
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
      const first = new Inbox((message) =>
        ['a', 'b'].includes(message.payload.toString()) ? 'ack' : 'keep',
      );
      const held = await broker.subscribe(topic, 'reader', first.handler, settings);
      await first.waitFor(4);
      const resolved = resolveTopic(topic, 'public', 'default');
      await acknowledged(broker, resolved, 'reader', 2);
      expect(await broker.rewindSubscription(resolved, 'reader')).toBeUndefined();
      await held.close();
      const second = new Inbox();
      await broker.subscribe(topic, 'reader', second.handler, settings);
      // c and d again; b too at most once (the mark-delete message itself).
      const until = Date.now() + 10_000;
      while (!(second.texts().includes('c') && second.texts().includes('d'))) {
        if (Date.now() > until)
          throw new Error(`c and d did not come again: ${second.texts().join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(second.texts().filter((text) => text !== 'b')).toEqual(['c', 'd']);
      expect(await broker.rewindSubscription(resolved, 'no-such-subscription')).toBe(
        'the internal stats name no mark-delete position for no-such-subscription',
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
