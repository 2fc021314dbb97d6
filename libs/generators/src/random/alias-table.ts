import type { Rng } from './prng';

/**
 * Walker's alias method: after O(n) preparation, draws an index in proportion to its weight
 * in O(1). The normal-behaviour generator uses one table per activity (card spending, P2P,
 * cash…) to choose which account acts, so the work per day is proportional to the number of
 * movements, not to the number of accounts.
 */
export class AliasTable {
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;
  readonly size: number;
  readonly totalWeight: number;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    this.size = n;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const weight = weights[i] ?? 0;
      if (!(weight >= 0) || !Number.isFinite(weight))
        throw new RangeError(`weight #${i} must be a finite number of 0 or more`);
      total += weight;
    }
    this.totalWeight = total;
    if (n === 0 || total === 0) return;
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = ((weights[i] ?? 0) * n) / total;
      ((scaled[i] ?? 0) < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.probability[s] = scaled[s] ?? 0;
      this.alias[s] = l;
      scaled[l] = (scaled[l] ?? 0) + (scaled[s] ?? 0) - 1;
      ((scaled[l] ?? 0) < 1 ? small : large).push(l);
    }
    for (const i of large) this.probability[i] = 1;
    for (const i of small) this.probability[i] = 1;
  }

  /** True when nothing can be drawn (no items or all weights zero). */
  get empty(): boolean {
    return this.size === 0 || this.totalWeight === 0;
  }

  draw(rng: Rng): number {
    if (this.empty) throw new RangeError('AliasTable.draw(): every weight is zero');
    const column = Math.floor(rng.float() * this.size);
    return rng.float() < (this.probability[column] ?? 0) ? column : (this.alias[column] ?? 0);
  }
}
