import { MultiDirectedGraph } from 'graphology';
import {
  EDGE_LABELS,
  EntityNotFoundError,
  InvalidInputError,
  keepErasure,
  VERTEX_LABELS,
  movementOf,
} from '@app/vocabulary';
import type {
  EdgeLabel,
  GraphEdge,
  GraphVertex,
  IdentifierKind,
  IdentifierProps,
  Movement,
  MovementEdge,
  VertexLabel,
} from '@app/vocabulary';
import {
  assertAccountEventQuery,
  assertFanCandidateQuery,
  assertMovementQuery,
  assertMovementWindowQuery,
  assertNeighbourhoodQuery,
  assertOwnershipQuery,
  assertPageRequest,
  assertHoldersQuery,
  assertSharedIdentifierQuery,
  assertValidEdgeBatch,
  assertValidVertexBatch,
  decodeUidCursor,
  encodeUidCursor,
  normaliseProps,
  sameProps,
} from '../batch-validation';
import {
  AccountEventQuery,
  AccountEventRecord,
  AccountHolders,
  FanCandidate,
  FanCandidateQuery,
  GraphCounts,
  GraphStore,
  MovementQuery,
  MovementWindowQuery,
  NameSearchRequest,
  Neighbourhood,
  NeighbourhoodQuery,
  OrderedPageRequest,
  Page,
  PageRequest,
  SharedIdentifier,
  SharedIdentifierQuery,
  Subgraph,
  UpsertEdgeOptions,
  UpsertResult,
} from '../graph-store.port';
import {
  assertNameSearchRequest,
  assertOrderedPageRequest,
  compareOrdered,
  decodeOrderedCursor,
  encodeOrderedCursor,
  nameHasWordsStartingWith,
  nameMatchesToRead,
  nameSearchPage,
  searchUid,
  searchWords,
} from '../vertex-search';
import { compareStrings, SortedList } from './sorted-list';

type NodeAttributes = { label: VertexLabel; props: GraphVertex['props'] };
type EdgeAttributes = { label: EdgeLabel; props: GraphEdge['props'] };

/** One stored movement; lists share the entry so an update re-keys it everywhere at once. */
interface MovementEntry {
  movement: Movement;
}

const compareEntries = (a: MovementEntry, b: MovementEntry): number =>
  a.movement.timestamp - b.movement.timestamp ||
  compareStrings(a.movement.movementId, b.movement.movementId);

const UPSTREAM_LABELS: ReadonlySet<EdgeLabel> = new Set<EdgeLabel>(['OWNS', 'CONTROLS']);

function zeroCounts<L extends string>(labels: readonly L[]): Record<L, number> {
  return Object.fromEntries(labels.map((label) => [label, 0])) as Record<L, number>;
}

function vertexOf(uid: string, attributes: NodeAttributes): GraphVertex {
  return { label: attributes.label, uid, props: normaliseProps(attributes.props) } as GraphVertex;
}

/**
 * The embedded graph store: the default backend of `npm start` and the backend of unit tests.
 * Built on graphology (`MultiDirectedGraph`; node key = uid, edge key = eid, attributes =
 * `{ label, props }`) plus indexes the analytics need:
 *
 * - movements (TRANSFERRED edges) in one global list and per-account out/in lists, each kept
 *   ordered by (timestamp, movementId), so window reads are a binary search plus the hits;
 * - vertex uids per label in uid order, for keyset paging and counts.
 *
 * Everything returned is a copy: callers cannot change the store by mutating results.
 * Nothing here is shared between instances.
 */
export class MemoryGraphStore extends GraphStore {
  readonly backend = 'memory' as const;

  private readonly graph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
  private readonly movements = new Map<string, MovementEntry>();
  private allMovements = new SortedList<MovementEntry>(compareEntries);
  private readonly outgoing = new Map<string, SortedList<MovementEntry>>();
  private readonly incoming = new Map<string, SortedList<MovementEntry>>();
  private readonly uidsByLabel = new Map<VertexLabel, SortedList<string>>();
  private vertexCounts = zeroCounts(VERTEX_LABELS);
  private edgeCounts = zeroCounts(EDGE_LABELS);

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  upsertVertices(batch: readonly GraphVertex[]): Promise<UpsertResult> {
    return this.answer(() => {
      assertValidVertexBatch(batch, (uid) => this.vertexLabel(uid));
      const result: UpsertResult = { created: 0, updated: 0, unchanged: 0 };
      for (const written of batch) {
        const exists = this.graph.hasNode(written.uid);
        // An erased person or contact identifier stays erased (see keepErasure).
        const vertex = exists ? keepErasure(written, this.storedVertex(written.uid)) : written;
        const props = normaliseProps(vertex.props);
        if (!exists) {
          this.graph.addNode(vertex.uid, { label: vertex.label, props });
          this.uidList(vertex.label).push(vertex.uid);
          this.vertexCounts[vertex.label] += 1;
          result.created += 1;
        } else if (sameProps(this.graph.getNodeAttribute(vertex.uid, 'props'), props)) {
          result.unchanged += 1;
        } else {
          this.graph.setNodeAttribute(vertex.uid, 'props', props);
          result.updated += 1;
        }
      }
      return result;
    });
  }

  upsertEdges(batch: readonly GraphEdge[], options?: UpsertEdgeOptions): Promise<UpsertResult> {
    return this.answer(() => {
      assertValidEdgeBatch(
        batch,
        (uid) => this.vertexLabel(uid),
        (eid) =>
          this.graph.hasEdge(eid)
            ? {
                label: this.graph.getEdgeAttribute(eid, 'label'),
                from: this.graph.source(eid),
                to: this.graph.target(eid),
              }
            : undefined,
      );
      const result: UpsertResult = { created: 0, updated: 0, unchanged: 0 };
      for (const edge of batch) {
        const props = normaliseProps(edge.props);
        if (!this.graph.hasEdge(edge.eid)) {
          this.graph.addEdgeWithKey(edge.eid, edge.from, edge.to, { label: edge.label, props });
          this.edgeCounts[edge.label] += 1;
          if (edge.label === 'TRANSFERRED') this.indexMovement(edge);
          result.created += 1;
        } else if (sameProps(this.graph.getEdgeAttribute(edge.eid, 'props'), props)) {
          result.unchanged += 1;
        } else if (options?.keepStored === true) {
          result.unchanged += 1;
          (result.kept ??= []).push(edge.eid);
        } else {
          this.graph.setEdgeAttribute(edge.eid, 'props', props);
          if (edge.label === 'TRANSFERRED') this.reindexMovement(edge);
          result.updated += 1;
        }
      }
      return result;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Point reads
  // -------------------------------------------------------------------------------------------

  getVertex(uid: string): Promise<GraphVertex | undefined> {
    return this.answer(() =>
      this.graph.hasNode(uid) ? vertexOf(uid, this.graph.getNodeAttributes(uid)) : undefined,
    );
  }

  /** Stored vertices among `uids`, in the order asked; unknown uids are left out, repeats once. */
  getVertices(uids: readonly string[]): Promise<GraphVertex[]> {
    return this.answer(() => {
      const seen = new Set<string>();
      const found: GraphVertex[] = [];
      for (const uid of uids) {
        if (seen.has(uid) || !this.graph.hasNode(uid)) continue;
        seen.add(uid);
        found.push(vertexOf(uid, this.graph.getNodeAttributes(uid)));
      }
      return found;
    });
  }

  getEdge(eid: string): Promise<GraphEdge | undefined> {
    return this.answer(() => (this.graph.hasEdge(eid) ? this.edgeOf(eid) : undefined));
  }

  /** Stored edges among `eids`, in the order asked; unknown eids are left out, repeats once. */
  getEdges(eids: readonly string[]): Promise<GraphEdge[]> {
    return this.answer(() => {
      const seen = new Set<string>();
      const found: GraphEdge[] = [];
      for (const eid of eids) {
        if (seen.has(eid) || !this.graph.hasEdge(eid)) continue;
        seen.add(eid);
        found.push(this.edgeOf(eid));
      }
      return found;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Subgraphs
  // -------------------------------------------------------------------------------------------

  /**
   * Edges around a vertex, nearest first: every edge touching the start vertex (hop 1) comes
   * before any edge touching only hop-1 vertices (hop 2); within a hop, edges go in eid order.
   * Stops at `limit` edges and says so with `truncated`. Vertices are the start vertex plus the
   * ends of the returned edges.
   */
  getNeighbourhood(query: NeighbourhoodQuery): Promise<Neighbourhood> {
    return this.answer(() => {
      assertNeighbourhoodQuery(query);
      if (!this.graph.hasNode(query.uid)) throw new EntityNotFoundError('Vertex', query.uid);
      const allowed = query.edgeLabels ? new Set<EdgeLabel>(query.edgeLabels) : undefined;
      const taken = new Set<string>();
      const vertices = new Set<string>([query.uid]);
      let frontier = [query.uid];
      let truncated = false;
      for (let hop = 1; hop <= query.depth && !truncated; hop += 1) {
        const candidates = new Set<string>();
        for (const uid of frontier) {
          this.graph.forEachEdge(uid, (eid, attributes) => {
            if (!taken.has(eid) && (!allowed || allowed.has(attributes.label))) candidates.add(eid);
          });
        }
        const next = new Set<string>();
        for (const eid of [...candidates].sort(compareStrings)) {
          if (taken.size === query.limit) {
            truncated = true;
            break;
          }
          taken.add(eid);
          for (const end of [this.graph.source(eid), this.graph.target(eid)]) {
            if (!vertices.has(end)) {
              vertices.add(end);
              next.add(end);
            }
          }
        }
        frontier = [...next];
      }
      return {
        vertices: [...vertices].map((uid) => vertexOf(uid, this.graph.getNodeAttributes(uid))),
        edges: [...taken].map((eid) => this.edgeOf(eid)),
        truncated,
      };
    });
  }

  getOwnershipSubgraph(companyUid: string, maxDepth: number): Promise<Subgraph> {
    return this.answer(() => {
      assertOwnershipQuery(companyUid, maxDepth);
      const label = this.vertexLabel(companyUid);
      if (label === undefined) throw new EntityNotFoundError('Company', companyUid);
      if (label !== 'Company') {
        throw new InvalidInputError(`getOwnershipSubgraph: "${companyUid}" is a ${label}`, [
          { field: 'companyUid', rule: `must be the uid of a Company (it is a ${label})` },
        ]);
      }
      const vertices = new Set<string>([companyUid]);
      const edges = new Set<string>();
      let frontier = [companyUid];
      for (let hop = 1; hop <= maxDepth && frontier.length > 0; hop += 1) {
        const next: string[] = [];
        for (const uid of frontier) {
          this.graph.forEachInEdge(uid, (eid, attributes, source) => {
            if (!UPSTREAM_LABELS.has(attributes.label)) return;
            edges.add(eid);
            if (!vertices.has(source)) {
              vertices.add(source);
              next.push(source);
            }
          });
        }
        frontier = next;
      }
      return {
        vertices: [...vertices]
          .sort(compareStrings)
          .map((uid) => vertexOf(uid, this.graph.getNodeAttributes(uid))),
        edges: [...edges].sort(compareStrings).map((eid) => this.edgeOf(eid)),
      };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Movements
  // -------------------------------------------------------------------------------------------

  getMovements(query: MovementQuery): Promise<Movement[]> {
    return this.answer(() => {
      assertMovementQuery(query);
      const hits = new Map<string, MovementEntry>();
      const collect = (list: SortedList<MovementEntry> | undefined): void => {
        if (!list) return;
        const items = list.sorted();
        for (let i = firstAtOrAfter(list, query.from); i < items.length; i += 1) {
          const entry = items[i];
          if (entry.movement.timestamp >= query.to) break;
          hits.set(entry.movement.movementId, entry);
        }
      };
      for (const account of new Set(query.accountIds)) {
        if (query.direction !== 'in') collect(this.outgoing.get(account));
        if (query.direction !== 'out') collect(this.incoming.get(account));
      }
      const ordered = [...hits.values()].sort(compareEntries);
      const limited = query.limit === undefined ? ordered : ordered.slice(0, query.limit);
      return limited.map((entry) => ({ ...entry.movement }));
    });
  }

  scanMovements(query: MovementWindowQuery): Promise<Movement[]> {
    return this.answer(() => {
      assertMovementWindowQuery(query);
      const list = this.allMovements;
      const items = list.sorted();
      let start = firstAtOrAfter(list, query.from);
      const after = query.after;
      if (after) {
        start = Math.max(
          start,
          list.firstIndex(
            (entry) =>
              entry.movement.timestamp > after.timestamp ||
              (entry.movement.timestamp === after.timestamp &&
                compareStrings(entry.movement.movementId, after.movementId) > 0),
          ),
        );
      }
      const channels = query.channels ? new Set<string>(query.channels) : undefined;
      const page: Movement[] = [];
      for (let i = start; i < items.length && page.length < query.limit; i += 1) {
        const movement = items[i].movement;
        if (movement.timestamp >= query.to) break;
        if (channels && !channels.has(movement.channel)) continue;
        page.push({ ...movement });
      }
      return page;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Account events and holders
  // -------------------------------------------------------------------------------------------

  /** Each account's HAS_EVENT targets, filtered by timestamp (events are few per account). */
  getAccountEvents(query: AccountEventQuery): Promise<AccountEventRecord[]> {
    return this.answer(() => {
      assertAccountEventQuery(query);
      const found: AccountEventRecord[] = [];
      for (const accountId of new Set(query.accountIds)) {
        if (!this.graph.hasNode(accountId)) continue;
        const events = new Set<string>();
        this.graph.forEachOutEdge(accountId, (_eid, attributes, _source, target) => {
          if (attributes.label === 'HAS_EVENT') events.add(target);
        });
        for (const uid of events) {
          const event = vertexOf(uid, this.graph.getNodeAttributes(uid));
          if (event.label !== 'Event') continue;
          const { timestamp } = event.props;
          if (timestamp >= query.from && timestamp < query.to) found.push({ accountId, event });
        }
      }
      found.sort(compareAccountEvents);
      return query.limit === undefined ? found : found.slice(0, query.limit);
    });
  }

  getHolders(accountIds: readonly string[]): Promise<AccountHolders[]> {
    return this.answer(() => {
      assertHoldersQuery(accountIds);
      return [...new Set(accountIds)].map((accountId) => {
        const holders = new Set<string>();
        if (this.graph.hasNode(accountId)) {
          this.graph.forEachInEdge(accountId, (_eid, attributes, source) => {
            if (attributes.label === 'HOLDS') holders.add(source);
          });
        }
        return { accountId, holderUids: [...holders].sort(compareStrings) };
      });
    });
  }

  /**
   * Counterparties are the other accounts at the far end of the movements (a movement from an
   * account to itself counts as a movement but not as a counterparty). Ordered by
   * counterparties (most first), then accountId.
   */
  selectFanCandidates(query: FanCandidateQuery): Promise<FanCandidate[]> {
    return this.answer(() => {
      assertFanCandidateQuery(query);
      const lists = query.direction === 'out' ? this.outgoing : this.incoming;
      const candidates: FanCandidate[] = [];
      for (const [accountId, list] of lists) {
        const items = list.sorted();
        const counterparties = new Set<string>();
        let movements = 0;
        for (let i = firstAtOrAfter(list, query.from); i < items.length; i += 1) {
          const movement = items[i].movement;
          if (movement.timestamp >= query.to) break;
          movements += 1;
          const other = query.direction === 'out' ? movement.toAccount : movement.fromAccount;
          if (other !== accountId) counterparties.add(other);
        }
        if (counterparties.size >= query.minCounterparties) {
          candidates.push({ accountId, counterparties: counterparties.size, movements });
        }
      }
      candidates.sort(
        (a, b) => b.counterparties - a.counterparties || compareStrings(a.accountId, b.accountId),
      );
      return candidates.slice(0, query.limit);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Shared identifiers
  // -------------------------------------------------------------------------------------------

  /**
   * Identifiers used (USES) by at least two accounts and at most `hubCap`, ordered by
   * identifierUid; each lists every account using it, in accountId order. With `accountIds`,
   * only identifiers used by at least one of those accounts are considered.
   */
  findSharedIdentifiers(query: SharedIdentifierQuery): Promise<SharedIdentifier[]> {
    return this.answer(() => {
      assertSharedIdentifierQuery(query);
      const kinds = query.kinds ? new Set<IdentifierKind>(query.kinds) : undefined;
      let identifierUids: Iterable<string>;
      if (query.accountIds) {
        const used = new Set<string>();
        for (const account of query.accountIds) {
          if (!this.graph.hasNode(account)) continue;
          this.graph.forEachOutEdge(account, (_eid, attributes, _source, target) => {
            if (attributes.label === 'USES') used.add(target);
          });
        }
        identifierUids = [...used].sort(compareStrings);
      } else {
        identifierUids = this.uidList('Identifier').sorted();
      }
      const shared: SharedIdentifier[] = [];
      for (const identifierUid of identifierUids) {
        const attributes = this.graph.getNodeAttributes(identifierUid);
        if (attributes.label !== 'Identifier') continue;
        const kind = (attributes.props as IdentifierProps).kind;
        if (kinds && !kinds.has(kind)) continue;
        const accounts = new Set<string>();
        this.graph.forEachInEdge(identifierUid, (_eid, edgeAttributes, source) => {
          if (edgeAttributes.label === 'USES') accounts.add(source);
        });
        if (accounts.size >= 2 && accounts.size <= query.hubCap) {
          shared.push({ identifierUid, kind, accountIds: [...accounts].sort(compareStrings) });
        }
      }
      return shared;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Listing, counts, health, reset
  // -------------------------------------------------------------------------------------------

  /** Vertices of one label in uid order, `limit` at a time; filters are exact equality. */
  listVertices(request: PageRequest): Promise<Page<GraphVertex>> {
    return this.answer(() => {
      assertPageRequest(request);
      const list = this.uidList(request.label);
      const uids = list.sorted();
      const afterUid =
        request.cursor === undefined ? undefined : decodeUidCursor(request.label, request.cursor);
      const start =
        afterUid === undefined ? 0 : list.firstIndex((uid) => compareStrings(uid, afterUid) > 0);
      const where = Object.entries(request.where ?? {});
      const items: GraphVertex[] = [];
      let more = false;
      for (let i = start; i < uids.length; i += 1) {
        const attributes = this.graph.getNodeAttributes(uids[i]);
        const props = attributes.props as unknown as Readonly<Record<string, unknown>>;
        if (!where.every(([key, value]) => props[key] === value)) continue;
        if (request.without !== undefined && props[request.without] !== undefined) continue;
        if (items.length === request.limit) {
          more = true;
          break;
        }
        items.push(vertexOf(uids[i], attributes));
      }
      const last = items[items.length - 1];
      return more && last
        ? { items, nextCursor: encodeUidCursor(request.label, last.uid) }
        : { items };
    });
  }

  /**
   * Vertices of one label ordered by a number property, then uid: the label's matching vertices
   * are sorted on every call (O(n log n); fine for the sizes the memory store holds).
   */
  listVerticesOrdered(request: OrderedPageRequest): Promise<Page<GraphVertex>> {
    return this.answer(() => {
      assertOrderedPageRequest(request);
      const after =
        request.cursor === undefined ? undefined : decodeOrderedCursor(request, request.cursor);
      const where = Object.entries(request.where ?? {});
      const compare = compareOrdered(request.direction);
      const rows: { value: number; uid: string }[] = [];
      for (const uid of this.uidList(request.label).sorted()) {
        const props = this.graph.getNodeAttribute(uid, 'props') as unknown as Readonly<
          Record<string, unknown>
        >;
        const value = props[request.orderBy];
        if (typeof value !== 'number') continue;
        if (!where.every(([key, expected]) => props[key] === expected)) continue;
        if (request.without !== undefined && props[request.without] !== undefined) continue;
        const row = { value, uid };
        if (after !== undefined && compare(row, after) <= 0) continue;
        rows.push(row);
      }
      rows.sort(compare);
      const page = rows.slice(0, request.limit);
      const items = page.map((row) => vertexOf(row.uid, this.graph.getNodeAttributes(row.uid)));
      const last = page[page.length - 1];
      return rows.length > request.limit && last !== undefined
        ? { items, nextCursor: encodeOrderedCursor(request, last) }
        : { items };
    });
  }

  /** Names whose words begin with the searched words, exact uid first (see NameSearchRequest). */
  searchByName(request: NameSearchRequest): Promise<Page<GraphVertex>> {
    return this.answer(() => {
      assertNameSearchRequest(request);
      const words = searchWords(request.text);
      const list = this.uidList(request.label);
      const uids = list.sorted();
      const afterUid =
        request.cursor === undefined ? undefined : decodeUidCursor(request.label, request.cursor);
      const start =
        afterUid === undefined ? 0 : list.firstIndex((uid) => compareStrings(uid, afterUid) > 0);
      const wanted = nameMatchesToRead(request);
      const matches: GraphVertex[] = [];
      for (let i = start; i < uids.length && words.length > 0 && matches.length < wanted; i += 1) {
        const vertex = vertexOf(uids[i], this.graph.getNodeAttributes(uids[i]));
        if (nameHasWordsStartingWith(vertex, words)) matches.push(vertex);
      }
      const uid = searchUid(request.text);
      const exact =
        request.cursor === undefined &&
        this.graph.hasNode(uid) &&
        this.graph.getNodeAttributes(uid).label === request.label
          ? vertexOf(uid, this.graph.getNodeAttributes(uid))
          : undefined;
      return nameSearchPage(request, exact, matches);
    });
  }

  counts(): Promise<GraphCounts> {
    return this.answer(() => ({
      vertices: { ...this.vertexCounts },
      edges: { ...this.edgeCounts },
    }));
  }

  /** The embedded store is always reachable. */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  clear(): Promise<void> {
    return this.answer(() => {
      this.graph.clear();
      this.movements.clear();
      this.allMovements = new SortedList<MovementEntry>(compareEntries);
      this.outgoing.clear();
      this.incoming.clear();
      this.uidsByLabel.clear();
      this.vertexCounts = zeroCounts(VERTEX_LABELS);
      this.edgeCounts = zeroCounts(EDGE_LABELS);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------------------------

  /**
   * Runs synchronous work as a promise, so that a thrown error becomes a rejection (callers
   * see the same behaviour as with a remote backend).
   */
  private answer<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve) => resolve(work()));
  }

  private storedVertex(uid: string): GraphVertex {
    return vertexOf(uid, this.graph.getNodeAttributes(uid));
  }

  private vertexLabel(uid: string): VertexLabel | undefined {
    return this.graph.hasNode(uid) ? this.graph.getNodeAttribute(uid, 'label') : undefined;
  }

  private uidList(label: VertexLabel): SortedList<string> {
    let list = this.uidsByLabel.get(label);
    if (!list) {
      list = new SortedList<string>(compareStrings);
      this.uidsByLabel.set(label, list);
    }
    return list;
  }

  private edgeOf(eid: string): GraphEdge {
    const attributes = this.graph.getEdgeAttributes(eid);
    return {
      label: attributes.label,
      eid,
      from: this.graph.source(eid),
      to: this.graph.target(eid),
      props: normaliseProps(attributes.props),
    } as GraphEdge;
  }

  private movementList(
    lists: Map<string, SortedList<MovementEntry>>,
    account: string,
  ): SortedList<MovementEntry> {
    let list = lists.get(account);
    if (!list) {
      list = new SortedList<MovementEntry>(compareEntries);
      lists.set(account, list);
    }
    return list;
  }

  private indexMovement(edge: MovementEdge): void {
    const entry: MovementEntry = {
      movement: movementOf({ ...edge, props: normaliseProps(edge.props) }),
    };
    this.movements.set(edge.eid, entry);
    this.allMovements.push(entry);
    this.movementList(this.outgoing, edge.from).push(entry);
    this.movementList(this.incoming, edge.to).push(entry);
  }

  /** The ends of an edge never change, so the entry stays in the same lists; only its key may. */
  private reindexMovement(edge: MovementEdge): void {
    const entry = this.movements.get(edge.eid);
    if (!entry) throw new Error(`Memory store index is missing movement ${edge.eid}`);
    entry.movement = movementOf({ ...edge, props: normaliseProps(edge.props) });
    this.allMovements.markDirty();
    this.movementList(this.outgoing, edge.from).markDirty();
    this.movementList(this.incoming, edge.to).markDirty();
  }
}

function compareAccountEvents(a: AccountEventRecord, b: AccountEventRecord): number {
  return (
    a.event.props.timestamp - b.event.props.timestamp ||
    compareStrings(a.event.uid, b.event.uid) ||
    compareStrings(a.accountId, b.accountId)
  );
}

function firstAtOrAfter(list: SortedList<MovementEntry>, from: number): number {
  return list.firstIndex((entry) => entry.movement.timestamp >= from);
}
