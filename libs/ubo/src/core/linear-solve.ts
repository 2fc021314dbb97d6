import Fraction from 'fraction.js';
import { ZERO } from './share-interval';

/**
 * The linear system of one ownership cycle (one strongly connected component):
 *   x[i] = sum over (j, w) in rows[i] of w * x[j]  +  b[i]
 * where x[i] is the share of the target that member i holds through all paths, w the share
 * member i holds in member j, and b[i] what member i holds of the target through companies
 * outside the cycle (plus 1 for the target itself). In matrix form (I - W) x = b, whose
 * solution is the geometric series sum_k W^k b (Vitali et al. 2011).
 */
export interface CycleSystem {
  rows: { col: number; weight: Fraction; bp: number }[][];
  b: Fraction[];
}

/**
 * Exact Gaussian elimination on bigint rationals with sparse rows (pivot: the candidate row
 * with the fewest entries, to limit fill-in). Solves for b and, in the same pass, for a
 * right-hand side of ones: that second solution is strictly positive exactly when I - W is
 * a non-singular M-matrix, i.e. when the series converges (spectral radius of W below 1).
 * Returns null when the system is singular or the series does not converge.
 */
export function solveCycleExactly(system: CycleSystem): Fraction[] | null {
  const n = system.b.length;
  const rows: Map<number, Fraction>[] = [];
  const rhs: [Fraction, Fraction][] = [];
  const one = new Fraction(1);
  for (let i = 0; i < n; i += 1) {
    const row = new Map<number, Fraction>([[i, one]]);
    for (const { col, weight } of system.rows[i]) {
      row.set(col, (row.get(col) ?? ZERO).sub(weight));
    }
    for (const [col, value] of row) if (value.equals(ZERO)) row.delete(col);
    rows.push(row);
    rhs.push([system.b[i], one]);
  }
  const order: number[] = [];
  const used = new Set<number>();
  for (let col = 0; col < n; col += 1) {
    let pivot = -1;
    for (let r = 0; r < n; r += 1) {
      if (used.has(r)) continue;
      const value = rows[r].get(col);
      if (value === undefined) continue;
      if (pivot === -1 || rows[r].size < rows[pivot].size) pivot = r;
    }
    if (pivot === -1) return null;
    used.add(pivot);
    order.push(pivot);
    const pivotRow = rows[pivot];
    const pivotValue = pivotRow.get(col) as Fraction;
    for (let r = 0; r < n; r += 1) {
      if (used.has(r)) continue;
      const entry = rows[r].get(col);
      if (entry === undefined) continue;
      const factor = entry.div(pivotValue);
      const row = rows[r];
      for (const [c, value] of pivotRow) {
        const next = (row.get(c) ?? ZERO).sub(factor.mul(value));
        if (next.equals(ZERO)) row.delete(c);
        else row.set(c, next);
      }
      row.delete(col);
      rhs[r] = [rhs[r][0].sub(factor.mul(rhs[pivot][0])), rhs[r][1].sub(factor.mul(rhs[pivot][1]))];
    }
  }
  // Back substitution in reverse pivot order: row order[col] has its pivot in column col.
  const x: Fraction[] = new Array<Fraction>(n).fill(ZERO);
  const probe: Fraction[] = new Array<Fraction>(n).fill(ZERO);
  for (let col = n - 1; col >= 0; col -= 1) {
    const r = order[col];
    let sum = rhs[r][0];
    let probeSum = rhs[r][1];
    for (const [c, value] of rows[r]) {
      if (c === col) continue;
      sum = sum.sub(value.mul(x[c]));
      probeSum = probeSum.sub(value.mul(probe[c]));
    }
    const pivotValue = rows[r].get(col) as Fraction;
    x[col] = sum.div(pivotValue);
    probe[col] = probeSum.div(pivotValue);
  }
  return probe.every((value) => value.compare(ZERO) > 0) ? x : null;
}

/** Grid of the certified bounds: values are bigint numerators over 2^64. */
const GRID = 1n << 64n;
const BP = 10_000n;
/** Values above this (in whole units) mean the series diverges. */
const DIVERGED = 1_000_000n * GRID;

function floorDiv(a: bigint, b: bigint): bigint {
  return a / b;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function toGrid(value: Fraction, mode: 'floor' | 'ceil'): bigint {
  const numerator = value.s * value.n * GRID;
  return mode === 'floor' ? floorDiv(numerator, value.d) : ceilDiv(numerator, value.d);
}

export interface CertifiedBounds {
  /** Below the exact solution (valid whenever the series converges). */
  lo: Fraction[];
  /** Above the exact solution, or null when no certificate was found (may not converge). */
  hi: Fraction[] | null;
  sweeps: number;
}

/**
 * For cycles too large for exact elimination: a certified enclosure lo <= x <= hi of the
 * exact solution, computed with exact integer arithmetic on a 2^-64 grid.
 * - lo: Gauss-Seidel sweeps from 0 rounding down; every iterate is below the exact solution.
 * - hi: a vector y with W y + b <= y (checked exactly, rounding up) is above the exact
 *   solution and proves the series converges; it is then tightened by downward sweeps.
 * `hi` is null when no such y is found (the series does not converge, or converges too
 * slowly to certify); the whole answer is null when the iterates clearly diverge.
 */
export function boundCycle(system: CycleSystem, maxSweeps = 4000): CertifiedBounds | null {
  const n = system.b.length;
  const rows = system.rows.map((row) => row.map(({ col, bp }) => ({ col, bp: BigInt(bp) })));
  const bLo = system.b.map((value) => toGrid(value, 'floor'));
  const bHi = system.b.map((value) => toGrid(value, 'ceil'));

  const x = new Array<bigint>(n).fill(0n);
  let delta = 0n;
  let previousDelta = 0n;
  let ratio = 0;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps += 1) {
    previousDelta = delta;
    delta = 0n;
    for (let i = 0; i < n; i += 1) {
      let sum = 0n;
      for (const { col, bp } of rows[i]) sum += bp * x[col];
      const next = floorDiv(sum, BP) + bLo[i];
      if (next > x[i]) {
        if (next - x[i] > delta) delta = next - x[i];
        x[i] = next;
      }
      if (x[i] > DIVERGED) return null;
    }
    if (previousDelta > 1n << 16n) ratio = Number(delta) / Number(previousDelta);
    if (delta <= 1n << 8n) break;
  }
  const lo = x.map((value) => new Fraction(value, GRID));
  if (ratio >= 1) return { lo, hi: null, sweeps };

  const supersolution = (y: readonly bigint[]): boolean =>
    y.every((value, i) => {
      let sum = 0n;
      for (const { col, bp } of rows[i]) sum += bp * y[col];
      // Strictly below y everywhere: this also proves the series converges (W y < y, y > 0).
      return ceilDiv(sum, BP) + bHi[i] < value;
    });
  let multiplier = BigInt(Math.ceil(ratio / (1 - ratio + 1e-12)) + 2);
  let pad = 1n << 20n;
  let y: bigint[] | null = null;
  for (let attempt = 0; attempt < 12 && y === null; attempt += 1) {
    const candidate = x.map((value) => value + multiplier * delta + pad + value / (1n << 30n));
    if (supersolution(candidate)) y = candidate;
    multiplier *= 4n;
    pad *= 16n;
  }
  if (y === null) return { lo, hi: null, sweeps };
  const upper = y;
  for (let sweep = 0; sweep < 50; sweep += 1) {
    let changed = false;
    for (let i = 0; i < n; i += 1) {
      let sum = 0n;
      for (const { col, bp } of rows[i]) sum += bp * upper[col];
      const next = ceilDiv(sum, BP) + bHi[i];
      if (next < upper[i]) {
        upper[i] = next;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { lo, hi: upper.map((value) => new Fraction(value, GRID)), sweeps };
}
