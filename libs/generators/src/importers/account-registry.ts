import type { AccountVertex } from '@app/vocabulary';
import type { ChunkBuffer } from './import-chunk';

/**
 * Emits each Account vertex once per run: the first row that mentions an account creates it,
 * later rows only reuse its uid. Memory grows with the number of distinct accounts (not rows):
 * about 100 bytes per account, so 2 million accounts (AMLworld HI-Large) take about 200 MB.
 */
export class AccountRegistry {
  private readonly seen = new Set<string>();

  /** True when the account was already emitted in this run. */
  has(uid: string): boolean {
    return this.seen.has(uid);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Adds the account to `buffer` unless it was emitted before; `build` runs only then. */
  ensure(
    uid: string,
    build: () => AccountVertex,
    buffer: ChunkBuffer,
    file: string,
    line: number | undefined,
  ): void {
    if (this.seen.has(uid)) return;
    const vertex = build();
    buffer.addVertex(vertex, file, line);
    this.seen.add(uid);
  }
}
