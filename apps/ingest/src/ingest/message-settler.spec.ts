import { MemoryBroker } from '@app/streaming';
import type { ReceivedMessage } from '@app/streaming';
import { FixedClock } from '@app/vocabulary';
import { RecordingLogger } from './ingest.fixtures';
import type { WriteOutcome } from './graph-batch.writer';
import { NoIngestMetrics } from './ingest.metrics';
import { emptyCounters, MessageSettler, WAITING_SINCE_PROPERTY } from './message-settler';

const T0 = 1_750_000_000_000;

/** A received message whose settling the test controls and records. */
class FakeMessage implements ReceivedMessage {
  readonly topic = 'persistent://public/default/bank.movements';
  readonly key = 'account:b1:1';
  readonly payload = Buffer.from('{"n":1}');
  readonly calls: string[] = [];
  settled = false;
  release: () => void = () => undefined;
  private readonly gate: Promise<void>;

  constructor(
    readonly messageId: string,
    readonly redeliveryCount = 0,
    readonly properties: Record<string, string> = { type: 'movement.recorded' },
    readonly publishTime = T0,
    held = false,
  ) {
    this.gate = held
      ? new Promise((resolve) => {
          this.release = resolve;
        })
      : Promise.resolve();
  }

  private async record(call: string): Promise<void> {
    this.calls.push(`${call} started`);
    await this.gate;
    this.settled = true;
    this.calls.push(`${call} done`);
  }

  ack(): Promise<void> {
    return this.record('ack');
  }
  nack(): Promise<void> {
    return this.record('nack');
  }
  deadLetter(reason: string): Promise<void> {
    return this.record(`deadLetter ${reason}`);
  }
}

function settler(
  options: {
    maxRedeliverCount?: number;
    missingEntityWaitMs?: number;
    answeringSince?: number;
  } = {},
) {
  const broker = new MemoryBroker();
  const clock = new FixedClock(T0);
  const counters = emptyCounters();
  const logger = new RecordingLogger();
  const subject = new MessageSettler(
    broker,
    {
      maxRedeliverCount: options.maxRedeliverCount ?? 2,
      missingEntityWaitMs: options.missingEntityWaitMs ?? 0,
    },
    counters,
    new NoIngestMetrics(),
    logger,
    clock,
    () => options.answeringSince ?? T0,
  );
  return { subject, broker, clock, counters, logger };
}

const missing = {
  kind: 'missing' as const,
  reason: 'to vertex "account:b1:9" does not exist',
  missing: ['account:b1:9'],
};

describe('MessageSettler', () => {
  it('settles every message of a batch at once, not one after another', async () => {
    const { subject, counters } = settler();
    const batch = ['m1', 'm2', 'm3'].map(
      (id) => new FakeMessage(id, 0, undefined, undefined, true),
    );
    const settling = subject.settleAll(
      batch.map((message) => ({ message, outcome: { kind: 'written' }, endNoun: 'vertex' })),
    );
    await new Promise((resolve) => setImmediate(resolve));
    // All three acks are under way before the first is confirmed.
    expect(batch.map((m) => m.calls)).toEqual([['ack started'], ['ack started'], ['ack started']]);
    batch.forEach((m) => m.release());
    await settling;
    expect(counters.written).toBe(3);
  });

  it('reports the messages of a batch it could not settle in one error line, each at debug level', async () => {
    const { subject, logger } = settler();
    const lost = (id: string): FakeMessage => {
      const message = new FakeMessage(id);
      message.ack = () => Promise.reject(new Error(`Message ${id}: the connection is gone`));
      return message;
    };
    const batch = [new FakeMessage('m1'), lost('m2'), lost('m3'), new FakeMessage('m4')];
    await subject.settleAll(
      batch.map((message) => ({ message, outcome: { kind: 'written' }, endNoun: 'vertex' })),
    );
    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors).toEqual([
      {
        level: 'error',
        entry: expect.objectContaining({
          correlationId: 'm2',
          msg: expect.stringContaining(
            'could not settle 2 of 4 message(s) of a batch; the broker delivers them again',
          ) as unknown,
        }) as unknown,
      },
    ]);
    expect(JSON.stringify(errors)).toContain('Message m2: the connection is gone');
    const debugIds = logger.lines
      .filter((line) => line.level === 'debug')
      .map((line) => line.entry as { correlationId?: string; msg: string })
      .filter((entry) => entry.msg.startsWith('could not settle'))
      .map((entry) => entry.correlationId);
    expect(debugIds).toEqual(['m2', 'm3']);
    expect(batch.map((m) => m.settled)).toEqual([true, false, false, true]);
  });

  it('reports the messages a batch sends back in one warning per kind, each at debug level', async () => {
    const { subject, logger } = settler();
    const failing = { kind: 'retry' as const, reason: 'the graph write failed: Boom' };
    const batch: [FakeMessage, WriteOutcome][] = [
      [new FakeMessage('m1'), missing],
      [new FakeMessage('m2'), { kind: 'written' }],
      [new FakeMessage('m3'), missing],
      [new FakeMessage('m4'), failing],
      [new FakeMessage('m5'), missing],
    ];
    await subject.settleAll(
      batch.map(([message, outcome]) => ({ message, outcome, endNoun: 'account' })),
    );
    expect(batch.map(([m]) => m.calls.at(-1))).toEqual([
      'nack done',
      'ack done',
      'nack done',
      'nack done',
      'nack done',
    ]);
    const warnings = logger.lines
      .filter((line) => line.level === 'warn')
      .map((line) => line.entry as { correlationId: string; msg: string });
    expect(warnings).toEqual([
      {
        correlationId: 'm1',
        topic: 'persistent://public/default/bank.movements',
        redeliveryCount: 0,
        msg: expect.stringMatching(
          /^3 of 5 message\(s\) of a batch wait for an account not written yet and go back to the broker.* First: waiting for account "account:b1:9": to vertex "account:b1:9" does not exist\./,
        ) as unknown,
      },
      {
        correlationId: 'm4',
        topic: 'persistent://public/default/bank.movements',
        redeliveryCount: 0,
        msg: expect.stringMatching(
          /^1 of 5 message\(s\) of a batch failed on their own .* First: will retry: the graph write failed: Boom\./,
        ) as unknown,
      },
    ]);
    const debug = logger.lines
      .filter((line) => line.level === 'debug')
      .map((line) => line.entry as { correlationId: string; msg: string })
      .filter((entry) => entry.msg !== 'written')
      .map((entry) => `${entry.correlationId} ${entry.msg.split(':')[0]}`);
    expect(debug.sort()).toEqual([
      'm1 waiting for account "account',
      'm3 waiting for account "account',
      'm4 will retry',
      'm5 waiting for account "account',
    ]);
  });

  it('nacks a missing-end message while redeliveries remain, then dead-letters it naming the account and the wait', async () => {
    const { subject, clock, counters } = settler({ maxRedeliverCount: 2 });
    const early = new FakeMessage('m1', 1);
    await subject.settle({ message: early, outcome: missing, endNoun: 'account' });
    expect(early.calls).toEqual(['nack started', 'nack done']);
    clock.advance(2_500);
    const last = new FakeMessage('m1', 2);
    await subject.settle({ message: last, outcome: missing, endNoun: 'account' });
    expect(last.calls[0]).toBe(
      'deadLetter account "account:b1:9" does not exist after waiting 2.5 s (2 redeliveries); write the account first, then replay the dead letter started',
    );
    expect(counters).toMatchObject({ retried: 1, deadLettered: 1 });
  });

  it('publishes a missing-end message again when its redeliveries are spent before the wait is over, keeping the original time', async () => {
    const { subject, broker, clock, counters } = settler({
      maxRedeliverCount: 1,
      missingEntityWaitMs: 60_000,
    });
    clock.advance(5_000);
    const last = new FakeMessage('m1', 1);
    await subject.settle({ message: last, outcome: missing, endNoun: 'account' });
    expect(last.calls).toEqual(['ack started', 'ack done']);
    const [copy] = await broker.readAll(last.topic, { idleMs: 0 });
    expect(copy.payload.toString()).toBe('{"n":1}');
    expect(copy.key).toBe('account:b1:1');
    expect(copy.properties).toEqual({
      type: 'movement.recorded',
      [WAITING_SINCE_PROPERTY]: String(T0),
    });
    expect(counters.retried).toBe(1);
    // The copy, delivered later, counts its wait from the original publish time.
    clock.advance(55_000);
    const again = new FakeMessage('m2', 1, { ...copy.properties }, T0 + 5_000);
    await subject.settle({ message: again, outcome: missing, endNoun: 'account' });
    expect(again.calls[0]).toMatch(
      /^deadLetter account "account:b1:9" does not exist after waiting 60 s/,
    );
  });

  it('counts the wait from when the store began answering, so a backlog read after downtime is not dead-lettered at once', async () => {
    const { subject, clock } = settler({
      maxRedeliverCount: 0,
      missingEntityWaitMs: 10_000,
      // The worker (or the graph) came back an hour after the message was published.
      answeringSince: T0 + 3_600_000,
    });
    clock.advance(3_600_000 + 1_000);
    const message = new FakeMessage('m1', 0);
    await subject.settle({ message, outcome: missing, endNoun: 'account' });
    expect(message.calls).toEqual(['ack started', 'ack done']);
  });

  it('dead-letters an invalid message at once and a failing one on its last delivery', async () => {
    const { subject, counters } = settler({ maxRedeliverCount: 1 });
    const bad = new FakeMessage('m1', 0);
    await subject.settle({
      message: bad,
      outcome: { kind: 'invalid', reason: 'payload.amountMinor must be at least 1' },
      endNoun: 'account',
    });
    expect(bad.calls[0]).toBe('deadLetter payload.amountMinor must be at least 1 started');
    const first = new FakeMessage('m2', 0);
    const failing = { kind: 'retry' as const, reason: 'the graph write failed: Error: boom' };
    await subject.settle({ message: first, outcome: failing, endNoun: 'account' });
    expect(first.calls[0]).toBe('nack started');
    const last = new FakeMessage('m2', 1);
    await subject.settle({ message: last, outcome: failing, endNoun: 'account' });
    expect(last.calls[0]).toBe(
      'deadLetter still failing after 1 redeliveries: the graph write failed: Error: boom started',
    );
    expect(counters).toMatchObject({ deadLettered: 2, retried: 1 });
  });
});
