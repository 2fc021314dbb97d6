import type {
  EdgeLabel,
  EventVertex,
  GraphEdge,
  GraphVertex,
  IdentifierKind,
  Movement,
  VertexLabel,
} from '@app/vocabulary';

/** What a batched upsert did. Unchanged items were already stored with the same data. */
export interface UpsertResult {
  created: number;
  updated: number;
  unchanged: number;
  /**
   * With `keepStored`: the eids found stored with other props and left as stored (counted as
   * unchanged). Absent otherwise.
   */
  kept?: string[];
}

/** How `upsertEdges` treats an edge that is stored already. */
export interface UpsertEdgeOptions {
  /**
   * Leave an edge found stored with other props as it is and list it in `kept`, instead of
   * replacing its props: for records written once, such as a movement arriving on the stream
   * (a second message with the same movement id and another amount is not a correction).
   * Off by default: an import of a corrected file updates its movements.
   */
  keepStored?: boolean;
}

/** Vertices and edges around a start point (ids are business ids). */
export interface Subgraph {
  vertices: GraphVertex[];
  edges: GraphEdge[];
}

export interface NeighbourhoodQuery {
  uid: string;
  /** Hops from the start vertex, 1 or 2. */
  depth: number;
  edgeLabels?: readonly EdgeLabel[];
  /** Most edges returned; the answer says whether it was cut. */
  limit: number;
}

export interface Neighbourhood extends Subgraph {
  truncated: boolean;
}

export interface MovementQuery {
  accountIds: readonly string[];
  /** Inclusive start, exclusive end, epoch ms. */
  from: number;
  to: number;
  direction: 'out' | 'in' | 'both';
  limit?: number;
}

export interface MovementWindowQuery {
  from: number;
  to: number;
  channels?: readonly string[];
  /** Resume after this movement id (movements come ordered by timestamp, then id). */
  after?: { timestamp: number; movementId: string };
  limit: number;
}

export interface AccountEventQuery {
  accountIds: readonly string[];
  /** Inclusive start, exclusive end, epoch ms (the events' `timestamp`). */
  from: number;
  to: number;
  limit?: number;
}

/** An Event vertex reached from an account through HAS_EVENT. */
export interface AccountEventRecord {
  accountId: string;
  event: EventVertex;
}

/** The holders of one account: uids of the Persons and Companies that HOLD it, in uid order. */
export interface AccountHolders {
  accountId: string;
  holderUids: string[];
}

export interface FanCandidateQuery {
  direction: 'in' | 'out';
  from: number;
  to: number;
  minCounterparties: number;
  limit: number;
}

export interface FanCandidate {
  accountId: string;
  counterparties: number;
  movements: number;
}

export interface SharedIdentifierQuery {
  /** Identifiers used by more accounts than this are hubs and are ignored. */
  hubCap: number;
  kinds?: readonly IdentifierKind[];
  /** Restrict to identifiers used by these accounts (per-event mode); all when absent. */
  accountIds?: readonly string[];
}

/** One identifier shared by two or more accounts (and at most hubCap). */
export interface SharedIdentifier {
  identifierUid: string;
  kind: IdentifierKind;
  accountIds: string[];
}

export interface PageRequest {
  label: VertexLabel;
  /** Opaque cursor from the previous page; absent for the first page. */
  cursor?: string;
  limit: number;
  /** Equality filters on properties of that label. */
  where?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Only vertices that lack this property of the label (an optional one, such as Alert
   * `riskScore`): with an ordered listing of the vertices having it, a listing of the rest.
   */
  without?: string;
}

/**
 * A page of one label ordered by a number property (`orderBy`), then by uid ascending, so ties
 * never reorder between calls. Keyset paging: the cursor holds the last (value, uid) seen, so a
 * listing never repeats or skips a vertex that kept its value between two calls. Vertices
 * without the property are left out.
 */
export interface OrderedPageRequest extends PageRequest {
  /** A long, integer or double property of the label, e.g. Alert `score` or `createdAt`. */
  orderBy: string;
  direction: 'asc' | 'desc';
}

/**
 * A search of one label by name, answered by the store's name index: a vertex matches when every
 * word of `text` begins a word of its `name` ("harb tr" finds "Blue Harbour Trading"), whatever
 * the case. A word is a run of letters and digits, at least 2 long (shorter ones and punctuation
 * in `text` are ignored, and never read as a pattern). A vertex whose uid equals the trimmed
 * `text` comes first on the first page. Matches are in uid order, `limit` per page, with
 * `nextCursor` while more exist.
 */
export interface NameSearchRequest {
  label: 'Company' | 'Person';
  /** 1 to 200 characters. */
  text: string;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface GraphCounts {
  vertices: Readonly<Record<VertexLabel, number>>;
  edges: Readonly<Record<EdgeLabel, number>>;
}

/**
 * The graph store port: every read and write the analytics need, each in as few round trips
 * as the backend allows. Keys are business ids (`uid` for vertices, `eid` for edges).
 *
 * Writes are idempotent upserts: the same item twice changes nothing. A batch is validated
 * against the vocabulary first; if any item is bad, `BatchRejectedError` lists them all and
 * nothing is written. Edges whose end vertices do not exist are rejected the same way.
 *
 * Rules every adapter follows (checked by the contract suite in ./contract):
 * - an upsert replaces an item's props (keys left out are removed) and counts created,
 *   updated and unchanged exactly; an edge's label and ends, and a vertex's label, never change;
 * - ids are ordered by plain string comparison (JavaScript `<`, Java `compareTo`);
 * - `getVertices` answers in the order asked, leaves unknown uids out, returns repeats once;
 *   `getEdges` does the same with eids;
 * - fan candidates never count the account itself, most counterparties first, then by id;
 * - shared identifiers have 2..hubCap accounts, come in uid order and list every account;
 * - `getNeighbourhood` returns nearer edges first; `truncated` only when an edge was left out;
 * - `getAccountEvents` orders by event timestamp, then event uid, then account id; an event
 *   reached from two asked accounts comes once for each; unknown accounts contribute nothing;
 * - `getHolders` answers every asked account once, in the order asked (unknown ones and
 *   accounts without holders with an empty list);
 * - unknown start uids raise `EntityNotFoundError`; bad query arguments `InvalidInputError`.
 */
export abstract class GraphStore {
  /** Human-readable backend name for logs and health output. */
  abstract readonly backend: 'memory' | 'janusgraph';

  abstract upsertVertices(batch: readonly GraphVertex[]): Promise<UpsertResult>;
  abstract upsertEdges(
    batch: readonly GraphEdge[],
    options?: UpsertEdgeOptions,
  ): Promise<UpsertResult>;

  abstract getVertex(uid: string): Promise<GraphVertex | undefined>;
  abstract getVertices(uids: readonly string[]): Promise<GraphVertex[]>;
  abstract getEdge(eid: string): Promise<GraphEdge | undefined>;
  /**
   * Stored edges among `eids` (any labels), in the order asked; unknown eids are left out,
   * repeats come once. One round trip per chunk of ids, so a detail view costs one read for
   * all its evidence rather than one per edge.
   */
  abstract getEdges(eids: readonly string[]): Promise<GraphEdge[]>;
  abstract getNeighbourhood(query: NeighbourhoodQuery): Promise<Neighbourhood>;

  /**
   * Everything above a company: OWNS and CONTROLS edges followed upstream up to `maxDepth`
   * hops, with every vertex reached. Cycles are returned as they are (each edge once).
   */
  abstract getOwnershipSubgraph(companyUid: string, maxDepth: number): Promise<Subgraph>;

  /** Movements of some accounts in a time window, ordered by timestamp then id. */
  abstract getMovements(query: MovementQuery): Promise<Movement[]>;
  /** All movements in a window, in pages ordered by timestamp then id (global scans). */
  abstract scanMovements(query: MovementWindowQuery): Promise<Movement[]>;

  /**
   * Events (HAS_EVENT targets) of some accounts whose timestamp is in the window, ordered by
   * timestamp, then event uid, then account id; `limit` keeps the first ones of that order.
   */
  abstract getAccountEvents(query: AccountEventQuery): Promise<AccountEventRecord[]>;

  /** Holders (HOLDS sources) of some accounts, each account once in the order asked. */
  abstract getHolders(accountIds: readonly string[]): Promise<AccountHolders[]>;

  /** Accounts with at least N distinct counterparties in a window, computed by the store. */
  abstract selectFanCandidates(query: FanCandidateQuery): Promise<FanCandidate[]>;

  /** Identifiers shared by several accounts (hubs above the cap left out). */
  abstract findSharedIdentifiers(query: SharedIdentifierQuery): Promise<SharedIdentifier[]>;

  abstract listVertices(request: PageRequest): Promise<Page<GraphVertex>>;
  /** Vertices of a label ordered by a number property, then uid (see `OrderedPageRequest`). */
  abstract listVerticesOrdered(request: OrderedPageRequest): Promise<Page<GraphVertex>>;
  /** Companies or persons whose name or uid contains a text (see `NameSearchRequest`). */
  abstract searchByName(request: NameSearchRequest): Promise<Page<GraphVertex>>;
  abstract counts(): Promise<GraphCounts>;

  /** Resolves when the store answers; throws GraphUnavailableError otherwise. */
  abstract ping(): Promise<void>;
  /** Removes everything. For tests, benchmarks and reseeding only. */
  abstract clear(): Promise<void>;
}
