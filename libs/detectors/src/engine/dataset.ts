import { IDENTIFIER_KINDS, movementOf } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, IdentifierKind } from '@app/vocabulary';
import { compareActivities } from '../core/activity';
import type { AccountEvent, Activity } from '../core/activity';
import type { SharedIdentifierInput } from '../core/detector';
import type { IdentifierUse } from './types';

/** A bank held in memory (what the generators return, or what a file import yields). */
export interface DetectionDataset {
  vertices: readonly GraphVertex[];
  edges: readonly GraphEdge[];
}

/**
 * Movements (TRANSFERRED) and account events (HAS_EVENT -> Event), in replay order. A HAS_EVENT
 * edge whose Event vertex is not among `vertices` is passed to `onMissingEvent` (ignored when
 * absent).
 */
export function activitiesOf(
  dataset: DetectionDataset,
  onMissingEvent?: (edge: GraphEdge) => void,
): Activity[] {
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
      } else {
        onMissingEvent?.(edge);
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
 * What structural rules need from a dataset, gathered as vertices and edges go by: the kind of
 * every identifier, the accounts using it (USES) and the holders of every account (HOLDS).
 * Sized by the population, not by the movements, so a dataset can be streamed through it.
 */
export class StructuralIndex {
  private readonly kindOf = new Map<string, IdentifierKind>();
  private readonly users = new Map<string, Set<string>>();
  private readonly holderLists = new Map<string, string[]>();

  add(vertices: Iterable<GraphVertex>, edges: Iterable<GraphEdge>): this {
    for (const vertex of vertices) {
      if (vertex.label === 'Identifier') this.kindOf.set(vertex.uid, vertex.props.kind);
    }
    for (const edge of edges) {
      if (edge.label === 'USES') {
        let set = this.users.get(edge.to);
        if (!set) {
          set = new Set();
          this.users.set(edge.to, set);
        }
        set.add(edge.from);
      } else if (edge.label === 'HOLDS') {
        const list = this.holderLists.get(edge.to);
        if (list) list.push(edge.from);
        else this.holderLists.set(edge.to, [edge.from]);
      }
    }
    return this;
  }

  /**
   * Identifiers used by at least two and at most `hubCap` accounts — what the store's
   * `findSharedIdentifiers` answers — sorted by identifier uid.
   */
  shared(hubCap: number, kinds?: readonly IdentifierKind[]): SharedIdentifierInput[] {
    const allowed = kinds ? new Set<IdentifierKind>(kinds) : undefined;
    const shared: SharedIdentifierInput[] = [];
    for (const [identifierUid, accounts] of [...this.users.entries()].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      const kind = this.kindOf.get(identifierUid) ?? identifierKindOf(identifierUid);
      if (!kind || (allowed && !allowed.has(kind))) continue;
      if (accounts.size < 2 || accounts.size > hubCap) continue;
      shared.push({ identifierUid, kind, accountIds: [...accounts].sort() });
    }
    return shared;
  }

  /** Holders (HOLDS sources) of every account seen. */
  holders(): Map<string, string[]> {
    return this.holderLists;
  }
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
  return new StructuralIndex().add(dataset.vertices, dataset.edges).shared(hubCap, kinds);
}

/** Holders (HOLDS sources) of every account of the dataset. */
export function holdersOf(dataset: DetectionDataset): Map<string, string[]> {
  return new StructuralIndex().add([], dataset.edges).holders();
}

/**
 * The identifier uses (USES edges: account, identifier, first use) among `edges`, in their
 * order; other edges are skipped. What the learned risk model's shared-identifier features read.
 */
export function identifierUsesOf(edges: Iterable<GraphEdge>): IdentifierUse[] {
  const uses: IdentifierUse[] = [];
  for (const edge of edges)
    if (edge.label === 'USES')
      uses.push({ accountId: edge.from, identifierUid: edge.to, firstSeen: edge.props.firstSeen });
  return uses;
}
