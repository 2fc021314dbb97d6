import { StreamUnavailableError } from '@app/vocabulary';
import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('runs tasks one at a time in arrival order, serving what came meanwhile between two tasks', async () => {
    const queue = new SerialQueue(10);
    const order: string[] = [];
    const first = queue.run(() => {
      order.push('task 1');
      // A request that arrives while the first task runs (a health check, say).
      setImmediate(() => order.push('other request'));
      return Promise.resolve();
    });
    const second = queue.run(() => {
      order.push('task 2');
      return Promise.resolve();
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['task 1', 'other request', 'task 2']);
  });

  it('refuses at once (503) beyond the requests that may wait, and takes them again later', async () => {
    const queue = new SerialQueue(2);
    let release: (() => void) | undefined;
    const running = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    // Once the first task runs, two may wait and a third is refused.
    while (release === undefined) await new Promise((resolve) => setImmediate(resolve));
    const waiting = [queue.run(() => Promise.resolve(1)), queue.run(() => Promise.resolve(2))];
    await expect(queue.run(() => Promise.resolve(3))).rejects.toBeInstanceOf(
      StreamUnavailableError,
    );
    release();
    await running;
    await expect(Promise.all(waiting)).resolves.toEqual([1, 2]);
    await expect(queue.run(() => Promise.resolve(4))).resolves.toBe(4);
  });
});
