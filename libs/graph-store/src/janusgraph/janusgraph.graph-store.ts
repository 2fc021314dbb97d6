import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SchemaReadiness } from '@app/janusgraph';
import {
  __,
  cardinality,
  column,
  encodeValue,
  GraphTraversal,
  JanusGraphClient,
  JanusGraphQueryError,
  NO_MIXED_INDEX_BACKEND,
  numberField,
  order,
  P,
  propertyTypeOf,
  scope,
  stringField,
  t,
  textContainsPrefix,
  toRecord,
} from '@app/janusgraph';
import {
  ConflictError,
  EDGE_ENDPOINTS,
  EDGE_LABELS,
  EntityNotFoundError,
  InvalidInputError,
  keepErasure,
  validateEdge,
  VERTEX_LABELS,
} from '@app/vocabulary';
import type {
  EdgeLabel,
  GraphEdge,
  GraphVertex,
  IdentifierKind,
  Movement,
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
  endpointUidsOf,
  normaliseProps,
  sameEdgeData,
  sameProps,
  StoredEdgeShape,
  vertexBatchProblems,
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
  decodeOrderedCursor,
  encodeOrderedCursor,
  nameMatchesToRead,
  nameSearchPage,
  searchUid,
  searchWords,
} from '../vertex-search';
import {
  accountEventProjection,
  edgeProjection,
  edgeShapeProjection,
  edgeWithEndsProjection,
  holdersProjection,
  listOf,
  movementProjection,
  type MovementRow,
  vertexUidsTraversal,
  readAccountEvent,
  readEdge,
  readEdgeShape,
  readEdgeWithEnds,
  readHolders,
  readMovementRow,
  readVertexUid,
  isStaleIndexRow,
  readVertex,
  vertexLabelProjection,
  vertexProjection,
} from './janusgraph.traversals';
import {
  edgeRow,
  edgeRowByEndIds,
  type EndVertex,
  endVertexProjection,
  endVerticesTraversal,
  readEdgeAnswer,
  readVertexAnswer,
  UPSERT_CHECK_FAILURES,
  upsertEdgesByEndIdsTraversal,
  upsertEdgesTraversal,
  type CreatedVertex,
  dropExtraEdgesTraversal,
  duplicateEidsTraversal,
  reindexMovementsTraversal,
  mixedIndexedUidsTraversal,
  mergeOrphanVertexTraversal,
  orphanEdgesTraversal,
  upsertVerticesTraversal,
  vertexRow,
} from './janusgraph.upserts';
import { ServerIdCache } from './server-id-cache';

export interface JanusGraphGraphStoreOptions {
  /** Items per write round trip (`GRAPH_BATCH_SIZE`). */
  batchSize: number;
  /** Write requests one upsert call keeps in flight (`GRAPH_WRITE_CONCURRENCY`, default 4). */
  writeConcurrency?: number;
  /** Close the client when the application shuts down (true when the store created it). */
  ownsClient?: boolean;
  /**
   * After each write, read the keys it created again and settle any held twice (default true;
   * `GRAPH_SETTLE_NEW_KEYS`). See "Two writers, one new key" on the class.
   */
  settleNewKeys?: boolean;
  /**
   * Monotonic milliseconds, to time write requests (default `performance.now()`; tests pass
   * their own). See `SLOW_WRITE_SHARE`.
   */
  monotonicNow?: () => number;
  /** Where warnings go (default: a Nest logger named after the store). */
  logger?: Pick<Logger, 'warn'>;
}

/** Times an orphan vertex is read and merged again when it gains edges meanwhile. */
const SETTLE_ATTEMPTS = 5;

/** Most ids sent in one `within(...)` lookup; longer lists are split into parallel requests. */
const READ_CHUNK = 1000;
/**
 * Most vertex id → uid pairs the movement reads keep (about 100 bytes each): enough for every
 * account of a large bank, so that a scan reads each account's uid once, not once per movement.
 */
const MAX_CACHED_UIDS = 500_000;
/**
 * Most uid → vertex id and label entries the edge writes keep (about 150 bytes each): the
 * accounts of a large bank, so that a movement's ends are seldom read again (see `sendEdges`).
 */
const MAX_CACHED_ENDS = 500_000;
/** Write requests in flight per upsert call when the options do not say. */
const DEFAULT_WRITE_CONCURRENCY = 4;
/**
 * Vertices dropped by the first request of `clear()` (one transaction each). Each later request
 * is sized from the time the one before took, so that it takes about `CLEAR_TIME_SHARE` of the
 * request timeout, between `CLEAR_MIN_CHUNK` and `CLEAR_MAX_CHUNK` and at most twice the size
 * before. A drop that outlasts Gremlin Server's evaluation timeout can be interrupted after its
 * storage commit and before its mixed-index commit, which leaves stale index entries for good
 * (docs/operations.md, "A drop cut short leaves entries in the mixed index"): seen with 5,000
 * vertices per request on a loaded Cassandra.
 */
const CLEAR_FIRST_CHUNK = 1000;
const CLEAR_MIN_CHUNK = 100;
const CLEAR_MAX_CHUNK = 5000;
const CLEAR_TIME_SHARE = 0.1;
/**
 * A listing that meets stale mixed-index entries warns at most this often per operation and
 * label (ms), so that an API listing them on every request does not flood the log.
 */
const STALE_WARNING_INTERVAL_MS = 60_000;

/**
 * A listing page whose rows are all stale index entries gives no cursor (they have no uid), so
 * it is read again, four times as many rows each time, up to this many rows.
 */
const MOST_ROWS_PAST_STALE = 10_000;
/**
 * A write request that took at least this share of the request timeout may have been cut short
 * by Gremlin Server's evaluation timeout (the same as the client's: it is sent with each
 * request) between JanusGraph's storage commit and its mixed-index commit, and still have
 * answered as done (seen on Cassandra right after a crash). The vertices it created are then
 * looked up in their mixed index (see `unindexedVertices`), and the movements it created are
 * written again (see `reindexMovements`). Writes that fast never get near the timeout.
 */
const SLOW_WRITE_SHARE = 0.5;

const UPSTREAM: readonly EdgeLabel[] = ['OWNS', 'CONTROLS'];

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idsOf(batch: readonly unknown[], key: 'uid' | 'eid'): string[] {
  const ids = new Set<string>();
  for (const item of batch) {
    if (isRecord(item) && typeof item[key] === 'string') ids.add(item[key]);
  }
  return [...ids];
}

/** The first item of each id, in order (a valid batch repeats an id only with the same data). */
function firstOfEach<T>(items: readonly T[], idOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const id = idOf(item);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * True when an edge batch has a problem that shows without the stored graph: a vocabulary rule
 * broken, or an eid repeated with different data (as `edgeBatchProblems` judges them).
 */
function hasEdgeProblemsWithoutStore(batch: readonly GraphEdge[]): boolean {
  const first = new Map<string, GraphEdge>();
  return batch.some((item: unknown) => {
    if (!isRecord(item)) return true;
    const edge = item as unknown as GraphEdge;
    if (validateEdge(edge).length > 0) return true;
    const earlier = first.get(edge.eid);
    if (earlier === undefined) {
      first.set(edge.eid, edge);
      return false;
    }
    return !sameEdgeData(earlier, edge);
  });
}

/** Adds one answer of `endVertexProjection()` to `ends` (an id that is not a number: NaN). */
function addEndVertex(ends: Map<string, EndVertex>, answer: unknown): void {
  const vertex = toRecord(answer, 'edge end');
  ends.set(stringField(vertex, 'uid'), {
    id: typeof vertex.id === 'number' ? vertex.id : Number.NaN,
    label: stringField(vertex, 'label'),
  });
}

/**
 * A write request answered more than once for an item: its key was held by two elements,
 * created by another writer at the same instant (see "Two writers, one new key"). They have
 * been settled; the call is refused as a conflict, which callers run again.
 */
function raceMessage(operation: string): string {
  return `${operation}: another writer created an eid of this batch at the same moment, so it was stored twice; the copies have been merged into one. Run the batch again (upserts are idempotent)`;
}

/** A write request must answer once per item; fewer answers mean items were silently skipped. */
function assertAnsweredAll(answers: number, items: number, operation: string): void {
  if (answers !== items) {
    throw new JanusGraphQueryError(
      `${operation}: JanusGraph answered for ${answers} of ${items} items; the batch may be partly written, run it again (upserts are idempotent)`,
    );
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareAccountEvents(a: AccountEventRecord, b: AccountEventRecord): number {
  return (
    a.event.props.timestamp - b.event.props.timestamp ||
    compareStrings(a.event.uid, b.event.uid) ||
    compareStrings(a.accountId, b.accountId)
  );
}

function zeroCounts<L extends string>(labels: readonly L[]): Record<L, number> {
  return Object.fromEntries(labels.map((label) => [label, 0])) as Record<L, number>;
}

/** True when `value` can equal a stored value of `key` (a wrong type can never match). */
function matchesKeyType(key: string, value: string | number | boolean): boolean {
  switch (propertyTypeOf(key)) {
    case 'string':
      return typeof value === 'string';
    case 'long':
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'stringList':
    case undefined:
      return false;
  }
}

/** A failure the server's own checks raised (a refused write), not a lost connection. */
function isRefusal(error: unknown): boolean {
  return error instanceof JanusGraphQueryError || error instanceof ConflictError;
}

/**
 * The graph store on JanusGraph (Gremlin Server, bytecode traversals only, keyed by business ids).
 *
 * Round trips per call:
 * - `upsertVertices` / `upsertEdges`: one write request per `batchSize` distinct items, at most
 *   `writeConcurrency` in flight (see janusgraph.upserts.ts): each item is looked up once
 *   (`mergeV`/`mergeE` by uid/eid), created when missing, and answered with its stored state
 *   when found; the checks that need the stored graph (labels, edge ends) run inside the same
 *   request. Each request is one transaction: a failed check writes nothing of it. An edge
 *   request is preceded by one read of the ends it has not met before (uid -> vertex id and
 *   label, checked here; see `sendEdges`), so that the write looks up only the eids and takes
 *   its ends by vertex id. Found items
 *   whose props changed cost one more request per `batchSize` of them. Vertices found already
 *   stored, and those created by a write request slow enough to have been cut short
 *   (`SLOW_WRITE_SHARE`), are looked up in their mixed index afterwards (one read per batch
 *   that has some), and written again when the index lacks them; movements found already
 *   stored, and those created by a slow write request, are written again unchanged (one
 *   request per batch that has some). See `unindexedVertices` and `reindexMovements`.
 *   A call of more than `batchSize` items is first checked against the stored graph (one read
 *   per 1000 ids), so that a rejected call writes nothing. A refused request is explained by
 *   the same read: the BatchRejectedError lists every bad item. Writes are idempotent upserts,
 *   so a retried request cannot duplicate.
 * - every read: one traversal, computed server side (grouping, counting, ordering, limits);
 *   reads keyed by a list of ids (`getVertices`, `getEdges`, `getAccountEvents`, `getHolders`)
 *   send one per 1000 ids, in parallel.
 *
 * Two writers, one new key: two upserts of the same new uid (or eid) that run at the same
 * instant in two transactions can both create it. The unique `uid` index does not stop this on
 * BerkeleyDB JE at its default isolation (serializable isolation would, but then concurrent
 * writers of new uids wait on each other's index locks: loading ran at about a quarter of its
 * speed, docs/operations.md "Two writers, one new uid"), and `eid` has no unique index. So,
 * unless `settleNewKeys` is false, every upsert reads the keys it created once more (one read
 * per 1000 of them):
 *   - a vertex its uid's index does not name is an orphan (the index kept the other writer's
 *     vertex): it is merged into the indexed one, its edges written again there, in one
 *     transaction that fails, and is tried again, if the orphan gained edges meanwhile;
 *   - an eid held by two edges keeps the edge whose id comes first as text, the same choice for
 *     every writer; an upsert that finds such an eid settles it and is refused as a conflict,
 *     which ingest and the contract tests run again.
 * See janusgraph.upserts.ts, "Settling new keys".
 *
 * Indexes used (see @app/janusgraph schema): `byUid`/`byEid` for id lookups (also the start of
 * the account events and holders reads, which then follow the accounts' own edges), the
 * vertex-centric `transferredByTime` for account windows, the mixed `movementSearch` for global
 * windows, and the per-label mixed `<label>Search` indexes for listings by uid.
 */
export class JanusGraphGraphStore extends GraphStore implements OnApplicationShutdown {
  readonly backend = 'janusgraph' as const;

  private readonly batchSize: number;
  private readonly writeConcurrency: number;
  private readonly settleNewKeys: boolean;
  private readonly now: () => number;
  private readonly logger: Pick<Logger, 'warn'>;
  /** When each "operation label" last warned of stale index entries (see `liveRows`). */
  private readonly staleWarnedAt = new Map<string, number>();
  /** uid of each vertex id the movement reads met (see `readMovements`). */
  private readonly uidOfVertex: ServerIdCache<number, string>;
  /** Vertex id and label of each uid an edge write's end read, or a settle read, met. */
  private readonly endOfUid: ServerIdCache<string, EndVertex>;

  constructor(
    private readonly client: JanusGraphClient,
    private readonly options: JanusGraphGraphStoreOptions,
  ) {
    super();
    this.batchSize = Math.max(1, options.batchSize);
    this.writeConcurrency = Math.max(1, options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY);
    this.settleNewKeys = options.settleNewKeys ?? true;
    this.now = options.monotonicNow ?? (() => performance.now());
    this.logger = options.logger ?? new Logger(JanusGraphGraphStore.name);
    const epoch = (): number => this.client.connectionEpoch;
    this.uidOfVertex = new ServerIdCache(MAX_CACHED_UIDS, epoch);
    this.endOfUid = new ServerIdCache(MAX_CACHED_ENDS, epoch);
  }

  private get g() {
    return this.client.g;
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  async upsertVertices(batch: readonly GraphVertex[]): Promise<UpsertResult> {
    const result: UpsertResult = { created: 0, updated: 0, unchanged: 0 };
    if (batch.length === 0) return result;
    const check = (): Promise<void> => this.checkVertexBatch(batch);
    // A bad item the store is not needed to see: report it with every other problem, write nothing.
    if (vertexBatchProblems(batch, () => undefined).length > 0) await check();
    const unique = firstOfEach(batch, (vertex) => vertex.uid);
    result.unchanged += batch.length - unique.length;
    const parts = chunk(unique, this.batchSize);
    // Several requests are several transactions: check the whole call first, so that a
    // rejected call writes nothing. One request checks itself on the server.
    if (parts.length > 1) await check();
    /** Uids sent in write requests slow enough to have been cut short (see SLOW_WRITE_SHARE). */
    const sentSlowly = new Set<string>();
    const answers = await this.sendAll(
      parts.map((part) => () => this.writeVertices(part, sentSlowly)),
      'upsertVertices',
      check,
    );
    const sent = new Map(unique.map((vertex) => [vertex.uid, vertex]));
    const created: CreatedVertex[] = [];
    const found: { vertex: GraphVertex; stored: GraphVertex }[] = [];
    for (const answer of answers.map(readVertexAnswer)) {
      if ('created' in answer) {
        result.created += 1;
        created.push(answer.created);
        continue;
      }
      const written = sent.get(answer.found.uid);
      // An erased person or contact identifier stays erased (see keepErasure).
      const vertex = written === undefined ? undefined : keepErasure(written, answer.found);
      if (vertex === undefined || sameProps(answer.found.props, vertex.props)) {
        result.unchanged += 1;
        if (vertex !== undefined) found.push({ vertex, stored: answer.found });
      } else {
        found.push({ vertex, stored: answer.found });
        result.updated += 1;
      }
    }
    assertAnsweredAll(answers.length, unique.length, 'upsertVertices');
    if (this.settleNewKeys) await this.settleCreatedVertices(created);
    // Vertices created by a slow request are checked too: a write JanusGraph reported as done
    // can still lack its mixed-index half (a commit interrupted by Gremlin Server's evaluation
    // timeout, seen on Cassandra right after a crash, when lock and id claims were slow).
    const createdSlowly = created.flatMap(({ uid }) =>
      sentSlowly.has(uid) ? (sent.get(uid) ?? []) : [],
    );
    const unindexed = await this.unindexedVertices([
      ...found.map(({ vertex }) => vertex),
      ...createdSlowly,
    ]);
    const updates: GraphTraversal[] = [];
    for (const { vertex, stored } of found) {
      if (unindexed.has(vertex.uid)) {
        updates.push(this.rewriteVertex(vertex, stored));
      } else if (!sameProps(stored.props, vertex.props)) {
        updates.push(this.updateVertex(vertex, stored));
      }
    }
    for (const vertex of createdSlowly) {
      if (unindexed.has(vertex.uid)) updates.push(this.rewriteVertex(vertex, vertex));
    }
    await this.sendAll(this.combine(updates), 'upsertVertices');
    return result;
  }

  async upsertEdges(
    batch: readonly GraphEdge[],
    options?: UpsertEdgeOptions,
  ): Promise<UpsertResult> {
    const result: UpsertResult = { created: 0, updated: 0, unchanged: 0 };
    if (batch.length === 0) return result;
    const check = async (): Promise<void> => {
      await this.checkEdgeBatch(batch);
    };
    if (hasEdgeProblemsWithoutStore(batch)) await check();
    const unique = firstOfEach(batch, (edge) => edge.eid);
    result.unchanged += batch.length - unique.length;
    const parts = chunk(unique, this.batchSize);
    // The check of a call of several requests reads every end: the requests reuse that read.
    const ends = parts.length > 1 ? await this.checkEdgeBatch(batch) : undefined;
    /** Eids sent in write requests slow enough to have been cut short (see SLOW_WRITE_SHARE). */
    const sentSlowly = new Set<string>();
    const answers = await this.sendAll(
      parts.map((part) => () => this.writeEdges(part, ends, sentSlowly)),
      'upsertEdges',
      check,
    );
    if (answers.length > unique.length) {
      await this.settleEdges(unique.map((edge) => edge.eid));
      throw new ConflictError(raceMessage('upsertEdges'));
    }
    const sent = new Map(unique.map((edge) => [edge.eid, edge]));
    const updates: GraphTraversal[] = [];
    const created: string[] = [];
    const unchangedMovements: string[] = [];
    for (const answer of answers.map(readEdgeAnswer)) {
      if ('created' in answer) {
        result.created += 1;
        created.push(answer.created);
        continue;
      }
      const edge = sent.get(answer.found.eid);
      if (edge === undefined || sameProps(answer.found.props, edge.props)) {
        result.unchanged += 1;
        if (edge?.label === 'TRANSFERRED') unchangedMovements.push(edge.eid);
      } else if (options?.keepStored === true) {
        result.unchanged += 1;
        (result.kept ??= []).push(edge.eid);
        if (edge.label === 'TRANSFERRED') unchangedMovements.push(edge.eid);
      } else {
        updates.push(this.updateEdge(edge, answer.found));
        result.updated += 1;
      }
    }
    assertAnsweredAll(answers.length, unique.length, 'upsertEdges');
    if (this.settleNewKeys) await this.settleEdges(created);
    await this.sendAll(this.combine(updates), 'upsertEdges');
    const createdSlowly = created.filter(
      (eid) => sentSlowly.has(eid) && sent.get(eid)?.label === 'TRANSFERRED',
    );
    await this.reindexMovements([...unchangedMovements, ...createdSlowly]);
    return result;
  }

  /**
   * Writes again, unchanged, each movement an upsert found already stored, so that it is in the
   * mixed index even when an earlier write of it was cut short. JanusGraph commits a
   * transaction to the storage first and to the mixed (Lucene) index second, and only logs a
   * failure of the second step: a server killed between the two leaves the movement stored but
   * invisible to `scanMovements` (and so to the alert scan), and the writer's retry finds it by
   * eid and would change nothing. A first write costs nothing more, unless its request was slow
   * enough to have been cut short by the evaluation timeout (SLOW_WRITE_SHARE); a movement sent
   * again (a retry, a message delivered twice, the same file imported twice) costs one more
   * request per batch. Skipped without a mixed-index backend.
   */
  private async reindexMovements(eids: readonly string[]): Promise<void> {
    if (eids.length === 0 || this.client.mixedIndexBackend === NO_MIXED_INDEX_BACKEND) return;
    await this.sendAll(
      chunk(eids, this.batchSize).map((part) => reindexMovementsTraversal(this.g, part)),
      'upsertEdges',
    );
  }

  /**
   * The uids among `vertices` (just written by an upsert: found already stored, or created by a
   * slow write request) that their label's mixed index does not list. JanusGraph commits to the
   * storage first and to the mixed (Lucene) index second, and only logs a failure of the second
   * step: a server killed between the two, or a commit interrupted by Gremlin Server's
   * evaluation timeout, leaves the vertex found by uid but missing from listings and name
   * search, and neither a retry nor the writer (who may have been told it succeeded) would
   * change anything. A vertex created by a
   * request answered well within the timeout is not looked up: a kill mid-commit leaves its
   * writer without an answer, so it sends the vertex again and this finds it then. One read per
   * label and 1000 uids; none without a mixed-index backend. A vertex the index does not show
   * yet is written again too (the same values, only the cost is wasted): with Elasticsearch or
   * OpenSearch set `index.search.elasticsearch.bulk-refresh=wait_for` so writes show at once.
   */
  private async unindexedVertices(vertices: readonly GraphVertex[]): Promise<Set<string>> {
    const missing = new Set<string>();
    if (vertices.length === 0 || this.client.mixedIndexBackend === NO_MIXED_INDEX_BACKEND) {
      return missing;
    }
    const byLabel = new Map<string, string[]>();
    for (const vertex of vertices) {
      const uids = byLabel.get(vertex.label);
      if (uids === undefined) byLabel.set(vertex.label, [vertex.uid]);
      else uids.push(vertex.uid);
    }
    const reads = [...byLabel].flatMap(([label, uids]) =>
      chunk(uids, READ_CHUNK).map(async (part) => {
        const listed = await this.client.submit(mixedIndexedUidsTraversal(this.g, label, part), {
          operation: 'upsertVertices',
        });
        const indexed = new Set(listed.map(String));
        for (const uid of part) if (!indexed.has(uid)) missing.add(uid);
      }),
    );
    await Promise.all(reads);
    return missing;
  }

  /**
   * Writes `vertex` again whole: its uid and every one of its props (removing those it no longer
   * has), so that its label's mixed index gets a complete entry for it again.
   */
  private rewriteVertex(vertex: GraphVertex, existing: GraphVertex): GraphTraversal {
    const write = __.V().has('uid', vertex.uid).property(cardinality.single, 'uid', vertex.uid);
    return this.applyChanges(write, existing.props, vertex.props, true, true);
  }

  /**
   * Merges every vertex of `created` that its uid's index does not name (an orphan: another
   * writer created the same uid at the same instant, see the class) into the one it names.
   * Runs after every upsert that created vertices; public for repair tools and tests.
   */
  async settleCreatedVertices(created: readonly CreatedVertex[]): Promise<void> {
    if (created.length === 0) return;
    const indexed = await this.readEndVertices(created.map((vertex) => vertex.uid));
    for (const vertex of created) {
      const named = indexed.get(vertex.uid);
      // JanusGraph's vertex ids are numbers; anything else is not compared (never merged).
      const orphan =
        named !== undefined &&
        typeof vertex.id === 'number' &&
        Number.isFinite(named.id) &&
        named.id !== vertex.id;
      if (orphan) await this.mergeOrphanVertex({ ...vertex, survivor: named.id });
    }
  }

  /** Settles every eid among `eids` that more than one edge holds (see the class). */
  private async settleEdges(eids: readonly string[]): Promise<void> {
    if (eids.length === 0) return;
    const parts = await Promise.all(
      chunk(eids, READ_CHUNK).map((part) =>
        this.client.submit(duplicateEidsTraversal(this.g, part), { operation: 'upsertEdges' }),
      ),
    );
    for (const eid of parts.flat()) {
      if (typeof eid !== 'string') continue;
      await this.client.submit(dropExtraEdgesTraversal(this.g, eid), { operation: 'upsertEdges' });
    }
  }

  /**
   * Merges the orphan vertex `id` into the vertex its uid's index names: reads its edges, then
   * drops it and writes those edges again at the indexed vertex, in one transaction that fails
   * when the orphan gained edges in between (read and tried again, up to SETTLE_ATTEMPTS times).
   */
  private async mergeOrphanVertex(orphan: {
    id: unknown;
    uid: string;
    survivor: unknown;
  }): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const moved = (
        await this.client.submit(orphanEdgesTraversal(this.g, orphan.id), {
          operation: 'upsertVertices',
        })
      ).map(readEdge);
      try {
        const answers = await this.client.submit(
          mergeOrphanVertexTraversal(this.g, orphan, moved.length, moved.map(edgeRow)),
          { operation: 'upsertVertices' },
        );
        // Answers as an edge upsert: the eid of each edge written again (a string), else a map.
        await this.settleEdges(
          answers.filter((answer): answer is string => typeof answer === 'string'),
        );
        return;
      } catch (error) {
        if (attempt >= SETTLE_ATTEMPTS || !(error instanceof JanusGraphQueryError)) throw error;
      }
    }
  }

  /**
   * Writes one request of vertices; adds their uids to `sentSlowly` when it took at least
   * SLOW_WRITE_SHARE of the request timeout.
   */
  private async writeVertices(
    part: readonly GraphVertex[],
    sentSlowly: Set<string>,
  ): Promise<unknown[]> {
    const started = this.now();
    const answer = await this.client.submit(upsertVerticesTraversal(this.g, part.map(vertexRow)), {
      operation: 'upsertVertices',
      binary: true,
    });
    if (this.now() - started >= SLOW_WRITE_SHARE * this.client.requestTimeoutMs) {
      for (const vertex of part) sentSlowly.add(vertex.uid);
    }
    return answer;
  }

  /**
   * Writes one request of edges (their ends read first unless `known`); adds their eids to
   * `sentSlowly` when the write took at least SLOW_WRITE_SHARE of the request timeout.
   */
  private async writeEdges(
    part: readonly GraphEdge[],
    known: ReadonlyMap<string, EndVertex> | undefined,
    sentSlowly: Set<string>,
  ): Promise<unknown[]> {
    const started = this.now();
    const answer = await this.sendEdges(part, known);
    if (this.now() - started >= SLOW_WRITE_SHARE * this.client.requestTimeoutMs) {
      for (const edge of part) sentSlowly.add(edge.eid);
    }
    return answer;
  }

  /**
   * One edge write request: finds the ends of `part` (vertex id and label by uid), refuses the
   * part when an end is not stored or has a label the edge label does not allow (nothing is
   * written; `sendAll` explains it), then writes it with the ends given by vertex id, so that the
   * write looks up only the eids. `known`: the ends already read by the check of the whole call,
   * when there was one. Otherwise the ends come from `endOfUid` (filled by earlier end reads and
   * by the settle read of created vertices: in a load or an ingest the accounts were written
   * just before their movements) and the rest are read (one request per 1000 uids). A cached end
   * can be stale (its vertex dropped since, by another process's `clear()` for example): when
   * the part is refused with cached ends, they are forgotten and the part is tried once more
   * with every end read afresh.
   */
  private async sendEdges(
    part: readonly GraphEdge[],
    known: ReadonlyMap<string, EndVertex> | undefined,
  ): Promise<unknown[]> {
    if (known !== undefined) return this.sendEdgesWithEnds(part, known);
    const uids = endpointUidsOf(part);
    const ends = new Map<string, EndVertex>();
    const unread: string[] = [];
    for (const uid of uids) {
      const end = this.endOfUid.get(uid);
      if (end === undefined) unread.push(uid);
      else ends.set(uid, end);
    }
    if (ends.size === 0) return this.sendEdgesWithEnds(part, await this.readEndVertices(uids));
    if (unread.length > 0) {
      for (const [uid, end] of await this.readEndVertices(unread)) ends.set(uid, end);
      // An end read just now and not stored refuses the part as before (the ingest worker
      // holds such movements until their accounts arrive): no second read for it.
      if (unread.some((uid) => !ends.has(uid))) return this.sendEdgesWithEnds(part, ends);
    }
    try {
      return await this.sendEdgesWithEnds(part, ends);
    } catch (error) {
      if (!(error instanceof JanusGraphQueryError)) throw error;
      for (const uid of uids) this.endOfUid.delete(uid);
      return this.sendEdgesWithEnds(part, await this.readEndVertices(uids));
    }
  }

  /**
   * Writes `part` with its ends given by vertex id, after checking that each end is stored with
   * a label the edge label allows. Vertex ids the client cannot hold exactly (beyond 2^53) send
   * the part the way that looks its ends up by uid on the server instead.
   */
  private async sendEdgesWithEnds(
    part: readonly GraphEdge[],
    ends: ReadonlyMap<string, EndVertex>,
  ): Promise<unknown[]> {
    const rows: Map<unknown, unknown>[] = [];
    for (const edge of part) {
      const from = ends.get(edge.from);
      const to = ends.get(edge.to);
      const allowed = EDGE_ENDPOINTS[edge.label];
      if (
        from === undefined ||
        to === undefined ||
        !(allowed.from as readonly string[]).includes(from.label) ||
        !(allowed.to as readonly string[]).includes(to.label)
      ) {
        throw new JanusGraphQueryError(`upsertEdges: ${UPSERT_CHECK_FAILURES.unusableEnd}`);
      }
      if (!Number.isSafeInteger(from.id) || !Number.isSafeInteger(to.id)) {
        return this.client.submit(upsertEdgesTraversal(this.g, part.map(edgeRow)), {
          operation: 'upsertEdges',
          binary: true,
        });
      }
      rows.push(edgeRowByEndIds(edge, from, to));
    }
    return this.client.submit(upsertEdgesByEndIdsTraversal(this.g, rows), {
      operation: 'upsertEdges',
      binary: true,
    });
  }

  /** The stored vertices among `uids`: vertex id and label by uid. */
  private async readEndVertices(uids: readonly string[]): Promise<Map<string, EndVertex>> {
    const ends = new Map<string, EndVertex>();
    const parts = await Promise.all(
      chunk(uids, READ_CHUNK).map((part) =>
        this.client.submit(endVerticesTraversal(this.g, part), {
          operation: 'upsertEdges',
          binary: true,
        }),
      ),
    );
    for (const row of parts.flat()) addEndVertex(ends, row);
    for (const [uid, end] of ends) if (Number.isSafeInteger(end.id)) this.endOfUid.set(uid, end);
    return ends;
  }

  /** Sets the changed properties and removes those the new props leave out. */
  private updateVertex(vertex: GraphVertex, existing: GraphVertex): GraphTraversal {
    let write = __.V().has('uid', vertex.uid);
    write = this.applyChanges(write, existing.props, vertex.props, true);
    return write;
  }

  private updateEdge(edge: GraphEdge, existing: GraphEdge): GraphTraversal {
    return this.applyChanges(__.E().has('eid', edge.eid), existing.props, edge.props, false);
  }

  private applyChanges(
    write: GraphTraversal,
    before: object,
    after: object,
    vertex: boolean,
    everyProp = false,
  ): GraphTraversal {
    const old = normaliseProps(before) as Record<string, unknown>;
    const next = normaliseProps(after) as Record<string, unknown>;
    const removed = Object.keys(old).filter((key) => !(key in next));
    let result = write;
    if (removed.length > 0) result = result.sideEffect(__.properties(...removed).drop());
    for (const [key, value] of Object.entries(next)) {
      if (!everyProp && sameProps({ [key]: old[key] }, { [key]: value })) continue;
      const stored = encodeValue(key, value);
      result = vertex
        ? result.property(cardinality.single, key, stored)
        : result.property(key, stored);
    }
    return result;
  }

  /** Update writes `batchSize` per request: `g.inject(0).sideEffect(w1).sideEffect(w2)...`. */
  private combine(writes: readonly GraphTraversal[]): GraphTraversal[] {
    return chunk(writes, this.batchSize).map((part) =>
      part.reduce((traversal, write) => traversal.sideEffect(write), this.g.inject(0)),
    );
  }

  /**
   * Sends `requests` with at most `writeConcurrency` of them in flight and resolves to all their
   * answers. Each request is one transaction; a call of several is not atomic. After a failure
   * no new request is sent and the ones in flight are awaited. When the server refused a
   * request, `explain` looks at the stored graph and throws the BatchRejectedError that names
   * the bad items (a server-side check failed). When it finds nothing wrong, the graph changed
   * between the write and the look (an edge's missing end was written meanwhile, by another
   * writer): the requests not answered yet are sent once more, since every upsert can be
   * repeated. Any other failure, or a second refusal nothing explains, is thrown as it came.
   */
  private async sendAll(
    requests: readonly (GraphTraversal | (() => Promise<unknown[]>))[],
    operation: string,
    explain?: () => Promise<void>,
  ): Promise<unknown[]> {
    const answers: unknown[][] = [];
    const first = await this.sendUnanswered(requests, answers, operation);
    if (first === undefined) return answers.flat();
    if (!isRefusal(first.error) || explain === undefined) throw first.error;
    await explain();
    const second = await this.sendUnanswered(requests, answers, operation);
    if (second === undefined) return answers.flat();
    if (isRefusal(second.error)) await explain();
    throw second.error;
  }

  /**
   * Sends every request of `requests` that has no entry in `answers` yet, `writeConcurrency` at
   * a time, and stores each answer at the request's index. Answers the first failure, after the
   * requests in flight have ended; no new request is sent after it.
   */
  private async sendUnanswered(
    requests: readonly (GraphTraversal | (() => Promise<unknown[]>))[],
    answers: unknown[][],
    operation: string,
  ): Promise<{ error: unknown } | undefined> {
    const pending = requests.flatMap((_request, index) =>
      answers[index] === undefined ? [index] : [],
    );
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < pending.length) {
        const index = pending[next];
        next += 1;
        try {
          const request = requests[index];
          answers[index] =
            typeof request === 'function'
              ? await request()
              : await this.client.submit(request, { operation, binary: true });
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.writeConcurrency, pending.length) }, worker),
    );
    return failure;
  }

  /** Throws the BatchRejectedError listing every bad vertex, judged against the stored graph. */
  private async checkVertexBatch(batch: readonly GraphVertex[]): Promise<void> {
    const labels = await this.readVertexLabels(idsOf(batch, 'uid'), 'upsertVertices');
    assertValidVertexBatch(batch, (uid) => labels.get(uid));
  }

  /**
   * Throws the BatchRejectedError listing every bad edge, judged against the stored graph;
   * otherwise answers the stored end vertices it read (vertex id and label by uid).
   */
  private async checkEdgeBatch(batch: readonly GraphEdge[]): Promise<Map<string, EndVertex>> {
    const { edges, ends } = await this.readEdgeContext(idsOf(batch, 'eid'), endpointUidsOf(batch));
    assertValidEdgeBatch(
      batch,
      (uid) => ends.get(uid)?.label as VertexLabel | undefined,
      (eid) => edges.get(eid),
    );
    return ends;
  }

  private async readVertexMap(
    uids: readonly string[],
    operation: string,
  ): Promise<Map<string, GraphVertex>> {
    const found = new Map<string, GraphVertex>();
    const parts = await Promise.all(
      chunk(uids, READ_CHUNK).map((part) =>
        this.client.submit(this.g.V().has('uid', P.within(part)).map(vertexProjection()), {
          operation,
        }),
      ),
    );
    for (const rows of parts) {
      for (const row of rows) {
        const vertex = readVertex(row);
        found.set(vertex.uid, vertex);
      }
    }
    return found;
  }

  /** Labels of the stored vertices among `uids`, one round trip per `READ_CHUNK` (in parallel). */
  private async readVertexLabels(
    uids: readonly string[],
    operation: string,
  ): Promise<Map<string, VertexLabel>> {
    const labels = new Map<string, VertexLabel>();
    const parts = await Promise.all(
      chunk(uids, READ_CHUNK).map((part) =>
        this.client.submit(this.g.V().has('uid', P.within(part)).map(vertexLabelProjection()), {
          operation,
        }),
      ),
    );
    for (const row of parts.flat()) {
      const vertex = toRecord(row, 'vertex label');
      labels.set(stringField(vertex, 'uid'), stringField(vertex, 'label') as VertexLabel);
    }
    return labels;
  }

  /** Shapes of the stored edges among `eids` and labels of the stored vertices among `uids`. */
  private async readEdgeContext(
    eids: readonly string[],
    uids: readonly string[],
  ): Promise<{ edges: Map<string, StoredEdgeShape>; ends: Map<string, EndVertex> }> {
    const edges = new Map<string, StoredEdgeShape>();
    const ends = new Map<string, EndVertex>();
    const eidParts = chunk(eids, READ_CHUNK);
    const uidParts = chunk(uids, READ_CHUNK);
    const requests = Array.from(
      { length: Math.max(eidParts.length, uidParts.length) },
      (_unused, i) => {
        const eidPart = eidParts[i] ?? [];
        const uidPart = uidParts[i] ?? [];
        return this.client.submitOne(
          this.g
            .inject(0)
            .project('edges', 'vertices')
            .by(
              eidPart.length > 0
                ? __.E().has('eid', P.within(eidPart)).map(edgeShapeProjection()).fold()
                : __.constant([]),
            )
            .by(
              uidPart.length > 0
                ? __.V().has('uid', P.within(uidPart)).map(endVertexProjection()).fold()
                : __.constant([]),
            ),
          { operation: 'upsertEdges' },
        );
      },
    );
    for (const answer of await Promise.all(requests)) {
      const row = toRecord(answer, 'edge upsert lookup');
      for (const item of listOf(row.edges)) {
        const shape = readEdgeShape(item);
        edges.set(shape.eid, shape);
      }
      for (const item of listOf(row.vertices)) addEndVertex(ends, item);
    }
    return { edges, ends };
  }

  // -------------------------------------------------------------------------------------------
  // Point reads
  // -------------------------------------------------------------------------------------------

  async getVertex(uid: string): Promise<GraphVertex | undefined> {
    const row = await this.client.submitOne(this.g.V().has('uid', uid).map(vertexProjection()), {
      operation: 'getVertex',
    });
    return row === undefined ? undefined : readVertex(row);
  }

  /** Stored vertices among `uids`, in the order asked; unknown uids are left out, repeats once. */
  async getVertices(uids: readonly string[]): Promise<GraphVertex[]> {
    const wanted = [...new Set(uids)];
    if (wanted.length === 0) return [];
    const found = await this.readVertexMap(wanted, 'getVertices');
    return wanted.flatMap((uid) => {
      const vertex = found.get(uid);
      return vertex === undefined ? [] : [vertex];
    });
  }

  async getEdge(eid: string): Promise<GraphEdge | undefined> {
    const row = await this.client.submitOne(this.g.E().has('eid', eid).map(edgeProjection()), {
      operation: 'getEdge',
    });
    return row === undefined ? undefined : readEdge(row);
  }

  /**
   * Stored edges among `eids`, in the order asked; unknown eids are left out, repeats once.
   * One traversal (`byEid` with `within`) per `READ_CHUNK` eids, in parallel.
   */
  async getEdges(eids: readonly string[]): Promise<GraphEdge[]> {
    const wanted = [...new Set(eids)];
    if (wanted.length === 0) return [];
    const parts = await Promise.all(
      chunk(wanted, READ_CHUNK).map((part) =>
        this.client.submit(this.g.E().has('eid', P.within(part)).map(edgeProjection()), {
          operation: 'getEdges',
        }),
      ),
    );
    const found = new Map<string, GraphEdge>();
    for (const row of parts.flat()) {
      const edge = readEdge(row);
      found.set(edge.eid, edge);
    }
    return wanted.flatMap((eid) => {
      const edge = found.get(eid);
      return edge === undefined ? [] : [edge];
    });
  }

  // -------------------------------------------------------------------------------------------
  // Subgraphs
  // -------------------------------------------------------------------------------------------

  /**
   * Same answer as the memory store (nearest first, eid order within a hop, cut at `limit`),
   * in one round trip: the server returns at most `limit + 1` edges of each hop, ordered by eid,
   * each with its end vertices; the cut is made here.
   */
  async getNeighbourhood(query: NeighbourhoodQuery): Promise<Neighbourhood> {
    assertNeighbourhoodQuery(query);
    const labels = query.edgeLabels ? [...query.edgeLabels] : [];
    if (query.edgeLabels !== undefined && labels.length === 0) {
      const start = await this.getVertex(query.uid);
      if (start === undefined) throw new EntityNotFoundError('Vertex', query.uid);
      return { vertices: [start], edges: [], truncated: false };
    }
    const max = query.limit + 1;
    const hop1 = __.bothE(...labels)
      .dedup()
      .order()
      .by('eid')
      .limit(max)
      .map(edgeWithEndsProjection())
      .fold();
    const hop2 =
      query.depth >= 2
        ? __.bothE(...labels)
            .otherV()
            .not(__.has('uid', query.uid))
            .dedup()
            .bothE(...labels)
            .dedup()
            .not(__.bothV().has('uid', query.uid))
            .order()
            .by('eid')
            .limit(max)
            .map(edgeWithEndsProjection())
            .fold()
        : __.constant([]);
    const answer = await this.client.submitOne(
      this.g
        .V()
        .has('uid', query.uid)
        .project('start', 'hop1', 'hop2')
        .by(vertexProjection())
        .by(hop1)
        .by(hop2),
      { operation: 'getNeighbourhood' },
    );
    if (answer === undefined) throw new EntityNotFoundError('Vertex', query.uid);
    const row = toRecord(answer, 'neighbourhood');
    const first = listOf(row.hop1).map(readEdgeWithEnds);
    const second = listOf(row.hop2).map(readEdgeWithEnds);

    let truncated = false;
    let taken = first;
    if (first.length > query.limit) {
      taken = first.slice(0, query.limit);
      truncated = true;
    } else if (query.depth >= 2) {
      const room = query.limit - first.length;
      if (second.length > room) truncated = true;
      taken = [...first, ...second.slice(0, room)];
    }
    const vertices = new Map<string, GraphVertex>();
    const start = readVertex(row.start);
    vertices.set(start.uid, start);
    for (const item of taken) {
      for (const end of [item.from, item.to])
        if (!vertices.has(end.uid)) vertices.set(end.uid, end);
    }
    return { vertices: [...vertices.values()], edges: taken.map((item) => item.edge), truncated };
  }

  /**
   * One round trip: a breadth-first walk up OWNS/CONTROLS edges with a visited set (`vs`), at
   * most `maxDepth` hops, collecting every upstream edge (`es`) once, even inside cycles.
   */
  async getOwnershipSubgraph(companyUid: string, maxDepth: number): Promise<Subgraph> {
    assertOwnershipQuery(companyUid, maxDepth);
    const answer = await this.client.submitOne(
      this.g
        .V()
        .has('uid', companyUid)
        .aggregate('vs')
        .repeat(
          __.inE(...UPSTREAM)
            .aggregate('es')
            .outV()
            .where(P.without('vs'))
            .dedup()
            .aggregate('vs'),
        )
        .times(maxDepth)
        .fold()
        .project('vertices', 'edges')
        .by(__.select('vs').unfold().map(vertexProjection()).fold())
        .by(__.select('es').unfold().dedup().map(edgeProjection()).fold()),
      { operation: 'getOwnershipSubgraph' },
    );
    const row = toRecord(answer, 'ownership subgraph');
    const vertices = listOf(row.vertices).map(readVertex);
    const start = vertices.find((vertex) => vertex.uid === companyUid);
    if (start === undefined) throw new EntityNotFoundError('Company', companyUid);
    if (start.label !== 'Company') {
      throw new InvalidInputError(`getOwnershipSubgraph: "${companyUid}" is a ${start.label}`, [
        { field: 'companyUid', rule: `must be the uid of a Company (it is a ${start.label})` },
      ]);
    }
    return {
      vertices: vertices.sort((a, b) => compareStrings(a.uid, b.uid)),
      edges: listOf(row.edges)
        .map(readEdge)
        .sort((a, b) => compareStrings(a.eid, b.eid)),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Movements
  // -------------------------------------------------------------------------------------------

  /** Uses the vertex-centric `transferredByTime` index: only edges in the window are read. */
  async getMovements(query: MovementQuery): Promise<Movement[]> {
    assertMovementQuery(query);
    const accounts = [...new Set(query.accountIds)];
    if (accounts.length === 0 || query.from >= query.to) return [];
    const accountVertices = this.g.V().has('uid', P.within(accounts));
    const edges =
      query.direction === 'out'
        ? accountVertices.outE('TRANSFERRED')
        : query.direction === 'in'
          ? accountVertices.inE('TRANSFERRED')
          : accountVertices.bothE('TRANSFERRED');
    let traversal = edges
      .has('timestamp', P.between(query.from, query.to))
      .dedup()
      .order()
      .by('timestamp')
      .by('eid');
    if (query.limit !== undefined) traversal = traversal.limit(query.limit);
    return this.readMovements(traversal, 'getMovements');
  }

  /**
   * Uses the mixed `movementSearch` index, which answers "window, ordered by timestamp then
   * eid, first n" itself. Resuming after a movement is two index queries in one request: the
   * rest of the `after` millisecond (eid greater than after's) and everything later.
   */
  async scanMovements(query: MovementWindowQuery): Promise<Movement[]> {
    assertMovementWindowQuery(query);
    const after = query.after;
    if (query.from >= query.to || (after !== undefined && after.timestamp >= query.to)) return [];
    const window = (start: GraphTraversal, from: number, to: number): GraphTraversal => {
      let traversal = start.has('timestamp', P.between(from, to)).hasLabel('TRANSFERRED');
      if (query.channels !== undefined)
        traversal = traversal.has('channel', P.within([...query.channels]));
      return traversal;
    };
    let traversal: GraphTraversal;
    if (after === undefined || after.timestamp < query.from) {
      traversal = window(this.g.E(), query.from, query.to)
        .order()
        .by('timestamp')
        .by('eid')
        .limit(query.limit);
    } else {
      const sameInstant = window(__.E(), after.timestamp, after.timestamp + 1)
        .has('eid', P.gt(after.movementId))
        .order()
        .by('eid')
        .limit(query.limit);
      const later =
        after.timestamp + 1 < query.to
          ? window(__.E(), after.timestamp + 1, query.to)
              .order()
              .by('timestamp')
              .by('eid')
              .limit(query.limit)
          : __.constant([]).unfold();
      traversal = this.g
        .inject(0)
        .union(sameInstant, later)
        .order()
        .by('timestamp')
        .by('eid')
        .limit(query.limit);
    }
    return this.readMovements(traversal, 'scanMovements');
  }

  /**
   * The movements of a traversal of TRANSFERRED edges, in its order. Each edge comes with its
   * ends' vertex ids, which it holds itself; reading the ends' uids from the edge would read both
   * end vertices of every movement from the storage (on Cassandra, about a third of a page's
   * time). Instead the uids of ids not seen before are read once, in one more request, and kept:
   * a vertex id names one vertex for the life of the graph, and a vertex's uid never changes.
   * The cache is dropped when a connection to the server closes (it may come back on other
   * data) and by `clear()`. A movement whose end vanished between the two requests (deleted
   * with its vertex) is left out.
   */
  private async readMovements(traversal: GraphTraversal, operation: string): Promise<Movement[]> {
    const rows = (await this.client.submit(traversal.map(movementProjection()), { operation })).map(
      readMovementRow,
    );
    const uids = await this.uidsOfEnds(rows, operation);
    const movements: Movement[] = [];
    for (const row of rows) {
      const fromAccount = uids.get(row.fromId);
      const toAccount = uids.get(row.toId);
      if (fromAccount === undefined || toAccount === undefined) continue;
      movements.push({ ...row.rest, fromAccount, toAccount });
    }
    return movements;
  }

  /**
   * The uid of every end vertex of the rows: from the cache, the rest read (and then kept; the
   * oldest entries leave first when the cache is full).
   */
  private async uidsOfEnds(
    rows: readonly MovementRow[],
    operation: string,
  ): Promise<Map<number, string>> {
    const uids = new Map<number, string>();
    const unknown = new Set<number>();
    for (const row of rows) {
      for (const id of [row.fromId, row.toId]) {
        if (uids.has(id) || unknown.has(id)) continue;
        const cached = this.uidOfVertex.get(id);
        if (cached === undefined) unknown.add(id);
        else uids.set(id, cached);
      }
    }
    if (unknown.size === 0) return uids;
    const parts = await Promise.all(
      chunk([...unknown], READ_CHUNK).map((ids) =>
        this.client.submit(vertexUidsTraversal(this.g, ids), { operation }),
      ),
    );
    for (const row of parts.flat()) {
      const { id, uid } = readVertexUid(row);
      uids.set(id, uid);
      this.uidOfVertex.set(id, uid);
    }
    return uids;
  }

  // -------------------------------------------------------------------------------------------
  // Account events and holders
  // -------------------------------------------------------------------------------------------

  /**
   * One round trip per `READ_CHUNK` accounts (in parallel): accounts by `byUid`, their
   * HAS_EVENT targets filtered by timestamp, ordered and cut at `limit` by the server. The
   * chunks' answers are merged and cut again here.
   */
  async getAccountEvents(query: AccountEventQuery): Promise<AccountEventRecord[]> {
    assertAccountEventQuery(query);
    const accounts = [...new Set(query.accountIds)];
    if (accounts.length === 0 || query.from >= query.to) return [];
    const parts = await Promise.all(
      chunk(accounts, READ_CHUNK).map((part) => {
        let traversal = this.g
          .V()
          .has('uid', P.within(part))
          .as('account')
          // Per account, so that an event reached twice from one account counts once.
          .local(
            __.out('HAS_EVENT')
              .hasLabel('Event')
              .has('timestamp', P.between(query.from, query.to))
              .dedup(),
          )
          .order()
          .by('timestamp')
          .by('uid')
          .by(__.select('account').values('uid'));
        if (query.limit !== undefined) traversal = traversal.limit(query.limit);
        return this.client.submit(traversal.map(accountEventProjection('account')), {
          operation: 'getAccountEvents',
        });
      }),
    );
    const found = parts.flat().map(readAccountEvent).sort(compareAccountEvents);
    return query.limit === undefined ? found : found.slice(0, query.limit);
  }

  /** One round trip per `READ_CHUNK` accounts (in parallel): accounts by `byUid`, then in('HOLDS'). */
  async getHolders(accountIds: readonly string[]): Promise<AccountHolders[]> {
    assertHoldersQuery(accountIds);
    const accounts = [...new Set(accountIds)];
    if (accounts.length === 0) return [];
    const parts = await Promise.all(
      chunk(accounts, READ_CHUNK).map((part) =>
        this.client.submit(this.g.V().has('uid', P.within(part)).map(holdersProjection()), {
          operation: 'getHolders',
        }),
      ),
    );
    const found = new Map<string, string[]>();
    for (const row of parts.flat()) {
      const holders = readHolders(row);
      found.set(holders.accountId, holders.holderUids.sort(compareStrings));
    }
    return accounts.map((accountId) => ({ accountId, holderUids: found.get(accountId) ?? [] }));
  }

  /**
   * Computed by the server: movements of the window (mixed index) grouped by the account on
   * the chosen side; counterparties are distinct accounts on the other side, self-transfers
   * excluded. Only the candidates travel back.
   */
  async selectFanCandidates(query: FanCandidateQuery): Promise<FanCandidate[]> {
    assertFanCandidateQuery(query);
    if (query.from >= query.to) return [];
    const self = query.direction === 'out' ? __.outV() : __.inV();
    const other = query.direction === 'out' ? __.inV() : __.outV();
    const rows = await this.client.submit(
      this.g
        .E()
        .has('timestamp', P.between(query.from, query.to))
        .hasLabel('TRANSFERRED')
        // Grouped by vertex, not by uid: uids are read only for the accounts that qualify.
        .group()
        .by(self)
        .by(other.fold())
        .unfold()
        .where(__.select(column.values).count(scope.local).is(P.gte(query.minCounterparties)))
        .as('entry')
        .select(column.keys)
        .as('account')
        .select('entry')
        .project('accountId', 'movements', 'counterparties')
        .by(__.select(column.keys).values('uid'))
        .by(__.select(column.values).count(scope.local))
        .by(__.select(column.values).unfold().dedup().where(P.neq('account')).count())
        .where(__.select('counterparties').is(P.gte(query.minCounterparties)))
        .order()
        .by(__.select('counterparties'), order.desc)
        .by(__.select('accountId'), order.asc)
        .limit(query.limit),
      { operation: 'selectFanCandidates' },
    );
    return rows.map((value) => {
      const row = toRecord(value, 'fan candidate');
      return {
        accountId: stringField(row, 'accountId'),
        counterparties: numberField(row, 'counterparties'),
        movements: numberField(row, 'movements'),
      };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Shared identifiers
  // -------------------------------------------------------------------------------------------

  /**
   * Computed by the server: for each identifier, at most `hubCap + 1` distinct accounts are
   * read (enough to know it is a hub), and only identifiers with 2..hubCap accounts come back.
   */
  async findSharedIdentifiers(query: SharedIdentifierQuery): Promise<SharedIdentifier[]> {
    assertSharedIdentifierQuery(query);
    if (query.kinds !== undefined && query.kinds.length === 0) return [];
    let identifiers: GraphTraversal;
    if (query.accountIds !== undefined) {
      const accounts = [...new Set(query.accountIds)];
      if (accounts.length === 0) return [];
      identifiers = this.g
        .V()
        .has('uid', P.within(accounts))
        .out('USES')
        .hasLabel('Identifier')
        .dedup();
    } else {
      // `uid >= ''` holds for every vertex; it lets the label's mixed index list Identifiers.
      identifiers = this.g.V().hasLabel('Identifier').has('uid', P.gte(''));
    }
    if (query.kinds !== undefined)
      identifiers = identifiers.has('kind', P.within([...query.kinds]));
    const rows = await this.client.submit(
      identifiers
        // Sharers are counted as vertices first; uids are read only for identifiers that qualify.
        .project('identifier', 'accounts')
        .by(__.identity())
        .by(
          __.in_('USES')
            .dedup()
            .limit(query.hubCap + 1)
            .fold(),
        )
        .where(
          __.select('accounts')
            .count(scope.local)
            .is(P.between(2, query.hubCap + 1)),
        )
        .project('identifierUid', 'kind', 'accountIds')
        .by(__.select('identifier').values('uid'))
        .by(__.select('identifier').values('kind'))
        .by(__.select('accounts').unfold().values('uid').fold())
        .order()
        .by(__.select('identifierUid')),
      { operation: 'findSharedIdentifiers' },
    );
    return rows.map((value) => {
      const row = toRecord(value, 'shared identifier');
      const accountIds = (Array.isArray(row.accountIds) ? row.accountIds : [])
        .filter((id): id is string => typeof id === 'string')
        .sort(compareStrings);
      return {
        identifierUid: stringField(row, 'identifierUid'),
        kind: stringField(row, 'kind') as IdentifierKind,
        accountIds,
      };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Listing, counts, health, reset
  // -------------------------------------------------------------------------------------------

  /** Keyset paging by uid, answered by the label's mixed index (filter, order and limit). */
  async listVertices(request: PageRequest): Promise<Page<GraphVertex>> {
    assertPageRequest(request);
    const afterUid =
      request.cursor === undefined ? undefined : decodeUidCursor(request.label, request.cursor);
    const where = Object.entries(request.where ?? {});
    if (where.some(([key, value]) => !matchesKeyType(key, value))) return { items: [] };
    const read = (rows: number) => {
      let traversal = this.g
        .V()
        .hasLabel(request.label)
        .has('uid', afterUid === undefined ? P.gte('') : P.gt(afterUid));
      for (const [key, value] of where) traversal = traversal.has(key, value);
      if (request.without !== undefined) traversal = traversal.hasNot(request.without);
      return this.client.submit(traversal.order().by('uid').limit(rows).map(vertexProjection()), {
        operation: 'listVertices',
      });
    };
    const { items, more } = await this.livePage(request.label, 'listVertices', request.limit, read);
    const last = items[items.length - 1];
    return more && last !== undefined
      ? { items, nextCursor: encodeUidCursor(request.label, last.uid) }
      : { items };
  }

  /**
   * One page of a listing read by `read(rows)` (at most `rows` rows, in the listing's order),
   * without stale index rows (`liveRows`). A page whose rows are all stale is read again with
   * four times as many rows, up to MOST_ROWS_PAST_STALE, so that the listing can go on past
   * them: they give no cursor. `more`: rows may follow the page's last item.
   */
  private async livePage(
    label: string,
    operation: string,
    limit: number,
    read: (rows: number) => Promise<unknown[]>,
  ): Promise<{ items: GraphVertex[]; more: boolean }> {
    let asked = limit + 1;
    for (;;) {
      const rows = await read(asked);
      const live = this.liveRows(rows, label, operation);
      const full = rows.length >= asked;
      if (live.length > 0 || !full || asked >= MOST_ROWS_PAST_STALE) {
        return { items: live.slice(0, limit).map(readVertex), more: full || live.length > limit };
      }
      asked = Math.min(asked * 4, MOST_ROWS_PAST_STALE);
    }
  }

  /**
   * One traversal: the label's vertices having the property (and the equality filters), after
   * the cursor's (value, uid) in the listing's order, ordered and limited by the server (by
   * Lucene when the label's mixed index holds the property, as `alertSearch` holds `score` and
   * `createdAt`).
   */
  async listVerticesOrdered(request: OrderedPageRequest): Promise<Page<GraphVertex>> {
    assertOrderedPageRequest(request);
    const after =
      request.cursor === undefined ? undefined : decodeOrderedCursor(request, request.cursor);
    const where = Object.entries(request.where ?? {});
    if (where.some(([key, value]) => !matchesKeyType(key, value))) return { items: [] };
    const read = (rows: number) => {
      let traversal = this.g.V().hasLabel(request.label).has(request.orderBy);
      for (const [key, value] of where) traversal = traversal.has(key, value);
      if (request.without !== undefined) traversal = traversal.hasNot(request.without);
      if (after !== undefined) {
        const beyond = request.direction === 'asc' ? P.gt(after.value) : P.lt(after.value);
        traversal = traversal.or(
          __.has(request.orderBy, beyond),
          __.has(request.orderBy, after.value).has('uid', P.gt(after.uid)),
        );
      }
      return this.client.submit(
        traversal
          .order()
          .by(request.orderBy, request.direction === 'asc' ? order.asc : order.desc)
          .by('uid', order.asc)
          .limit(rows)
          .map(vertexProjection()),
        { operation: 'listVerticesOrdered' },
      );
    };
    const { items, more } = await this.livePage(
      request.label,
      'listVerticesOrdered',
      request.limit,
      read,
    );
    const last = items[items.length - 1];
    if (!more || last === undefined) return { items };
    const value = (last.props as unknown as Readonly<Record<string, unknown>>)[request.orderBy];
    return typeof value === 'number'
      ? { items, nextCursor: encodeOrderedCursor(request, { value, uid: last.uid }) }
      : { items };
  }

  /**
   * The name matches come from the label's mixed index (`name` is indexed as text): one
   * `textContainsPrefix` clause per word, and the uid range and order, so the index answers the
   * page without reading other vertices. The exact-uid vertex is one unique-index lookup, on the
   * first page only.
   */
  async searchByName(request: NameSearchRequest): Promise<Page<GraphVertex>> {
    assertNameSearchRequest(request);
    const words = searchWords(request.text);
    const afterUid =
      request.cursor === undefined ? undefined : decodeUidCursor(request.label, request.cursor);
    let matches: GraphVertex[] = [];
    if (words.length > 0) {
      let query = this.g.V().hasLabel(request.label);
      for (const word of words) query = query.has('name', textContainsPrefix(word));
      const rows = await this.client.submit(
        query
          .has('uid', afterUid === undefined ? P.gte('') : P.gt(afterUid))
          .order()
          .by('uid', order.asc)
          .limit(nameMatchesToRead(request))
          .map(vertexProjection()),
        { operation: 'searchByName' },
      );
      matches = this.liveRows(rows, request.label, 'searchByName').map(readVertex);
    }
    let exact: GraphVertex | undefined;
    if (request.cursor === undefined) {
      const found = await this.getVertex(searchUid(request.text));
      exact = found?.label === request.label ? found : undefined;
    }
    return nameSearchPage(request, exact, matches);
  }

  /**
   * `rows` (of `vertexProjection()`) without the stale mixed-index entries among them, with a
   * warning that says how to remove them (at most once a minute per operation and label). A
   * page that held one has fewer items, and its cursor still follows the last real vertex, so
   * paging goes on past it.
   */
  private liveRows(rows: readonly unknown[], label: string, operation: string): unknown[] {
    const live = rows.filter((row) => !isStaleIndexRow(row));
    const stale = rows.length - live.length;
    if (stale === 0) return live;
    const key = `${operation} ${label}`;
    const now = this.now();
    const last = this.staleWarnedAt.get(key);
    if (last === undefined || now - last >= STALE_WARNING_INTERVAL_MS) {
      this.staleWarnedAt.set(key, now);
      this.logger.warn(
        `${operation}: the ${label} mixed index lists ${stale} vertex(es) the storage no longer holds ` +
          '(stale index entries, left by a drop cut short); they are left out of the answer. ' +
          `Remove them with: npm run graph:remove-stale-index-entries -- ${label} ` +
          '(docs/operations.md, "A drop cut short leaves entries in the mixed index"; ' +
          'this warning comes at most once a minute)',
      );
    }
    return live;
  }

  /** One traversal; it reads every element (JanusGraph keeps no counters). */
  async counts(): Promise<GraphCounts> {
    const answer = await this.client.submitOne(
      this.g
        .inject(0)
        .project('vertices', 'edges')
        .by(__.V().groupCount().by(t.label))
        .by(__.E().groupCount().by(t.label)),
      { operation: 'counts' },
    );
    const row = toRecord(answer, 'counts');
    const vertices = zeroCounts(VERTEX_LABELS);
    const edges = zeroCounts(EDGE_LABELS);
    const countsOf = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
    for (const [label, count] of Object.entries(countsOf(row.vertices))) {
      if (label in vertices && typeof count === 'number') vertices[label as VertexLabel] = count;
    }
    for (const [label, count] of Object.entries(countsOf(row.edges))) {
      if (label in edges && typeof count === 'number') edges[label as EdgeLabel] = count;
    }
    return { vertices, edges };
  }

  /**
   * Ready to serve: the server answers AND the graph's schema is complete (keys, labels, every
   * index ENABLED). One round trip per call: a schema check at most every few seconds, a plain
   * ping in between (see `SchemaReadiness`). An incomplete schema throws
   * `GraphSchemaNotReadyError`, whose message says what is missing and what to run.
   */
  ping(): Promise<void> {
    return this.readiness().assertReady();
  }

  /**
   * Drops every vertex (and so every edge), in transactions sized to stay well within the
   * request timeout (see `CLEAR_FIRST_CHUNK`); keeps the schema.
   */
  async clear(): Promise<void> {
    this.uidOfVertex.clear();
    this.endOfUid.clear();
    const aimMs = CLEAR_TIME_SHARE * this.client.requestTimeoutMs;
    let size = CLEAR_FIRST_CHUNK;
    for (;;) {
      const started = this.now();
      const dropped = await this.client.submitOne(
        this.g.V().limit(size).sideEffect(__.drop()).count(),
        { operation: 'clear' },
      );
      if (typeof dropped !== 'number' || dropped < size) return;
      const tookMs = this.now() - started;
      const fitting = tookMs > 0 ? Math.floor((size * aimMs) / tookMs) : CLEAR_MAX_CHUNK;
      size = Math.max(CLEAR_MIN_CHUNK, Math.min(CLEAR_MAX_CHUNK, 2 * size, fitting));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.options.ownsClient === true) await this.client.close();
  }

  // -------------------------------------------------------------------------------------------
  // Schema readiness (used by `ping`)
  // -------------------------------------------------------------------------------------------

  private schemaReadiness: SchemaReadiness | undefined;

  /** The schema verdict cache of this store's connection, made on first use. */
  private readiness(): SchemaReadiness {
    this.schemaReadiness ??= new SchemaReadiness(this.client);
    return this.schemaReadiness;
  }
}
