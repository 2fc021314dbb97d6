/**
 * When to sweep stale state out of a rule's maps. A sweep visits every entry, so sweeping every
 * fixed number of movements costs more per movement as the bank grows (on the large profile,
 * hundreds of thousands of accounts). The sweeper waits at least as many calls as the last sweep
 * visited entries, so sweeping costs O(1) per movement amortised, and stale entries never
 * outnumber live ones by more than the calls since the last sweep.
 *
 * Sweeps only drop entries the rules would ignore anyway (outside their windows), so when they
 * happen never changes an alert.
 */
export class Sweeper {
  private calls = 0;
  private interval: number;

  constructor(private readonly minInterval: number) {
    this.interval = minInterval;
  }

  /** Counts one call; true when a sweep is due (then call `swept`). */
  due(): boolean {
    this.calls += 1;
    return this.calls >= this.interval;
  }

  /** Records a sweep that visited `visited` entries. */
  swept(visited: number): void {
    this.calls = 0;
    this.interval = Math.max(this.minInterval, visited);
  }
}
