import { Inbox } from './contract';
import { MemoryBroker } from './memory/memory.broker';
import { ensureSubscriptionsFromStart } from './message-broker.port';
import type { InitialPosition, SubscriptionType } from './message-broker.port';

/** A memory broker that refuses to create subscriptions on one topic. */
class RefusingBroker extends MemoryBroker {
  constructor(private readonly refused: string) {
    super();
  }

  override ensureSubscription(
    topic: string,
    subscription: string,
    position: InitialPosition,
    subscriptionType?: SubscriptionType,
  ): Promise<void> {
    if (topic === this.refused) return Promise.reject(new Error(`no subscriptions on ${topic}`));
    return super.ensureSubscription(topic, subscription, position, subscriptionType);
  }
}

describe('ensureSubscriptionsFromStart', () => {
  it('creates the subscription on every topic from its first message', async () => {
    const broker = new MemoryBroker();
    await broker.publish('entities', [{ payload: 'e1' }]);
    await broker.publish('movements', [{ payload: 'm1' }, { payload: 'm2' }]);

    const failures = await ensureSubscriptionsFromStart(
      broker,
      ['entities', 'movements'],
      'ingest',
    );
    const inbox = new Inbox();
    for (const topic of ['entities', 'movements']) {
      await broker.subscribe(topic, 'ingest', inbox.handler, {
        deadLetterTopic: `${topic}-dlq`,
        maxRedeliverCount: 1,
        nackRedeliveryDelayMs: 0,
      });
    }
    await inbox.waitFor(3);
    expect({ failures, received: inbox.texts().sort() }).toEqual({
      failures: [],
      received: ['e1', 'm1', 'm2'],
    });
    await broker.close();
  });

  it('answers the topics it could not create it on, and still creates it on the others', async () => {
    const broker = new RefusingBroker('entities');
    const failures = await ensureSubscriptionsFromStart(
      broker,
      ['entities', 'movements'],
      'ingest',
      'Key_Shared',
    );
    expect(failures.map(({ topic, error }) => [topic, String(error)])).toEqual([
      ['entities', 'Error: no subscriptions on entities'],
    ]);
    await broker.close();
  });
});
