import {
  __,
  cardinality,
  column,
  direction,
  encodeProps,
  GraphTraversal,
  GraphTraversalSource,
  merge,
  operator,
  P,
  scope,
  t,
} from '@app/janusgraph';
import { EDGE_ENDPOINTS } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { edgeProjection, readEdge, readVertex, vertexProjection } from './janusgraph.traversals';

/*
 * The write requests of the JanusGraph adapter's upserts.
 *
 * One request carries up to `batchSize` items as ONE list argument, `inject(rows).unfold()`,
 * so its bytecode has the same dozen steps whatever the batch size, and Gremlin Server runs it
 * as one transaction. For each item:
 *
 * - `mergeV` / `mergeE` finds it by its business id (`uid` / `eid`): one index lookup;
 * - a missing item is created with all its props (`Merge.onCreate`) and its id is recorded in
 *   the `created` side effect; the answer for it is its id (a string);
 * - a found item is left as it is and the answer is its stored state (a map), so that the
 *   caller can count it as unchanged or updated and send only the changes;
 * - what can only be checked against the stored graph is checked on the server, and a failed
 *   check fails the whole request with `fail()`, so nothing of it is written: a uid stored
 *   under another label; an eid stored with another label or other ends; an edge end that is
 *   not stored, or whose label the edge label does not allow at that end.
 *
 * The store writes edges with `upsertEdgesByEndIdsTraversal`: it reads the ends first and
 * checks their labels itself, so the write request takes the ends by vertex id instead of two
 * nested lookups per edge (in the graph-load benchmark this cut the CPU of an edge by about a
 * quarter). `upsertEdgesTraversal`, which looks the ends up by uid on the server, is kept for
 * vertex ids the client cannot hold exactly.
 *
 * Every value travels as data (GraphSON arguments), never as script text.
 */

/** Side effect that collects the ids of the items a request created. */
const CREATED = 'created';

/** The messages of the server-side checks (the caller turns them into a BatchRejectedError). */
export const UPSERT_CHECK_FAILURES = {
  vertexLabel: 'a uid of this request is stored under another label; nothing was written',
  edgeShape:
    'an eid of this request is stored with another label or other ends; nothing was written',
  missingEnd: 'an end vertex of an edge in this request is not stored; nothing was written',
  endLabel:
    'an end vertex of an edge in this request has a label the edge label does not allow; nothing was written',
  unusableEnd:
    'an end vertex of an edge in this request is not stored, or has a label the edge label does not allow; nothing was written',
} as const;

type Row = Map<unknown, unknown>;

/**
 * The rows of a write request, one traverser each, labelled `row`; created keys collect in
 * CREATED. `before`, when given, runs first, once, in the same transaction.
 */
function requestRows(g: GraphTraversalSource, rows: readonly Row[], before?: GraphTraversal) {
  const start = g.withSideEffect(CREATED, [], operator.addAll);
  if (before === undefined)
    return start
      .inject([...rows])
      .unfold()
      .as('row');
  return start
    .inject(0)
    .sideEffect(before)
    .constant([...rows])
    .unfold()
    .as('row');
}

/** The `onCreate` option of a merge: notes the row's key as created, then creates `create`. */
function recordCreated(key: 'uid' | 'eid'): GraphTraversal {
  return __.sideEffect(__.select(key).aggregate(scope.local, CREATED)).select('create');
}

/** True for a row whose element this request created (rather than found). */
function createdByThisRequest(key: 'uid' | 'eid'): GraphTraversal {
  return __.select('row').select(key).where(P.within(CREATED));
}

/** One vertex as the server needs it: its uid, its label and what to create. */
export function vertexRow(vertex: GraphVertex): Row {
  return new Map<unknown, unknown>([
    ['uid', vertex.uid],
    ['label', vertex.label],
    ['match', new Map([['uid', vertex.uid]])],
    ['create', new Map<unknown, unknown>([[t.label, vertex.label], ...encodeProps(vertex.props)])],
  ]);
}

/**
 * Finds or creates every vertex of `rows` (see the file header). Answers, per row, the uid and
 * vertex id of a created vertex (`{ created, id }`) or the `vertexProjection()` of a found one.
 */
export function upsertVerticesTraversal(g: GraphTraversalSource, rows: readonly Row[]) {
  return requestRows(g, rows)
    .mergeV(__.select('match'))
    .option(merge.onCreate, recordCreated('uid'))
    .choose(
      createdByThisRequest('uid'),
      __.project('created', 'id').by(__.select('row').select('uid')).by(__.id()),
      __.choose(
        __.label().where(P.neq('row')).by().by(__.select('label')),
        __.fail(UPSERT_CHECK_FAILURES.vertexLabel),
        vertexProjection(),
      ),
    );
}

/** What every edge row starts with: its eid, its shape (label and end uids) and its match. */
function edgeRowHead(edge: GraphEdge): [unknown, unknown][] {
  return [
    ['eid', edge.eid],
    [
      'shape',
      new Map([
        ['label', edge.label],
        ['from', edge.from],
        ['to', edge.to],
      ]),
    ],
    ['match', new Map([['eid', edge.eid]])],
  ];
}

/** What `mergeE` creates for a missing edge: label, ends (`outV`/`inV` given) and props. */
function edgeCreate(edge: GraphEdge, outV: unknown, inV: unknown): [unknown, unknown] {
  return [
    'create',
    new Map<unknown, unknown>([
      [t.label, edge.label],
      [direction.out, outV],
      [direction.in, inV],
      ...encodeProps(edge.props),
    ]),
  ];
}

/** One edge as the server needs it: its eid, its shape, the labels its ends may have. */
export function edgeRow(edge: GraphEdge): Row {
  const ends = EDGE_ENDPOINTS[edge.label];
  return new Map<unknown, unknown>([
    ...edgeRowHead(edge),
    ['from', new Map([['uid', edge.from]])],
    ['to', new Map([['uid', edge.to]])],
    ['fromLabels', [...ends.from]],
    ['toLabels', [...ends.to]],
    edgeCreate(edge, merge.outV, merge.inV),
  ]);
}

/** The stored end vertex named by the row's `end` map; a missing one fails the request. */
function existingEnd(end: 'from' | 'to'): GraphTraversal {
  return __.mergeV(__.select(end)).option(
    merge.onCreate,
    __.fail(UPSERT_CHECK_FAILURES.missingEnd),
  );
}

/**
 * Finds or creates every edge of `rows` (see the file header). Answers, per row, the eid of a
 * created edge or the `edgeProjection()` of a found one.
 */
export function upsertEdgesTraversal(
  g: GraphTraversalSource,
  rows: readonly Row[],
  before?: GraphTraversal,
) {
  return requestRows(g, rows, before)
    .mergeE(__.select('match'))
    .option(merge.onCreate, recordCreated('eid'))
    .option(merge.outV, existingEnd('from'))
    .option(merge.inV, existingEnd('to'))
    .choose(
      createdByThisRequest('eid'),
      __.choose(
        __.and(
          __.outV().label().where(P.within('row')).by().by(__.select('fromLabels')),
          __.inV().label().where(P.within('row')).by().by(__.select('toLabels')),
        ),
        __.select('row').select('eid'),
        __.fail(UPSERT_CHECK_FAILURES.endLabel),
      ),
      foundEdgeAnswer(),
    );
}

/**
 * The stored vertices among `uids` with their JanusGraph vertex id and label: the read that
 * resolves the ends of an edge request before it is written (see `upsertEdgesByEndIdsTraversal`).
 */
export function endVerticesTraversal(g: GraphTraversalSource, uids: readonly string[]) {
  return g
    .V()
    .has('uid', P.within([...uids]))
    .map(endVertexProjection());
}

/** A vertex as an edge end: uid, JanusGraph vertex id, label. */
export function endVertexProjection(): GraphTraversal {
  return __.project('uid', 'id', 'label').by(__.values('uid')).by(__.id()).by(__.label());
}

/** One stored end vertex: its JanusGraph id (a safe integer) and its label. */
export interface EndVertex {
  id: number;
  label: string;
}

/**
 * One edge whose ends are already resolved to vertex ids, as `upsertEdgesByEndIdsTraversal`
 * needs it: its eid, its shape and what to create, the ends given by id.
 */
export function edgeRowByEndIds(edge: GraphEdge, from: EndVertex, to: EndVertex): Row {
  return new Map<unknown, unknown>([...edgeRowHead(edge), edgeCreate(edge, from.id, to.id)]);
}

/**
 * Finds or creates every edge of `rows` (built by `edgeRowByEndIds`), like
 * `upsertEdgesTraversal` but with the ends given by vertex id: the caller has read the ends
 * (`endVerticesTraversal`) and checked that they are stored with allowed labels, so the
 * request looks up nothing but the eid. A vertex label never changes and a uid names one vertex
 * (the unique `byUid` index), so what the caller read still holds when the request runs; an
 * end vertex deleted in between makes the server refuse the request (nothing is written).
 * Found edges get the same shape check and answer as in `upsertEdgesTraversal`.
 */
export function upsertEdgesByEndIdsTraversal(g: GraphTraversalSource, rows: readonly Row[]) {
  return requestRows(g, rows)
    .mergeE(__.select('match'))
    .option(merge.onCreate, recordCreated('eid'))
    .choose(createdByThisRequest('eid'), __.select('row').select('eid'), foundEdgeAnswer());
}

/** A found edge: its `edgeProjection()`, or a failed request when its label or ends differ. */
function foundEdgeAnswer(): GraphTraversal {
  return __.choose(
    __.project('label', 'from', 'to')
      .by(__.label())
      .by(__.outV().values('uid'))
      .by(__.inV().values('uid'))
      .where(P.neq('row'))
      .by()
      .by(__.select('shape')),
    __.fail(UPSERT_CHECK_FAILURES.edgeShape),
    edgeProjection(),
  );
}

/** What a write request says about one item: created now, or found with this stored state. */
export type UpsertAnswer<T> = { created: string } | { found: T };

/** A vertex created by a write request: its uid and the vertex id it got. */
export interface CreatedVertex {
  uid: string;
  id: unknown;
}

/** One answer of `upsertVerticesTraversal`. */
export function readVertexAnswer(
  value: unknown,
): { created: CreatedVertex } | { found: GraphVertex } {
  if (value instanceof Map) {
    const answer = value as Map<unknown, unknown>;
    const created: unknown = answer.get('created');
    if (typeof created === 'string') return { created: { uid: created, id: answer.get('id') } };
  }
  return { found: readVertex(value) };
}

/** One answer of `upsertEdgesTraversal`. */
export function readEdgeAnswer(value: unknown): UpsertAnswer<GraphEdge> {
  return typeof value === 'string' ? { created: value } : { found: readEdge(value) };
}

/*
 * Settling new keys (see `JanusGraphGraphStore`, "Two writers, one new key").
 *
 * Vertices: the unique `uid` index holds ONE vertex id per uid. When two transactions create
 * the same new uid at the same instant and both get in, the index keeps the id written last;
 * the other vertex is an orphan that no uid lookup finds (listings and counts, which read the
 * mixed index or scan, still see it). Only its creator can tell: right after the write, it
 * looks its uids up and compares the ids with the ones it created. An orphan is merged into the
 * indexed vertex: its edges are written again there, and it is dropped.
 *
 * Edges: `eid` has no unique index, so both copies are found by eid. The edge whose id comes
 * first (as text) stays; every writer that sees the copies picks the same one.
 */

/**
 * The edges of the orphan vertex `id`, each once, as `edgeProjection()` (its own uid at its
 * end, which the indexed vertex shares).
 */
export function orphanEdgesTraversal(g: GraphTraversalSource, id: unknown) {
  return g.V(id).bothE().dedup().map(edgeProjection());
}

/** The message of a merge that found other edges than the ones it was sent with. */
export const ORPHAN_GAINED_EDGES =
  'the orphan vertex gained edges while it was being merged; read it again';

/**
 * Merges the orphan vertex `id` into `survivor`, the vertex its uid's index names, in one
 * transaction: when the orphan still has exactly `edgeCount` edges (else the request fails and
 * writes nothing), it is dropped with its edges; the survivor's `uid` is written again, because
 * dropping the orphan removed the index entry they share; then `rows` (the orphan's edges,
 * built by `edgeRow`, ends by uid) are written again, so that they end at the survivor.
 * Answers like `upsertEdgesTraversal` (a single 0 when `rows` is empty).
 */
export function mergeOrphanVertexTraversal(
  g: GraphTraversalSource,
  orphan: { id: unknown; uid: string; survivor: unknown },
  edgeCount: number,
  rows: readonly Row[],
) {
  const merge = __.sideEffect(
    __.V(orphan.id)
      .fold()
      .choose(
        __.unfold().bothE().dedup().count().is(edgeCount),
        __.unfold().drop(),
        __.fail(ORPHAN_GAINED_EDGES),
      ),
  ).sideEffect(__.V(orphan.survivor).property(cardinality.single, 'uid', orphan.uid));
  if (rows.length === 0) return g.inject(0).sideEffect(merge).constant(0);
  return upsertEdgesTraversal(g, rows, merge);
}

/**
 * Writes the timestamp of each movement (TRANSFERRED edge) among `eids` again, unchanged.
 * JanusGraph then writes the edge again under the same id, with its entries in every index,
 * the mixed (Lucene) one included. This mends a movement stored without its mixed-index entry:
 * JanusGraph commits to the storage first and to the mixed index second, and a server killed
 * between the two leaves the movement invisible to window scans. Answers how many it wrote.
 */
export function reindexMovementsTraversal(g: GraphTraversalSource, eids: readonly string[]) {
  // No hasLabel('TRANSFERRED') here: with it JanusGraph answers the look-up from the movement
  // mixed index (label and eid), which is the index that lacks the movements to mend. The eids
  // are of movements the upsert just found (its answer checks the label).
  return g
    .E()
    .has('eid', P.within([...eids]))
    .property('timestamp', __.values('timestamp'))
    .count();
}

/**
 * The uids among `uids` of vertices labelled `label` that the label's mixed index lists.
 * With `hasLabel`, JanusGraph answers this from both the unique uid index and the label's mixed
 * index (`<label>Search`, label and uid) and keeps what both hold: a vertex stored without its
 * mixed-index entry is left out, which is what this look-up is for.
 */
export function mixedIndexedUidsTraversal(
  g: GraphTraversalSource,
  label: string,
  uids: readonly string[],
) {
  return g
    .V()
    .hasLabel(label)
    .has('uid', P.within([...uids]))
    .values('uid');
}

/** The eids among `eids` that more than one edge holds. */
export function duplicateEidsTraversal(g: GraphTraversalSource, eids: readonly string[]) {
  return g
    .E()
    .has('eid', P.within([...eids]))
    .groupCount()
    .by('eid')
    .unfold()
    .where(__.select(column.values).is(P.gt(1)))
    .select(column.keys);
}

/**
 * Drops every edge holding `eid` except the one whose id comes first (edge ids are not numbers:
 * they are compared as text).
 */
export function dropExtraEdgesTraversal(g: GraphTraversalSource, eid: string) {
  return g
    .E()
    .has('eid', eid)
    .order()
    .by(__.id().map(__.asString()))
    .skip(1)
    .sideEffect(__.drop())
    .count();
}
