import type { EdgeLabel, GraphEdge, GraphVertex, Movement } from '@app/vocabulary';
import type { AccountEventRecord, AccountHolders, FanCandidate } from '../graph-store.port';

/*
 * Plain, obviously-correct reference answers computed from fixture data (full scans, no
 * indexes), so that the contract suite compares a store against an independent model.
 */

export function compareMovements(a: Movement, b: Movement): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  return a.movementId < b.movementId ? -1 : a.movementId > b.movementId ? 1 : 0;
}

export function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function expectedMovements(
  all: readonly Movement[],
  accounts: readonly string[],
  from: number,
  to: number,
  direction: 'in' | 'out' | 'both',
): Movement[] {
  const set = new Set(accounts);
  return all
    .filter((m) => m.timestamp >= from && m.timestamp < to)
    .filter(
      (m) =>
        (direction !== 'in' && set.has(m.fromAccount)) ||
        (direction !== 'out' && set.has(m.toAccount)),
    )
    .sort(compareMovements);
}

/** Events reached from the accounts through HAS_EVENT, in the window, in the port's order. */
export function expectedAccountEvents(
  vertices: readonly GraphVertex[],
  edges: readonly GraphEdge[],
  accounts: readonly string[],
  from: number,
  to: number,
): AccountEventRecord[] {
  const asked = new Set(accounts);
  const pairs = new Map<string, AccountEventRecord>();
  for (const edge of edges) {
    if (edge.label !== 'HAS_EVENT' || !asked.has(edge.from)) continue;
    const event = vertices.find((v) => v.uid === edge.to);
    if (event?.label !== 'Event') continue;
    if (event.props.timestamp < from || event.props.timestamp >= to) continue;
    pairs.set(`${edge.from}\u0000${event.uid}`, { accountId: edge.from, event });
  }
  return [...pairs.values()].sort(
    (a, b) =>
      a.event.props.timestamp - b.event.props.timestamp ||
      byId(a.event.uid, b.event.uid) ||
      byId(a.accountId, b.accountId),
  );
}

/** HOLDS sources of each asked account (once each, in the order asked), in uid order. */
export function expectedHolders(
  edges: readonly GraphEdge[],
  accounts: readonly string[],
): AccountHolders[] {
  return [...new Set(accounts)].map((accountId) => ({
    accountId,
    holderUids: [
      ...new Set(edges.filter((e) => e.label === 'HOLDS' && e.to === accountId).map((e) => e.from)),
    ].sort(byId),
  }));
}

export function expectedScan(
  all: readonly Movement[],
  from: number,
  to: number,
  channels?: readonly string[],
): Movement[] {
  return all
    .filter((m) => m.timestamp >= from && m.timestamp < to)
    .filter((m) => channels === undefined || channels.includes(m.channel))
    .sort(compareMovements);
}

export function expectedFanCandidates(
  all: readonly Movement[],
  direction: 'in' | 'out',
  from: number,
  to: number,
  minCounterparties: number,
): FanCandidate[] {
  const byAccount = new Map<string, { others: Set<string>; movements: number }>();
  for (const m of all) {
    if (m.timestamp < from || m.timestamp >= to) continue;
    const self = direction === 'out' ? m.fromAccount : m.toAccount;
    const other = direction === 'out' ? m.toAccount : m.fromAccount;
    const entry = byAccount.get(self) ?? { others: new Set<string>(), movements: 0 };
    entry.movements += 1;
    if (other !== self) entry.others.add(other);
    byAccount.set(self, entry);
  }
  return [...byAccount.entries()]
    .map(([accountId, e]) => ({ accountId, counterparties: e.others.size, movements: e.movements }))
    .filter((c) => c.counterparties >= minCounterparties)
    .sort((a, b) => b.counterparties - a.counterparties || byId(a.accountId, b.accountId));
}

/** Edge ids within `depth` hops of `uid` (no limit), hop by hop. */
export function expectedNeighbourhoodEdges(
  edges: readonly GraphEdge[],
  uid: string,
  depth: number,
  labels?: readonly EdgeLabel[],
): string[][] {
  const usable = edges.filter((e) => labels === undefined || labels.includes(e.label));
  const seenVertices = new Set([uid]);
  const seenEdges = new Set<string>();
  let frontier = new Set([uid]);
  const hops: string[][] = [];
  for (let hop = 0; hop < depth; hop += 1) {
    const found = usable.filter(
      (e) => !seenEdges.has(e.eid) && (frontier.has(e.from) || frontier.has(e.to)),
    );
    const next = new Set<string>();
    for (const e of found) {
      seenEdges.add(e.eid);
      for (const end of [e.from, e.to]) {
        if (!seenVertices.has(end)) {
          seenVertices.add(end);
          next.add(end);
        }
      }
    }
    hops.push(found.map((e) => e.eid).sort(byId));
    frontier = next;
  }
  return hops;
}

export function uidsOf(vertices: readonly GraphVertex[]): string[] {
  return vertices.map((v) => v.uid).sort(byId);
}

export function eidsOf(edges: readonly GraphEdge[]): string[] {
  return edges.map((e) => e.eid).sort(byId);
}
