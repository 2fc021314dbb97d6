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

/**
 * Every simple chain of shareholdings from a person to the target (no entity twice), best
 * first (largest possible product), at most `maxChains`; walks at most `budget` steps.
 */
export function enumerateOwnershipChains(
  graph: OwnershipGraph,
  canReachTarget: ReadonlySet<string>,
  personUid: string,
  maxChains: number,
  budget: number,
): { chains: Link[][]; truncated: boolean } {
  const targetUid = graph.target.uid;
  const found: Link[][] = [];
  let steps = 0;
  let truncated = false;
  const path: Link[] = [];
  const visited = new Set<string>([personUid]);
  const walk = (uid: string): void => {
    for (const link of graph.ownsOut.get(uid) ?? []) {
      if (truncated) return;
      if (link.share === null || visited.has(link.to) || !canReachTarget.has(link.to)) continue;
      steps += 1;
      if (steps > budget) {
        truncated = true;
        return;
      }
      path.push(link);
      if (link.to === targetUid) {
        found.push([...path]);
      } else {
        visited.add(link.to);
        walk(link.to);
        visited.delete(link.to);
      }
      path.pop();
    }
  };
  walk(personUid);
  const product = (links: readonly Link[]): ShareInterval =>
    chainProduct(links) ?? ShareInterval.zero;
  found.sort((a, b) => product(b).hi.compare(product(a).hi) || a.length - b.length);
  return { chains: found.slice(0, maxChains), truncated: truncated || found.length > maxChains };
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
