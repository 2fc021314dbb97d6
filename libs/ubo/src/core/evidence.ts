import type { Chain, ChainLink, ShareRange } from '../ubo.types';
import type { Link, OwnershipGraph } from './ownership-graph';
import { formatRational, percentText, ShareInterval } from './share-interval';

/** An exact share as JSON (rationals as "n/d" strings, percent strings for display). */
export function toShareRange(share: ShareInterval, exactArithmetic = true): ShareRange {
  return {
    min: formatRational(share.lo),
    max: formatRational(share.hi),
    minExclusive: share.loExclusive,
    maxExclusive: share.hiExclusive,
    minPercent: percentText(share.lo, 'floor'),
    maxPercent: percentText(share.hi, 'ceil'),
    exact: share.isExact,
    exactArithmetic,
  };
}

export function toChainLink(link: Link): ChainLink {
  return {
    edgeId: link.eid,
    label: link.label,
    from: link.from,
    to: link.to,
    interestType: link.interestType,
    directOrIndirect: link.directOrIndirect,
    share: link.bp,
  };
}

/** The product of the link shares, or null when a link carries no share. */
export function chainProduct(links: readonly Link[]): ShareInterval | null {
  let product = ShareInterval.one;
  for (const link of links) {
    if (link.share === null) return null;
    product = product.mul(link.share);
  }
  return product;
}

export function toChain(start: string, links: readonly Link[], counts: boolean): Chain {
  const product = chainProduct(links);
  return {
    entities: [start, ...links.map((link) => link.to)],
    links: links.map(toChainLink),
    product: product === null ? null : toShareRange(product),
    counts,
  };
}

/** Steps left for listing chains, shared by all persons of one computation. */
export interface ChainBudget {
  remaining: number;
}

/**
 * The best simple chains of shareholdings from a person to the target (no entity twice):
 * largest possible product first, at most `maxChains`, each at most `maxLength` links (the
 * depth read above the target). Walks at most `perPerson` steps and never more than the
 * shared budget, and skips branches that can no longer beat the chains kept; says when it was
 * cut. Chains are ranked with floating point (ranking only); their products are exact.
 */
export function enumerateOwnershipChains(
  graph: OwnershipGraph,
  canReachTarget: ReadonlySet<string>,
  personUid: string,
  maxChains: number,
  perPerson: number,
  shared: ChainBudget = { remaining: Number.POSITIVE_INFINITY },
  maxLength = Number.POSITIVE_INFINITY,
): { chains: Link[][]; truncated: boolean } {
  const targetUid = graph.target.uid;
  const best: { links: Link[]; rank: number }[] = [];
  let found = 0;
  let steps = 0;
  let truncated = false;
  const path: Link[] = [];
  const visited = new Set<string>([personUid]);
  let floor = -1;
  const keep = (rank: number): void => {
    found += 1;
    if (best.length < maxChains) {
      best.push({ links: [...path], rank });
    } else {
      let worst = 0;
      for (let i = 1; i < best.length; i += 1) if (best[i].rank < best[worst].rank) worst = i;
      if (rank > best[worst].rank) best[worst] = { links: [...path], rank };
    }
    if (best.length >= maxChains) floor = Math.min(...best.map((entry) => entry.rank));
  };
  const walk = (uid: string, rank: number): void => {
    for (const link of graph.ownsOut.get(uid) ?? []) {
      if (truncated) return;
      if (link.share === null || visited.has(link.to) || !canReachTarget.has(link.to)) continue;
      steps += 1;
      shared.remaining -= 1;
      if (steps > perPerson || shared.remaining < 0) {
        truncated = true;
        return;
      }
      const next = rank * ((link.bp?.maxBp ?? 10000) / 10000);
      if (next < floor) {
        found += link.to === targetUid ? 1 : 0;
        truncated ||= link.to !== targetUid;
        continue;
      }
      path.push(link);
      if (link.to === targetUid) {
        keep(next);
      } else if (path.length >= maxLength) {
        truncated = true;
      } else {
        visited.add(link.to);
        walk(link.to, next);
        visited.delete(link.to);
      }
      path.pop();
    }
  };
  walk(personUid, 1);
  best.sort((a, b) => b.rank - a.rank || a.links.length - b.links.length);
  return { chains: best.map((entry) => entry.links), truncated: truncated || found > maxChains };
}

/** Companies from which the target can be reached through shareholdings (the target too). */
export function companiesReachingTarget(graph: OwnershipGraph): Set<string> {
  const reached = new Set<string>([graph.target.uid]);
  const stack = [graph.target.uid];
  while (stack.length > 0) {
    const uid = stack.pop() as string;
    for (const link of graph.ownsIn.get(uid) ?? []) {
      if (!reached.has(link.from) && graph.companies.has(link.from)) {
        reached.add(link.from);
        stack.push(link.from);
      }
    }
  }
  return reached;
}
