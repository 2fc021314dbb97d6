/**
 * Numbers identical AMLworld rows across a whole file, whatever the order of its rows: the
 * first row of a content is occurrence 1, the next identical one 2, and so on. AMLworld rows
 * carry no id and may legitimately repeat (two equal card payments in one minute are two
 * transactions), and its files are not in time order (HI-Small_Trans.csv begins 00:20, 00:20,
 * 00:00, 00:02), so counting per timestamp would give a repeated row the id of the first one.
 *
 * Memory: a 64-bit fingerprint of every distinct row in an open-addressing table of 32-bit
 * words (at most 16 bytes per row: about 80 MB for the 5 million rows of HI-Small), plus a map
 * entry per content that repeats. Two different rows share a fingerprint with a chance of about
 * n² / 2^65 (one in a million for 5 million rows); the second would then be numbered 2: its
 * movement id stays unique, but would not match the same row of a patterns file.
 */
export class RowOccurrences {
  /** Pairs of 32-bit words (high, low); (0, 0) is an empty slot. */
  private slots = new Uint32Array(2 * 4096);
  private used = 0;
  private readonly repeated = new Map<string, number>();

  /** The occurrence of this row (1 for the first of its content); `contentKey` is hex. */
  next(contentKey: string): number {
    const high = Number.parseInt(contentKey.slice(0, 8), 16) >>> 0;
    const low = Number.parseInt(contentKey.slice(8, 16), 16) >>> 0 || 1;
    if (this.insert(high, low)) {
      this.used += 1;
      if (this.used * 2 > this.slots.length / 2) this.grow();
      return 1;
    }
    const occurrence = (this.repeated.get(contentKey) ?? 1) + 1;
    this.repeated.set(contentKey, occurrence);
    return occurrence;
  }

  /** True when the fingerprint was not there (and now is). */
  private insert(high: number, low: number): boolean {
    const mask = this.slots.length / 2 - 1;
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      const h = this.slots[2 * slot];
      const l = this.slots[2 * slot + 1];
      if (h === 0 && l === 0) {
        this.slots[2 * slot] = high;
        this.slots[2 * slot + 1] = low;
        return true;
      }
      if (h === high && l === low) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) {
      const high = old[i] ?? 0;
      const low = old[i + 1] ?? 0;
      if (high !== 0 || low !== 0) this.insert(high, low);
    }
  }
}
