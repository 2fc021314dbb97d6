import { FixedClock } from '@app/vocabulary';
import { Inbox, messageBrokerContract } from '../contract';
import { DLQ_PROPERTIES } from '../topic-names';
import { MemoryBroker } from './memory.broker';

let counter = 0;
messageBrokerContract('memory', () => {
  const broker = new MemoryBroker();
  return Promise.resolve({
    broker,
    uniqueTopic: (label: string) => `t-${label}-${(counter += 1)}`,
    readIdleMs: 0,
    close: () => broker.close(),
  });
});

describe('MemoryBroker specifics', () => {
  it('stamps publish time from the injected clock', async () => {
    const broker = new MemoryBroker({ clock: new FixedClock(1_700_000_000_000) });
    await broker.publish('clocked', [{ payload: 'x' }]);
    const [message] = await broker.readAll('clocked', { idleMs: 0 });
    expect(message.publishTime).toBe(1_700_000_000_000);
    await broker.close();
  });

  it('resolves short names in the configured tenant and namespace', () => {
    const broker = new MemoryBroker({ tenant: 'bank', namespace: 'prod' });
    expect(broker.topicName('bank.alerts')).toBe('persistent://bank/prod/bank.alerts');
  });

  it('redelivers a message not settled within the ack timeout, and counts it', async () => {
    const broker = new MemoryBroker();
    const inbox = new Inbox(() => 'keep');
    const sub = await broker.subscribe('slow', 'sub', inbox.handler, {
      deadLetterTopic: 'slow-dlq',
      maxRedeliverCount: 1,
      nackRedeliveryDelayMs: 0,
      ackTimeoutMs: 20,
    });
    await broker.publish('slow', [{ payload: 'late' }]);
    const [first, second] = await inbox.waitFor(2);
    expect([first.redeliveryCount, second.redeliveryCount]).toEqual([0, 1]);
    // Settling the first delivery after its timeout is refused: it went back to the broker.
    await expect(first.ack()).rejects.toThrow(/ack timeout/);
    await second.ack();
    await sub.close();
    await broker.close();
  });

  it('limits unsettled messages per consumer to receiveQueueSize', async () => {
    const broker = new MemoryBroker();
    const inbox = new Inbox(() => 'keep');
    const sub = await broker.subscribe('queue', 'sub', inbox.handler, {
      deadLetterTopic: 'queue-dlq',
      maxRedeliverCount: 1,
      nackRedeliveryDelayMs: 0,
      receiveQueueSize: 2,
    });
    await broker.publish('queue', [{ payload: '1' }, { payload: '2' }, { payload: '3' }]);
    const [one] = await inbox.waitFor(2);
    expect(inbox.received).toHaveLength(2);
    await one.ack();
    await inbox.waitFor(3);
    expect(inbox.texts()).toEqual(['1', '2', '3']);
    await sub.close();
    await broker.close();
  });

  it('clips very long dead-letter reasons', async () => {
    const broker = new MemoryBroker();
    const inbox = new Inbox(() => 'keep');
    await broker.subscribe('long', 'sub', inbox.handler, {
      deadLetterTopic: 'long-dlq',
      maxRedeliverCount: 1,
      nackRedeliveryDelayMs: 0,
    });
    await broker.publish('long', [{ payload: 'x' }]);
    const [message] = await inbox.waitFor(1);
    await message.deadLetter('r'.repeat(5000));
    const [dead] = await broker.readAll('long-dlq', { idleMs: 0 });
    expect(dead.properties[DLQ_PROPERTIES.reason]).toHaveLength(2000);
    await broker.close();
  });
});
