import { describeWithPulsar } from '@app/testing';
import { StreamUnavailableError } from '@app/vocabulary';
import { Inbox, messageBrokerContract } from '../contract';
import { resolveTopic } from '../topic-names';
import { PulsarWebSocketBroker } from './pulsar-websocket.broker';

jest.setTimeout(30_000);

const run = `${Date.now().toString(36)}-${process.pid}`;
let counter = 0;
const uniqueTopic = (label: string): string => `it-${run}-${label}-${(counter += 1)}`;

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
