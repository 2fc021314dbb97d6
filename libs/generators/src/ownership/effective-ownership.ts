import Fraction from 'fraction.js';

/** One shareholding: `owner` holds `share` (a rational between 0 and 1) of `owned`. */
export interface ShareEdge {
  owner: string;
  owned: string;
  share: Fraction;
}

/**
 * Exact effective ownership of every person in `target` under the integrated convention:
 * multiply along each chain, add across chains, and sum the geometric series over cycles,
 * i.e. `share(p) = Σ_c V[p][c] · M[c][target]` with `M = (I − W)^-1` over the company-to-company
 * share matrix W (Vitali, Glattfelder and Battiston, 2011). Arithmetic is done on bigint
 * rationals, so 50% × 50% is exactly 1/4.
 *
 * The generator uses this to fill `expectedOwnership` of ownership scenarios; the tests check it
 * against hand-computed closed forms.
 */
export function integratedOwnership(
  edges: readonly ShareEdge[],
  target: string,
  isPerson: (uid: string) => boolean,
): Map<string, Fraction> {
  // 1. Everything upstream of the target.
  const ownersOf = new Map<string, ShareEdge[]>();
  for (const edge of edges) {
    const list = ownersOf.get(edge.owned) ?? [];
    list.push(edge);
    ownersOf.set(edge.owned, list);
  }
  const companies: string[] = [];
  const seen = new Set<string>([target]);
  const queue = [target];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    companies.push(current);
    for (const edge of ownersOf.get(current) ?? []) {
      if (!isPerson(edge.owner) && !seen.has(edge.owner)) {
        seen.add(edge.owner);
        queue.push(edge.owner);
      }
    }
  }
  const position = new Map(companies.map((uid, i) => [uid, i] as const));
  const n = companies.length;

  // 2. Solve (I − W) x = e_target, where W[i][j] is the share of company j held by company i.
  const matrix: Fraction[][] = companies.map((_, i) =>
    companies.map((__, j) => new Fraction(i === j ? 1 : 0)),
  );
  for (const owned of companies) {
    const j = position.get(owned) as number;
    for (const edge of ownersOf.get(owned) ?? []) {
      const i = position.get(edge.owner);
      if (i === undefined) continue;
      const row = matrix[i];
      row[j] = row[j].sub(edge.share);
    }
  }
  const rhs = companies.map((uid) => new Fraction(uid === target ? 1 : 0));
  const x = solve(matrix, rhs, n);

  // 3. Persons: their direct shares in upstream companies times the walk sums.
  const result = new Map<string, Fraction>();
  for (const owned of companies) {
    const weight = x[position.get(owned) as number];
    for (const edge of ownersOf.get(owned) ?? []) {
      if (!isPerson(edge.owner)) continue;
      const previous = result.get(edge.owner) ?? new Fraction(0);
      result.set(edge.owner, previous.add(edge.share.mul(weight)));
    }
  }
  return new Map([...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Gauss-Jordan elimination over rationals; throws when the system has no unique solution. */
function solve(matrix: Fraction[][], rhs: Fraction[], n: number): Fraction[] {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && matrix[pivot][col].equals(0)) pivot++;
    if (pivot === n) {
      throw new RangeError(
        'ownership cycle holds 100% of itself: effective ownership is undefined',
      );
    }
    [matrix[col], matrix[pivot]] = [matrix[pivot], matrix[col]];
    [rhs[col], rhs[pivot]] = [rhs[pivot], rhs[col]];
    const row = matrix[col];
    const inverse = row[col].inverse();
    for (let k = 0; k < n; k++) row[k] = row[k].mul(inverse);
    rhs[col] = rhs[col].mul(inverse);
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const other = matrix[r];
      const factor = other[col];
      if (factor.equals(0)) continue;
      for (let k = 0; k < n; k++) other[k] = other[k].sub(factor.mul(row[k]));
      rhs[r] = rhs[r].sub(factor.mul(rhs[col]));
    }
  }
  return rhs;
}

/** A rational as the ground-truth string "numerator/denominator" (always with a denominator). */
export function rationalText(value: Fraction): string {
  return `${value.s < 0n ? '-' : ''}${value.n}/${value.d}`;
}

/** Basis points (integer, 10000 = 100%) as an exact rational. */
export function bpFraction(bp: number): Fraction {
  return new Fraction(BigInt(bp), 10_000n);
}
