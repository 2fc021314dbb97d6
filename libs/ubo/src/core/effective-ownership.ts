import type { UboConvention } from '@app/settings';
import type { OwnershipCycle, UboWarning } from '../ubo.types';
import { boundCycle, CycleSystem, solveCycleExactly } from './linear-solve';
import type { Link, OwnershipGraph } from './ownership-graph';
import { rational, ShareInterval, ZERO } from './share-interval';
import { strongComponents } from './strong-components';
import type Fraction from 'fraction.js';

export interface EffectiveOptions {
  convention: UboConvention;
  /** Cycles with more members than this get certified bounds instead of an exact solve. */
  exactCycleLimit?: number;
  /** Most path extensions the simple-paths convention may walk per cycle. */
  simplePathBudget?: number;
  /** Longest chain (in links) the simple-paths convention walks inside a cycle. */
  maxChainLength?: number;
}

/** Multiplicative ownership of the target: by every company and by every person. */
export interface EffectiveOwnership {
  /** Share of the target each company holds through all its chains (the target holds 1). */
  company: ReadonlyMap<string, ShareInterval>;
  person: ReadonlyMap<string, ShareInterval>;
  /** Vertices whose value is a certified enclosure, not an exact rational. */
  inexact: ReadonlySet<string>;
  cycles: OwnershipCycle[];
  /** Which cycle (index into `cycles`) each company in a cycle belongs to. */
  cycleOf: ReadonlyMap<string, number>;
  warnings: UboWarning[];
}

/** Stand-in upper bound when an ownership loop has no finite integrated value. */
export const UNBOUNDED = rational(1_000_000);

export const DEFAULT_EXACT_CYCLE_LIMIT = 60;
export const DEFAULT_SIMPLE_PATH_BUDGET = 50_000;

function companyLinks(graph: OwnershipGraph, uid: string): readonly Link[] {
  return (graph.ownsOut.get(uid) ?? []).filter(
    (link) => graph.companies.has(link.to) && link.share !== null,
  );
}

/**
 * Effective ownership by multiplication: multiply the shares along each chain and add the
 * chains. Works upward from the target one strongly connected component at a time: plain
 * companies take the sum over their holdings; ownership cycles are solved as a whole, either
 * integrated (the geometric series over all paths, (I - W)^-1, Vitali et al. 2011) or with
 * simple paths only (no entity twice on a chain). Always terminates.
 */
export function computeEffectiveOwnership(
  graph: OwnershipGraph,
  options: EffectiveOptions,
): EffectiveOwnership {
  const exactLimit = options.exactCycleLimit ?? DEFAULT_EXACT_CYCLE_LIMIT;
  const budget = options.simplePathBudget ?? DEFAULT_SIMPLE_PATH_BUDGET;
  const maxLength = options.maxChainLength ?? Number.POSITIVE_INFINITY;
  const targetUid = graph.target.uid;
  const value = new Map<string, ShareInterval>();
  const inexact = new Set<string>();
  const cycles: OwnershipCycle[] = [];
  const cycleOf = new Map<string, number>();
  const warnings: UboWarning[] = [];
  const valueOf = (uid: string): ShareInterval => value.get(uid) ?? ShareInterval.zero;

  const companies = [...graph.companies.keys()].sort();
  const components = strongComponents(companies, (uid) =>
    companyLinks(graph, uid).map((link) => link.to),
  );

  for (const component of components) {
    // A company holding its own shares (treasury shares) is a cycle of one.
    const selfHeld =
      component.length === 1 &&
      companyLinks(graph, component[0]).some((link) => link.to === component[0]);
    if (component.length === 1 && !selfHeld) {
      const uid = component[0];
      let total = uid === targetUid ? ShareInterval.one : ShareInterval.zero;
      for (const link of companyLinks(graph, uid)) {
        const held = valueOf(link.to);
        if (held.isZero) continue;
        total = total.add((link.share as ShareInterval).mul(held));
        if (inexact.has(link.to)) inexact.add(uid);
      }
      value.set(uid, total);
      continue;
    }
    const members = [...component].sort();
    const cycleIndex = cycles.length;
    members.forEach((uid) => cycleOf.set(uid, cycleIndex));
    const solved = solveCycle(
      graph,
      members,
      valueOf,
      inexact,
      options.convention,
      exactLimit,
      budget,
      maxLength,
    );
    cycles.push({ entities: members, resolution: solved.resolution });
    warnings.push(...solved.warnings);
    members.forEach((uid, i) => {
      value.set(uid, solved.values[i]);
      if (solved.inexact) inexact.add(uid);
    });
  }

  const person = new Map<string, ShareInterval>();
  for (const uid of graph.persons.keys()) {
    let total = ShareInterval.zero;
    let holdsAny = false;
    for (const link of graph.ownsOut.get(uid) ?? []) {
      if (link.share === null || !graph.companies.has(link.to)) continue;
      const held = valueOf(link.to);
      if (held.isZero) continue;
      total = total.add(link.share.mul(held));
      holdsAny = true;
      if (inexact.has(link.to)) inexact.add(uid);
    }
    if (holdsAny) person.set(uid, total);
  }
  return { company: value, person, inexact, cycles, cycleOf, warnings };
}

interface SolvedCycle {
  values: ShareInterval[];
  resolution: OwnershipCycle['resolution'];
  inexact: boolean;
  warnings: UboWarning[];
}

function solveCycle(
  graph: OwnershipGraph,
  members: readonly string[],
  valueOf: (uid: string) => ShareInterval,
  inexactSet: ReadonlySet<string>,
  convention: UboConvention,
  exactLimit: number,
  budget: number,
  maxLength: number,
): SolvedCycle {
  const targetUid = graph.target.uid;
  const index = new Map(members.map((uid, i) => [uid, i]));
  const rowsLo: CycleSystem['rows'] = [];
  const rowsHi: CycleSystem['rows'] = [];
  const exits: ShareInterval[] = [];
  /** Links inside the cycle with an exclusive bound: (holder row, held column). */
  const openWeights: { row: number; col: number; lo: boolean; hi: boolean }[] = [];
  let inputsInexact = false;
  for (const uid of members) {
    const lo: CycleSystem['rows'][number] = [];
    const hi: CycleSystem['rows'][number] = [];
    let exit = uid === targetUid ? ShareInterval.one : ShareInterval.zero;
    for (const link of companyLinks(graph, uid)) {
      const share = link.share as ShareInterval;
      const col = index.get(link.to);
      if (col !== undefined) {
        const bp = link.bp ?? { minBp: 0, maxBp: 10000 };
        if (!share.lo.equals(ZERO)) lo.push({ col, weight: share.lo, bp: bp.minBp });
        if (!share.hi.equals(ZERO)) hi.push({ col, weight: share.hi, bp: bp.maxBp });
        if (share.loExclusive || share.hiExclusive) {
          openWeights.push({
            row: rowsLo.length,
            col,
            lo: share.loExclusive,
            hi: share.hiExclusive,
          });
        }
      } else {
        const held = valueOf(link.to);
        if (held.isZero) continue;
        exit = exit.add(share.mul(held));
        if (inexactSet.has(link.to)) inputsInexact = true;
      }
    }
    rowsLo.push(lo);
    rowsHi.push(hi);
    exits.push(exit);
  }
  const label = members.join(', ');
  if (exits.every((exit) => exit.isZero)) {
    return {
      values: members.map(() => ShareInterval.zero),
      resolution: 'exact',
      inexact: false,
      warnings: [],
    };
  }

  const simple = (): SolvedCycle => {
    const result = simplePathsInCycle(graph, members, index, exits, budget, maxLength);
    if (!result.truncated) {
      return {
        values: result.values,
        resolution: 'simple-paths',
        inexact: inputsInexact,
        warnings: [],
      };
    }
    // A cut enumeration is still a lower bound; the integrated value bounds it from above.
    const upper = integrated();
    const warning: UboWarning = {
      code: 'simple-paths-truncated',
      message: `The cycle ${label} has too many simple paths to list all (budget ${budget}); lower bounds are the paths walked, upper bounds come from the integrated value`,
      entities: [...members],
    };
    return {
      values: result.values.map((lowBound, i) =>
        ShareInterval.of(lowBound.lo, maxFraction(lowBound.lo, upper.values[i].hi)),
      ),
      resolution: 'simple-paths-truncated',
      inexact: true,
      warnings: [warning, ...upper.warnings],
    };
  };

  const integrated = (): SolvedCycle => {
    const bLo = exits.map((exit) => exit.lo);
    const bHi = exits.map((exit) => exit.hi);
    const allZero = (values: readonly Fraction[]): boolean => values.every((v) => v.equals(ZERO));
    const warnings: UboWarning[] = [];
    let lo: Fraction[] | null;
    let hi: Fraction[] | null;
    let resolution: OwnershipCycle['resolution'] = 'exact';
    let inexact = inputsInexact;
    if (members.length <= exactLimit) {
      lo = allZero(bLo) ? bLo : solveCycleExactly({ rows: rowsLo, b: bLo });
      hi = solveCycleExactly({ rows: rowsHi, b: bHi });
    } else {
      resolution = 'bounded';
      inexact = true;
      lo = allZero(bLo) ? bLo : (boundCycle({ rows: rowsLo, b: bLo })?.lo ?? null);
      hi = boundCycle({ rows: rowsHi, b: bHi })?.hi ?? null;
      warnings.push({
        code: 'large-cycle-bounded',
        message: `The cycle ${members.length > 8 ? `of ${members.length} companies` : label} is larger than ${exactLimit} companies, so its values are certified bounds (exact integer arithmetic on a 2^-64 grid) rather than exact rationals`,
        entities: [...members],
      });
    }
    if (lo === null) {
      warnings.push({
        code: 'cycle-not-convergent',
        message: `The shares around the cycle ${label} add up to 100% or more, so integrated ownership is infinite; this is a data problem and simple paths are used for it`,
        entities: [...members],
      });
      const fallback = simplePathsInCycle(graph, members, index, exits, budget, maxLength);
      return {
        values: fallback.values.map((v) =>
          fallback.truncated ? ShareInterval.of(v.lo, UNBOUNDED) : v,
        ),
        resolution: fallback.truncated ? 'simple-paths-truncated' : 'simple-paths',
        inexact: inexact || fallback.truncated,
        warnings,
      };
    }
    if (hi === null) {
      warnings.push({
        code: 'cycle-not-convergent',
        message: `With the largest shares the ranges allow, the cycle ${label} could hold 100% or more of itself, so its upper bounds are unbounded`,
        entities: [...members],
      });
    }
    const lower = lo;
    const upper = hi;
    const open = openBounds(rowsLo, rowsHi, exits, openWeights, lower);
    return {
      values: members.map((_, i) => {
        const top = upper === null ? UNBOUNDED : maxFraction(lower[i], upper[i]);
        // An empty open range cannot be meant: keep a single point inclusive.
        if (lower[i].equals(top)) return ShareInterval.of(lower[i], top);
        return ShareInterval.of(lower[i], top, open.lo[i], upper !== null && open.hi[i]);
      }),
      resolution,
      inexact,
      warnings,
    };
  };

  return convention === 'integrated' ? integrated() : simple();
}

/**
 * Which bounds of an integrated cycle solution cannot be reached (are exclusive). The solution
 * x = W x + b grows with every weight and every exit, so:
 * - x[i] stays above its lower bound when an input it strictly depends on cannot reach its own
 *   lower bound: an exit b[j] with an open lower bound where i reaches j along links with a
 *   positive lower share (or i = j), or a link j -> k with an open lower bound where i reaches
 *   j so and k's lower value is positive (dx = (I - W)^-1 dW x, entry by entry);
 * - x[i] stays below its upper bound likewise with open upper bounds, reaching j along links
 *   with a positive upper share, and for a link only when k's lower value is positive (then k
 *   is positive at every point of the ranges).
 * Anything else stays inclusive: a bound is called open only when it provably is.
 */
function openBounds(
  rowsLo: CycleSystem['rows'],
  rowsHi: CycleSystem['rows'],
  exits: readonly ShareInterval[],
  openWeights: readonly { row: number; col: number; lo: boolean; hi: boolean }[],
  lower: readonly Fraction[],
): { lo: boolean[]; hi: boolean[] } {
  /** For each member, the members holding a share in it (the rows' links turned around). */
  const reverse = (rows: CycleSystem['rows']): number[][] => {
    const byHeld: number[][] = rows.map(() => []);
    rows.forEach((row, i) => row.forEach((entry) => byHeld[entry.col].push(i)));
    return byHeld;
  };
  /** Every member that reaches one of the seeds (the seeds included), along the given rows. */
  const reaching = (byHeld: readonly number[][], seeds: readonly number[]): boolean[] => {
    const marked = byHeld.map(() => false);
    const stack = [...seeds];
    seeds.forEach((seed) => (marked[seed] = true));
    while (stack.length > 0) {
      const j = stack.pop() as number;
      for (const i of byHeld[j]) {
        if (!marked[i]) {
          marked[i] = true;
          stack.push(i);
        }
      }
    }
    return marked;
  };
  const seedsLo: number[] = [];
  const seedsHi: number[] = [];
  exits.forEach((exit, j) => {
    if (exit.loExclusive) seedsLo.push(j);
    if (exit.hiExclusive) seedsHi.push(j);
  });
  for (const weight of openWeights) {
    if (lower[weight.col].compare(ZERO) <= 0) continue;
    if (weight.lo) seedsLo.push(weight.row);
    if (weight.hi) seedsHi.push(weight.row);
  }
  const none = exits.map(() => false);
  return {
    lo: seedsLo.length === 0 ? none : reaching(reverse(rowsLo), seedsLo),
    hi: seedsHi.length === 0 ? none : reaching(reverse(rowsHi), seedsHi),
  };
}

function maxFraction(a: Fraction, b: Fraction): Fraction {
  return a.compare(b) >= 0 ? a : b;
}

/**
 * What one extension of a chain costs against the simple-path budget: 1 while the chain's
 * product is a small fraction, growing with the square of its size (exact arithmetic reduces
 * every result by a greatest common divisor, whose cost grows so), so that a budget bounds the
 * time, not only the number of chains (outside review: 50,000 extensions of 100-link chains
 * through 52 companies held one request for 10 to 17 s).
 */
export function stepCost(product: ShareInterval): number {
  // Both bounds: a ranged share (75-100%) keeps hi at 1 while lo's denominator grows.
  const bits = Math.max(product.lo.d.toString(16).length, product.hi.d.toString(16).length) * 4;
  return 1 + Math.floor((bits / 128) ** 2);
}

/**
 * Simple-paths convention inside one cycle: for each member, the sum over chains that never
 * visit an entity twice, of the product of the shares, times what the chain's last member
 * holds of the target through companies outside the cycle (or 1 when it is the target).
 * Chains stop at the target. Exponential in the worst case, so it walks at most `budget`
 * extensions (shared fairly between the members; long chains' extensions weigh more, see
 * `stepCost`) and chains of at most `maxLength` links, and says when it was cut (what was
 * walked is then a lower bound).
 */
function simplePathsInCycle(
  graph: OwnershipGraph,
  members: readonly string[],
  index: ReadonlyMap<string, number>,
  exits: readonly ShareInterval[],
  budget: number,
  maxLength: number,
): { values: ShareInterval[]; truncated: boolean } {
  const targetUid = graph.target.uid;
  const inside = members.map((uid) =>
    companyLinks(graph, uid)
      .filter((link) => index.has(link.to))
      .map((link) => ({ to: index.get(link.to) as number, share: link.share as ShareInterval })),
  );
  const targetIndex = index.get(targetUid);
  const perStart = Math.max(50, Math.floor(budget / members.length));
  let truncated = false;
  const values = members.map((_, start) => {
    let total = ShareInterval.zero;
    let steps = 0;
    let cut = false;
    const visited = new Set<number>([start]);
    const walk = (node: number, product: ShareInterval, length: number): void => {
      if (cut) return;
      steps += stepCost(product);
      if (steps > perStart) {
        cut = true;
        return;
      }
      total = total.add(product.mul(exits[node]));
      if (node === targetIndex) return;
      for (const { to, share } of inside[node]) {
        if (visited.has(to)) continue;
        if (length >= maxLength) {
          cut = true;
          return;
        }
        visited.add(to);
        walk(to, product.mul(share), length + 1);
        visited.delete(to);
      }
    };
    walk(start, ShareInterval.one, 0);
    truncated ||= cut;
    return total;
  });
  return { values, truncated };
}
