/**
 * Runs tasks one after another per key, in the order they were given, within this process:
 * a task waits until every earlier task that shares one of its keys has settled (resolved or
 * rejected). Tasks with no key in common run side by side. A task never waits for a later one,
 * so tasks that take several keys cannot deadlock.
 *
 * It makes a read-modify-write of one stored element atomic against the others of this process
 * (two analysts changing one alert at once, a scan re-saving an alert an analyst is changing).
 * Several processes (API replicas) are not covered: see docs/operations.md.
 */
export class KeyedTurns {
  /** The last task given for each key (it never rejects): the next one waits for it. */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const earlier = unique.flatMap((key) => this.tails.get(key) ?? []);
    const result = Promise.all(earlier).then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    for (const key of unique) this.tails.set(key, settled);
    try {
      return await result;
    } finally {
      for (const key of unique) if (this.tails.get(key) === settled) this.tails.delete(key);
    }
  }
}
