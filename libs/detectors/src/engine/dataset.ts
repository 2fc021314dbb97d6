import { IDENTIFIER_KINDS, movementOf } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, IdentifierKind } from '@app/vocabulary';
import { compareActivities } from '../core/activity';
import type { AccountEvent, Activity } from '../core/activity';
import type { SharedIdentifierInput } from '../core/detector';

/** A bank held in memory (what the generators return, or what a file import yields). */
export interface DetectionDataset {
  vertices: readonly GraphVertex[];
  edges: readonly GraphEdge[];
}

/** Movements (TRANSFERRED) and account events (HAS_EVENT -> Event), in replay order. */
export function activitiesOf(dataset: DetectionDataset): Activity[] {
  const events = new Map<string, GraphVertex>();
  for (const vertex of dataset.vertices)
    if (vertex.label === 'Event') events.set(vertex.uid, vertex);
  const activities: Activity[] = [];
  for (const edge of dataset.edges) {
    if (edge.label === 'TRANSFERRED') {
      activities.push({ type: 'movement', movement: movementOf(edge) });
    } else if (edge.label === 'HAS_EVENT') {
      const vertex = events.get(edge.to);
      if (vertex?.label === 'Event') {
        activities.push({
          type: 'event',
          event: accountEventOf(edge.from, vertex.uid, vertex.props),
        });
      }
    }
  }
  return activities.sort(compareActivities);
}

export function accountEventOf(
  accountId: string,
  eventId: string,
  props: Omit<AccountEvent, 'accountId' | 'eventId'>,
): AccountEvent {
  return { ...props, eventId, accountId };
}

/** Kind of an identifier uid built by `ids.identifier` (`kind:value`), when recognisable. */
export function identifierKindOf(uid: string): IdentifierKind | undefined {
  const prefix = uid.slice(0, uid.indexOf(':'));
  return (IDENTIFIER_KINDS as readonly string[]).includes(prefix)
    ? (prefix as IdentifierKind)
    : undefined;
}

/**
 * Identifiers used (USES) by at least two and at most `hubCap` accounts — what the store's
 * `findSharedIdentifiers` answers — computed over an in-memory dataset.
 */
export function sharedIdentifiersOf(
  dataset: DetectionDataset,
  hubCap: number,
  kinds?: readonly IdentifierKind[],
): SharedIdentifierInput[] {
  const kindOf = new Map<string, IdentifierKind>();
  for (const vertex of dataset.vertices) {
    if (vertex.label === 'Identifier') kindOf.set(vertex.uid, vertex.props.kind);
  }
  const users = new Map<string, Set<string>>();
  for (const edge of dataset.edges) {
    if (edge.label !== 'USES') continue;
    let set = users.get(edge.to);
    if (!set) {
      set = new Set();
      users.set(edge.to, set);
    }
    set.add(edge.from);
  }
  const allowed = kinds ? new Set<IdentifierKind>(kinds) : undefined;
  const shared: SharedIdentifierInput[] = [];
  for (const [identifierUid, accounts] of [...users.entries()].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const kind = kindOf.get(identifierUid) ?? identifierKindOf(identifierUid);
    if (!kind || (allowed && !allowed.has(kind))) continue;
    if (accounts.size < 2 || accounts.size > hubCap) continue;
    shared.push({ identifierUid, kind, accountIds: [...accounts].sort() });
  }
  return shared;
}

/** Holders (HOLDS sources) of every account of the dataset. */
export function holdersOf(dataset: DetectionDataset): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const edge of dataset.edges) {
    if (edge.label !== 'HOLDS') continue;
    const list = holders.get(edge.to);
    if (list) list.push(edge.from);
    else holders.set(edge.to, [edge.from]);
  }
  return holders;
}
