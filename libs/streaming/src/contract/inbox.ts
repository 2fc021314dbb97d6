import type { MessageHandler, ReceivedMessage } from '../message-broker.port';

type Settle = 'ack' | 'nack' | 'keep';

interface Waiter {
  count: number;
  resolve: () => void;
}

/**
 * Test helper: a message handler that records what it receives and lets a test await the
 * n-th message (no sleeps). `decide` says what to do with each message (ack by default).
 */
export class Inbox {
  readonly received: ReceivedMessage[] = [];
  private readonly waiters: Waiter[] = [];

  constructor(private readonly decide: (message: ReceivedMessage) => Settle = () => 'ack') {}

  readonly handler: MessageHandler = async (message) => {
    this.received.push(message);
    const action = this.decide(message);
    if (action === 'ack') await message.ack();
    if (action === 'nack') await message.nack();
    for (const waiter of [...this.waiters]) {
      if (this.received.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  /** Resolves once `count` messages arrived; rejects after `timeoutMs` naming what is missing. */
  waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMessage[]> {
    if (this.received.length >= count) return Promise.resolve(this.received.slice(0, count));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `expected ${count} message(s) within ${timeoutMs} ms, got ${this.received.length}: ` +
              this.texts().join(', '),
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.received.slice(0, count));
        },
      });
    });
  }

  texts(): string[] {
    return this.received.map((m) => m.payload.toString('utf8'));
  }
}
