import {
  BatchRejectedError,
  CHANNELS,
  EDGE_ENDPOINTS,
  EDGE_LABELS,
  InvalidInputError,
  VERTEX_LABELS,
  VERTEX_SCHEMA,
  validateEdge,
  validateVertex,
} from '@app/vocabulary';
import type {
  EdgeLabel,
  FieldProblem,
  GraphEdge,
  GraphVertex,
  RejectedItem,
  VertexLabel,
} from '@app/vocabulary';
import type {
  AccountEventQuery,
  FanCandidateQuery,
  MovementQuery,
  MovementWindowQuery,
  NeighbourhoodQuery,
  PageRequest,
  SharedIdentifierQuery,
} from './graph-store.port';

/*
 * Input checks shared by every GraphStore adapter (memory and JanusGraph), so that both
 * accept and reject exactly the same things with the same messages.
 *
 * Upsert semantics (the contract suite tests each point):
 * - A vertex is keyed by `uid`. Upserting an existing uid REPLACES its props with the given
 *   props (they are the full new props: a key left out is removed). Its label cannot change.
 * - An edge is keyed by `eid`. Upserting an existing eid replaces its props; its label, `from`
 *   and `to` cannot change (such an item is rejected as invalid).
 * - `UpsertResult` counts every item of the batch exactly once: `created` (new id),
 *   `updated` (stored data differed) or `unchanged` (stored data was identical). An item that
 *   repeats an earlier item of the same batch with identical data counts as `unchanged`.
 * - Props are compared after dropping keys whose value is `undefined`, so
 *   `{ name: 'A', birthDate: undefined }` and `{ name: 'A' }` are the same data.
 * - A batch is checked as a whole before anything is written. If any item is bad, a
 *   `BatchRejectedError` lists EVERY bad item (index in the batch, id, problems) and the store
 *   is left exactly as it was.
 * - An edge's end vertices must already be stored (upsert vertices first, in an earlier call)
 *   and have labels the edge label allows (`EDGE_ENDPOINTS` in the vocabulary).
 */

/** Tells the label of a vertex already in the store, or undefined when it is not stored. */
export type VertexLabelLookup = (uid: string) => VertexLabel | undefined;

/** The parts of a stored edge that can never change after it is created. */
export interface StoredEdgeShape {
  label: EdgeLabel;
  from: string;
  to: string;
}

/** Tells the label and ends of an edge already in the store, or undefined when not stored. */
export type EdgeShapeLookup = (eid: string) => StoredEdgeShape | undefined;

// ---------------------------------------------------------------------------------------------
// Property data: normalising and comparing
// ---------------------------------------------------------------------------------------------

/**
 * A deep copy of props without the keys whose value is `undefined`. This is the form stores
 * keep and compare; lists (such as `Alert.movementIds`) are copied too.
 */
export function normaliseProps<P extends object>(props: P): P {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    copy[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return copy as P;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => Object.is(item, b[index]));
  }
  return Object.is(a, b);
}

/** True when two props objects hold the same data (undefined values count as absent). */
export function sameProps(a: object, b: object): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const leftKeys = Object.keys(left).filter((key) => left[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => sameValue(left[key], right[key]));
}

/** True when two vertices carry the same label, uid and props. */
export function sameVertexData(a: GraphVertex, b: GraphVertex): boolean {
  return a.label === b.label && a.uid === b.uid && sameProps(a.props, b.props);
}

/** True when two edges carry the same label, eid, ends and props. */
export function sameEdgeData(a: GraphEdge, b: GraphEdge): boolean {
  return (
    a.label === b.label &&
    a.eid === b.eid &&
    a.from === b.from &&
    a.to === b.to &&
    sameProps(a.props, b.props)
  );
}

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(item: unknown, key: 'uid' | 'eid'): string {
  if (isRecord(item) && typeof item[key] === 'string') return item[key];
  return `(no ${key})`;
}

function article(label: string): string {
  return /^[AEIOU]/.test(label) ? `an ${label}` : `a ${label}`;
}

function labelList(labels: readonly string[]): string {
  return labels.length === 1
    ? labels[0]
    : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

/**
 * Every problem of a vertex batch: vocabulary rules (`validateVertex`), a uid repeated in the
 * batch with different data, and a uid already stored under another label. Empty when valid.
 */
export function vertexBatchProblems(
  batch: readonly GraphVertex[],
  existingLabel: VertexLabelLookup,
): RejectedItem[] {
  const rejected: RejectedItem[] = [];
  const firstIndex = new Map<string, number>();
  batch.forEach((vertex: unknown, index) => {
    const id = idOf(vertex, 'uid');
    if (!isRecord(vertex)) {
      rejected.push({
        index,
        id,
        problems: [{ field: 'item', rule: 'must be an object with label, uid and props' }],
      });
      return;
    }
    const typed = vertex as unknown as GraphVertex;
    const problems: FieldProblem[] = validateVertex(typed);
    if (problems.length === 0) {
      const earlier = firstIndex.get(typed.uid);
      if (earlier === undefined) {
        firstIndex.set(typed.uid, index);
      } else if (!sameVertexData(batch[earlier], typed)) {
        problems.push({
          field: 'uid',
          rule: `appears earlier in this batch (item #${earlier}) with different data; send one version of a vertex per batch`,
        });
      }
      const stored = existingLabel(typed.uid);
      if (stored !== undefined && stored !== typed.label) {
        problems.push({
          field: 'label',
          rule: `uid already belongs to ${article(stored)}; a vertex cannot change its label (it was sent as ${article(typed.label)})`,
        });
      }
    }
    if (problems.length > 0) rejected.push({ index, id, problems });
  });
  return rejected;
}

/**
 * Every problem of an edge batch: vocabulary rules (`validateEdge`), an eid repeated in the
 * batch with different data, an eid already stored with another label or other ends, and end
 * vertices that are not stored or have labels the edge label does not allow.
 */
export function edgeBatchProblems(
  batch: readonly GraphEdge[],
  vertexLabel: VertexLabelLookup,
  existingEdge: EdgeShapeLookup,
): RejectedItem[] {
  const rejected: RejectedItem[] = [];
  const firstIndex = new Map<string, number>();
  batch.forEach((edge: unknown, index) => {
    const id = idOf(edge, 'eid');
    if (!isRecord(edge)) {
      rejected.push({
        index,
        id,
        problems: [
          { field: 'item', rule: 'must be an object with label, eid, from, to and props' },
        ],
      });
      return;
    }
    const typed = edge as unknown as GraphEdge;
    const problems: FieldProblem[] = validateEdge(typed);
    const labelKnown = (EDGE_LABELS as readonly string[]).includes(typed.label);
    const idValid = !problems.some((p) => p.field === 'eid');
    if (idValid) {
      const earlier = firstIndex.get(typed.eid);
      if (earlier === undefined) {
        firstIndex.set(typed.eid, index);
      } else if (!sameEdgeData(batch[earlier], typed)) {
        problems.push({
          field: 'eid',
          rule: `appears earlier in this batch (item #${earlier}) with different data; send one version of an edge per batch`,
        });
      }
      const stored = existingEdge(typed.eid);
      if (stored !== undefined) {
        if (stored.label !== typed.label) {
          problems.push({
            field: 'label',
            rule: `eid already belongs to a ${stored.label} edge; an edge cannot change its label`,
          });
        }
        if (stored.from !== typed.from) {
          problems.push({
            field: 'from',
            rule: `eid already belongs to an edge from "${stored.from}"; an edge cannot change its ends`,
          });
        }
        if (stored.to !== typed.to) {
          problems.push({
            field: 'to',
            rule: `eid already belongs to an edge to "${stored.to}"; an edge cannot change its ends`,
          });
        }
      }
    }
    for (const end of ['from', 'to'] as const) {
      if (problems.some((p) => p.field === end)) continue;
      const uid = typed[end];
      const label = vertexLabel(uid);
      if (label === undefined) {
        problems.push({
          field: end,
          rule: `vertex "${uid}" does not exist; upsert vertices before the edges that connect them`,
        });
      } else if (labelKnown) {
        const allowed = EDGE_ENDPOINTS[typed.label][end];
        if (!allowed.includes(label)) {
          problems.push({
            field: end,
            rule: `must be ${article(labelList(allowed))} for ${article(typed.label)} edge ("${uid}" is ${article(label)})`,
          });
        }
      }
    }
    if (problems.length > 0) rejected.push({ index, id, problems });
  });
  return rejected;
}

/** Throws `BatchRejectedError` listing every bad vertex; returns when the batch is valid. */
export function assertValidVertexBatch(
  batch: readonly GraphVertex[],
  existingLabel: VertexLabelLookup,
): void {
  const rejected = vertexBatchProblems(batch, existingLabel);
  if (rejected.length > 0) throw new BatchRejectedError(rejected, batch.length);
}

/** Throws `BatchRejectedError` listing every bad edge; returns when the batch is valid. */
export function assertValidEdgeBatch(
  batch: readonly GraphEdge[],
  vertexLabel: VertexLabelLookup,
  existingEdge: EdgeShapeLookup,
): void {
  const rejected = edgeBatchProblems(batch, vertexLabel, existingEdge);
  if (rejected.length > 0) throw new BatchRejectedError(rejected, batch.length);
}

/** Distinct vertex uids an edge batch refers to, for adapters that look them up in one trip. */
export function endpointUidsOf(batch: readonly GraphEdge[]): string[] {
  const uids = new Set<string>();
  for (const edge of batch) {
    if (!isRecord(edge)) continue;
    if (typeof edge.from === 'string') uids.add(edge.from);
    if (typeof edge.to === 'string') uids.add(edge.to);
  }
  return [...uids];
}

// ---------------------------------------------------------------------------------------------
// Query arguments (every read method checks its query the same way on every backend)
// ---------------------------------------------------------------------------------------------

function wholeAtLeast(field: string, value: unknown, min: number, max?: number): FieldProblem[] {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return [{ field, rule: 'must be a whole number' }];
  }
  if (value < min) return [{ field, rule: `must be at least ${min}` }];
  if (max !== undefined && value > max) return [{ field, rule: `must be at most ${max}` }];
  return [];
}

function windowProblems(from: unknown, to: unknown): FieldProblem[] {
  const problems = [...wholeAtLeast('from', from, 0), ...wholeAtLeast('to', to, 0)];
  if (problems.length === 0 && (to as number) < (from as number)) {
    problems.push({ field: 'to', rule: 'must not be before from (the window is [from, to))' });
  }
  return problems;
}

function oneOf(field: string, value: unknown, values: readonly string[]): FieldProblem[] {
  return typeof value === 'string' && values.includes(value)
    ? []
    : [{ field, rule: `must be one of ${values.join(', ')}` }];
}

function listOf(field: string, value: unknown, values: readonly string[]): FieldProblem[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [{ field, rule: `must be a list of ${values.join(', ')}` }];
  return value.flatMap((item, index) => oneOf(`${field}[${index}]`, item, values));
}

function stringList(field: string, value: unknown): FieldProblem[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? []
    : [{ field, rule: 'must be a list of ids' }];
}

function reject(method: string, problems: FieldProblem[]): void {
  if (problems.length > 0) {
    throw new InvalidInputError(
      `${method}: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
}

export const MAX_NEIGHBOURHOOD_DEPTH = 2;
export const MAX_OWNERSHIP_DEPTH = 100;

export function assertNeighbourhoodQuery(query: NeighbourhoodQuery): void {
  reject('getNeighbourhood', [
    ...(typeof query.uid === 'string' ? [] : [{ field: 'uid', rule: 'must be a vertex uid' }]),
    ...wholeAtLeast('depth', query.depth, 1, MAX_NEIGHBOURHOOD_DEPTH),
    ...wholeAtLeast('limit', query.limit, 1),
    ...listOf('edgeLabels', query.edgeLabels, EDGE_LABELS),
  ]);
}

export function assertOwnershipQuery(companyUid: string, maxDepth: number): void {
  reject('getOwnershipSubgraph', [
    ...(typeof companyUid === 'string'
      ? []
      : [{ field: 'companyUid', rule: 'must be a company uid' }]),
    ...wholeAtLeast('maxDepth', maxDepth, 1, MAX_OWNERSHIP_DEPTH),
  ]);
}

export function assertMovementQuery(query: MovementQuery): void {
  reject('getMovements', [
    ...stringList('accountIds', query.accountIds),
    ...windowProblems(query.from, query.to),
    ...oneOf('direction', query.direction, ['out', 'in', 'both']),
    ...(query.limit === undefined ? [] : wholeAtLeast('limit', query.limit, 1)),
  ]);
}

export function assertAccountEventQuery(query: AccountEventQuery): void {
  reject('getAccountEvents', [
    ...stringList('accountIds', query.accountIds),
    ...windowProblems(query.from, query.to),
    ...(query.limit === undefined ? [] : wholeAtLeast('limit', query.limit, 1)),
  ]);
}

export function assertHoldersQuery(accountIds: readonly string[]): void {
  reject('getHolders', stringList('accountIds', accountIds));
}

export function assertMovementWindowQuery(query: MovementWindowQuery): void {
  const problems = [
    ...windowProblems(query.from, query.to),
    ...listOf('channels', query.channels, CHANNELS),
    ...wholeAtLeast('limit', query.limit, 1),
  ];
  if (query.after !== undefined) {
    problems.push(...wholeAtLeast('after.timestamp', query.after.timestamp, 0));
    if (typeof query.after.movementId !== 'string') {
      problems.push({ field: 'after.movementId', rule: 'must be a movement id' });
    }
  }
  reject('scanMovements', problems);
}

export function assertFanCandidateQuery(query: FanCandidateQuery): void {
  reject('selectFanCandidates', [
    ...oneOf('direction', query.direction, ['in', 'out']),
    ...windowProblems(query.from, query.to),
    ...wholeAtLeast('minCounterparties', query.minCounterparties, 1),
    ...wholeAtLeast('limit', query.limit, 1),
  ]);
}

export function assertSharedIdentifierQuery(query: SharedIdentifierQuery): void {
  reject('findSharedIdentifiers', [
    ...wholeAtLeast('hubCap', query.hubCap, 2),
    ...listOf('kinds', query.kinds, VERTEX_SCHEMA.Identifier.kind.values ?? []),
    ...(query.accountIds === undefined ? [] : stringList('accountIds', query.accountIds)),
  ]);
}

/** Checks a page request, including that every `where` key is a property of the label. */
export function assertPageRequest(request: PageRequest): void {
  const problems = [
    ...oneOf('label', request.label, VERTEX_LABELS),
    ...wholeAtLeast('limit', request.limit, 1),
  ];
  if (request.cursor !== undefined && typeof request.cursor !== 'string') {
    problems.push({ field: 'cursor', rule: 'must be the nextCursor of the previous page' });
  }
  if (problems.length === 0 && request.without !== undefined) {
    const rules = VERTEX_SCHEMA[request.label] as Readonly<Record<string, unknown>>;
    if (typeof request.without !== 'string' || !(request.without in rules)) {
      problems.push({ field: 'without', rule: `must be a property of ${request.label}` });
    }
  }
  if (problems.length === 0 && request.where !== undefined) {
    const rules = VERTEX_SCHEMA[request.label] as Readonly<Record<string, unknown>>;
    for (const [key, value] of Object.entries(request.where)) {
      if (!(key in rules)) {
        problems.push({ field: `where.${key}`, rule: `is not a property of ${request.label}` });
      } else if (!['string', 'number', 'boolean'].includes(typeof value)) {
        problems.push({ field: `where.${key}`, rule: 'must be a string, number or boolean' });
      }
    }
  }
  reject('listVertices', problems);
}

// ---------------------------------------------------------------------------------------------
// Paging cursors: keyset paging on uid, so a page never repeats or skips a stored vertex even
// when vertices are added between two calls.
// ---------------------------------------------------------------------------------------------

const CURSOR_VERSION = 1;

/** An opaque cursor that resumes a listing after this uid of this label. */
export function encodeUidCursor(label: VertexLabel, afterUid: string): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, l: label, a: afterUid }), 'utf8').toString(
    'base64url',
  );
}

/** The uid a cursor resumes after; throws InvalidInputError for a cursor this store did not make. */
export function decodeUidCursor(label: VertexLabel, cursor: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !isRecord(parsed) ||
    parsed.v !== CURSOR_VERSION ||
    typeof parsed.a !== 'string' ||
    typeof parsed.l !== 'string'
  ) {
    throw new InvalidInputError(
      'The cursor is not one this listing gave: pass the nextCursor of the previous page unchanged',
      [{ field: 'cursor', rule: 'must be the nextCursor of the previous page, unchanged' }],
    );
  }
  if (parsed.l !== label) {
    throw new InvalidInputError(`The cursor belongs to a listing of ${parsed.l}, not of ${label}`, [
      { field: 'cursor', rule: `must come from a listing of the same label (${label})` },
    ]);
  }
  return parsed.a;
}
