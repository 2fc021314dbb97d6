import { StreamUnavailableError } from '@app/vocabulary';

/**
 * Runs tasks one at a time, in arrival order: the real-time engine's windows are one mutable
 * state, so two requests must never feed it at once. At most `maxWaiting` tasks wait; more are
 * refused at once (503), so a flood cannot queue without bound, and the event loop turns between
 * two tasks.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly maxWaiting: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.maxWaiting) {
      return Promise.reject(
        new StreamUnavailableError(
          `Real-time scoring is busy (${this.waiting} requests waiting); send again shortly`,
        ),
      );
    }
    this.waiting += 1;
    const result = this.tail.then(async () => {
      this.waiting -= 1;
      // A turn of the event loop between two tasks: the requests that came meanwhile (a health
      // check, another endpoint) are served between queued scorings, not after all of them.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return task();
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
