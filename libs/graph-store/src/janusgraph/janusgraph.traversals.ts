import {
  __,
  decodeProps,
  flattenElementMap,
  GraphTraversal,
  GraphTraversalSource,
  recordField,
  stringField,
  toRecord,
} from '@app/janusgraph';
import { EDGE_LABELS, VERTEX_LABELS } from '@app/vocabulary';
import type { EdgeLabel, GraphEdge, GraphVertex, Movement, VertexLabel } from '@app/vocabulary';
import type { AccountEventRecord, AccountHolders } from '../graph-store.port';

/*
 * Projections shared by the JanusGraph adapter's traversals, and the readers that turn their
 * results into vocabulary records. Every read returns business ids only (`uid`, `eid`,
 * endpoint uids); JanusGraph's own ids never leave the server.
 */

/** `{uid, label, props}` of the current vertex (props: SINGLE values unwrapped server side). */
export function vertexProjection(): GraphTraversal {
  return __.project('uid', 'label', 'props')
    .by(__.values('uid'))
    .by(__.label())
    .by(__.valueMap().by(__.unfold()));
}

/** `{eid, label, from, to, props}` of the current edge, ends as uids. */
export function edgeProjection(): GraphTraversal {
  return __.project('eid', 'label', 'from', 'to', 'props')
    .by(__.values('eid'))
    .by(__.label())
    .by(__.outV().values('uid'))
    .by(__.inV().values('uid'))
    .by(__.valueMap());
}

/** `{eid, label, from, to, props, fromVertex, toVertex}`: an edge with both end vertices. */
export function edgeWithEndsProjection(): GraphTraversal {
  return __.project('eid', 'label', 'from', 'to', 'props', 'fromVertex', 'toVertex')
    .by(__.values('eid'))
    .by(__.label())
    .by(__.outV().values('uid'))
    .by(__.inV().values('uid'))
    .by(__.valueMap())
    .by(__.outV().flatMap(vertexProjection()))
    .by(__.inV().flatMap(vertexProjection()));
}

/** `{eid, label, from, to}` of the current edge: what can never change once it is stored. */
export function edgeShapeProjection(): GraphTraversal {
  return __.project('eid', 'label', 'from', 'to')
    .by(__.values('eid'))
    .by(__.label())
    .by(__.outV().values('uid'))
    .by(__.inV().values('uid'));
}

/** `{uid, label}` of the current vertex: enough to validate edge endpoints. */
export function vertexLabelProjection(): GraphTraversal {
  return __.project('uid', 'label').by(__.values('uid')).by(__.label());
}

/**
 * A TRANSFERRED edge as the flat `Movement` record's parts, its ends by JanusGraph vertex id:
 * the ids are part of the edge as stored, so no end vertex is read (see `readMovementRow`).
 */
export function movementProjection(): GraphTraversal {
  return __.project('eid', 'fromId', 'toId', 'props')
    .by(__.values('eid'))
    .by(__.outV().id())
    .by(__.inV().id())
    .by(__.valueMap());
}

/** `{id, uid}` of each vertex of `ids` that exists. */
export function vertexUidsTraversal(g: GraphTraversalSource, ids: readonly number[]) {
  return g
    .V(...ids)
    .project('id', 'uid')
    .by(__.id())
    .by(__.values('uid'));
}

function vertexLabelOf(value: string): VertexLabel {
  if (!(VERTEX_LABELS as readonly string[]).includes(value)) {
    throw new TypeError(
      `JanusGraph returned a vertex with label "${value}", which is not in the vocabulary`,
    );
  }
  return value as VertexLabel;
}

function edgeLabelOf(value: string): EdgeLabel {
  if (!(EDGE_LABELS as readonly string[]).includes(value)) {
    throw new TypeError(
      `JanusGraph returned an edge with label "${value}", which is not in the vocabulary`,
    );
  }
  return value as EdgeLabel;
}

/**
 * JanusGraph's label for a vertex it holds no record of. The schema never uses it, so a
 * `vertexProjection()` row with this label and no uid is not data: a mixed-index entry left by
 * a drop cut short between its storage commit and its index commit (docs/operations.md, "A drop
 * cut short leaves entries in the mixed index"), which the index still returns.
 */
const NO_RECORD_LABEL = 'vertex';

/** Whether a `vertexProjection()` result is such a stale index entry (see NO_RECORD_LABEL). */
export function isStaleIndexRow(value: unknown): boolean {
  const row = toRecord(value, 'vertex');
  return row.label === NO_RECORD_LABEL && typeof row.uid !== 'string';
}

/** A `vertexProjection()` result as a vocabulary vertex. */
export function readVertex(value: unknown): GraphVertex {
  const row = toRecord(value, 'vertex');
  return {
    label: vertexLabelOf(stringField(row, 'label')),
    uid: stringField(row, 'uid'),
    props: decodeProps(flattenElementMap(row.props)),
  } as unknown as GraphVertex;
}

/** An `edgeProjection()` result as a vocabulary edge. */
export function readEdge(value: unknown): GraphEdge {
  const row = toRecord(value, 'edge');
  return {
    label: edgeLabelOf(stringField(row, 'label')),
    eid: stringField(row, 'eid'),
    from: stringField(row, 'from'),
    to: stringField(row, 'to'),
    props: decodeProps(flattenElementMap(row.props)),
  } as unknown as GraphEdge;
}

/** An `edgeShapeProjection()` result. */
export function readEdgeShape(value: unknown): {
  eid: string;
  label: EdgeLabel;
  from: string;
  to: string;
} {
  const row = toRecord(value, 'edge shape');
  return {
    eid: stringField(row, 'eid'),
    label: edgeLabelOf(stringField(row, 'label')),
    from: stringField(row, 'from'),
    to: stringField(row, 'to'),
  };
}

/** An `edgeWithEndsProjection()` result: the edge and its two end vertices. */
export function readEdgeWithEnds(value: unknown): {
  edge: GraphEdge;
  from: GraphVertex;
  to: GraphVertex;
} {
  const row = toRecord(value, 'edge');
  return {
    edge: readEdge(row),
    from: readVertex(recordField(row, 'fromVertex')),
    to: readVertex(recordField(row, 'toVertex')),
  };
}

/** A `movementProjection()` result: the movement without its ends' uids, and the ends' ids. */
export interface MovementRow {
  fromId: number;
  toId: number;
  /** The `Movement` once `fromAccount` and `toAccount` are added. */
  rest: Omit<Movement, 'fromAccount' | 'toAccount'>;
}

/** A `movementProjection()` result, checked: vertex ids must be safe integers. */
export function readMovementRow(value: unknown): MovementRow {
  const row = toRecord(value, 'movement');
  const idOf = (key: string): number => {
    const id = row[key];
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      throw new TypeError(`JanusGraph returned a movement whose ${key} is not a whole number`);
    }
    return id;
  };
  return {
    fromId: idOf('fromId'),
    toId: idOf('toId'),
    rest: {
      movementId: stringField(row, 'eid'),
      ...decodeProps(flattenElementMap(row.props)),
    } as unknown as MovementRow['rest'],
  };
}

/** A `vertexUidsTraversal` answer row. */
export function readVertexUid(value: unknown): { id: number; uid: string } {
  const row = toRecord(value, 'vertex uid');
  const id = row.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw new TypeError('JanusGraph returned a vertex id that is not a whole number');
  }
  return { id, uid: stringField(row, 'uid') };
}

/** `{accountId, event}` of the current Event vertex, its account being the step labelled `as`. */
export function accountEventProjection(as: string): GraphTraversal {
  return __.project('accountId', 'event').by(__.select(as).values('uid')).by(vertexProjection());
}

/** An `accountEventProjection()` result. */
export function readAccountEvent(value: unknown): AccountEventRecord {
  const row = toRecord(value, 'account event');
  const event = readVertex(recordField(row, 'event'));
  if (event.label !== 'Event') {
    throw new TypeError(`JanusGraph returned a ${event.label} where an Event was expected`);
  }
  return { accountId: stringField(row, 'accountId'), event };
}

/** `{accountId, holderUids}` of the current account vertex (holders unsorted, each once). */
export function holdersProjection(): GraphTraversal {
  return __.project('accountId', 'holderUids')
    .by(__.values('uid'))
    .by(__.in_('HOLDS').values('uid').dedup().fold());
}

/** A `holdersProjection()` result (holders in the server's order). */
export function readHolders(value: unknown): AccountHolders {
  const row = toRecord(value, 'account holders');
  const holderUids = listOf(row.holderUids).map((uid) => {
    if (typeof uid !== 'string') throw new TypeError('Expected holder uids to be strings');
    return uid;
  });
  return { accountId: stringField(row, 'accountId'), holderUids };
}

/** The list inside a `fold()` result (the driver may hand back an empty result for none). */
export function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError('Expected a folded list from JanusGraph');
  return value;
}
