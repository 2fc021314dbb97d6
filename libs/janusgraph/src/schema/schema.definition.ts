import { EDGE_LABELS, VERTEX_LABELS, propertyKeys } from '@app/vocabulary';
import type { PropertyType } from '@app/vocabulary';

/*
 * The JanusGraph schema, derived from the vocabulary (never written by hand twice).
 *
 * Property keys: one key per vocabulary property, SINGLE cardinality, with the Java type of its
 * vocabulary storage type. `stringList` properties (such as `Alert.movementIds`) are stored as
 * ONE String holding a JSON array, not as a LIST-cardinality property, because:
 *   - an empty list must read back as `[]` (a LIST property with no values reads back as absent);
 *   - order and duplicates must survive exactly (LIST values come back in storage order);
 *   - edge properties cannot have LIST cardinality at all.
 * The price: you cannot filter on single list items in a traversal. The graph store adapter
 * encodes and decodes these values (`encodeProperty` / `decodeProperty` below).
 *
 * Indexes (why each exists):
 *   - `byUid`        composite, unique, vertices: every lookup by business id (the upsert path).
 *   - `byEid`        composite, edges: edge upserts and `getEdge` by business id.
 *   - `transferredByTime` vertex-centric on TRANSFERRED, both directions, by `timestamp`: a time
 *     window on one account reads only the matching edges (`outE('TRANSFERRED').has('timestamp',
 *     between(a, b))`), not all of its edges.
 *   - `movementSearch` mixed (Lucene), TRANSFERRED edges: `timestamp`, `eid`, `channel`: global
 *     window scans (`scanMovements`, fan-in/fan-out candidates) without a full edge scan; with
 *     `eid` in the index, "order by timestamp, eid, limit n" is answered by Lucene itself.
 *   - `<label>Search` mixed (Lucene), one per vertex label, with `uid` as an exact string: the
 *     only way to list all vertices of a label (paging by uid) without scanning the whole graph,
 *     as JanusGraph has no index on labels. Person/Company add `name` as TEXTSTRING (full-text
 *     and exact), Identifier adds `kind`/`value`, Account adds `status`/`accountType`, AuditEntry
 *     adds `principal`/`resource` (the audit trail's two filters), Case adds `status`/`assignee`.
 * No composite index on low-cardinality keys such as `kind` or `status` on purpose: a composite
 * index entry per value becomes one huge "hot" row on a distributed backend.
 */

/** The Java types the schema uses. */
export type JavaDataType = 'String' | 'Long' | 'Integer' | 'Double' | 'Boolean';

export function javaTypeOf(type: PropertyType): JavaDataType {
  switch (type) {
    case 'string':
    case 'stringList':
      return 'String';
    case 'long':
      return 'Long';
    case 'integer':
      return 'Integer';
    case 'double':
      return 'Double';
    case 'boolean':
      return 'Boolean';
  }
}

/** Lucene mappings for String keys of mixed indexes (numbers and booleans need none). */
export type MixedMapping = 'DEFAULT' | 'STRING' | 'TEXT' | 'TEXTSTRING';

export interface PropertyKeyDefinition {
  name: string;
  dataType: JavaDataType;
}

export interface CompositeIndexDefinition {
  name: string;
  element: 'vertex' | 'edge';
  keys: readonly string[];
  unique: boolean;
  /** Restricts the index to one vertex or edge label. */
  label?: string;
}

export interface MixedIndexDefinition {
  name: string;
  element: 'vertex' | 'edge';
  keys: readonly { name: string; mapping: MixedMapping }[];
  label?: string;
}

export interface EdgeIndexDefinition {
  name: string;
  edgeLabel: string;
  direction: 'BOTH' | 'OUT' | 'IN';
  keys: readonly string[];
  order: 'asc' | 'desc';
}

export interface SchemaDefinition {
  propertyKeys: readonly PropertyKeyDefinition[];
  vertexLabels: readonly string[];
  edgeLabels: readonly string[];
  compositeIndexes: readonly CompositeIndexDefinition[];
  mixedIndexes: readonly MixedIndexDefinition[];
  edgeIndexes: readonly EdgeIndexDefinition[];
  /** Name of the mixed-index backend in the graph's properties (`index.search.backend=...`). */
  mixedIndexBackend: string;
}

/** The index backend name configured in docker/local/janusgraph (index.search.*). */
export const DEFAULT_MIXED_INDEX_BACKEND = 'search';

/**
 * The backend name meaning "this JanusGraph has no mixed-index backend": the schema then has
 * composite and edge indexes only (`JANUSGRAPH_MIXED_INDEX_BACKEND=none`).
 */
export const NO_MIXED_INDEX_BACKEND = 'none';

export const INDEX_NAMES = {
  byUid: 'byUid',
  byEid: 'byEid',
  transferredByTime: 'transferredByTime',
  movementSearch: 'movementSearch',
} as const;

/** Name of the per-label mixed index listing vertices of `label` (letters and digits only). */
export function labelSearchIndexName(label: string): string {
  return `${label.charAt(0).toLowerCase()}${label.slice(1)}Search`;
}

/** Extra keys of the per-label mixed indexes (beyond `uid`). */
const LABEL_SEARCH_KEYS: Readonly<
  Record<string, readonly { name: string; mapping: MixedMapping }[]>
> = {
  Person: [{ name: 'name', mapping: 'TEXTSTRING' }],
  Company: [
    { name: 'name', mapping: 'TEXTSTRING' },
    { name: 'jurisdiction', mapping: 'STRING' },
  ],
  Account: [
    { name: 'status', mapping: 'STRING' },
    { name: 'accountType', mapping: 'STRING' },
  ],
  Identifier: [
    { name: 'kind', mapping: 'STRING' },
    { name: 'value', mapping: 'STRING' },
  ],
  // The alert queue's filters, and its orders (score, raised at, model risk) answered by Lucene.
  Alert: [
    { name: 'status', mapping: 'STRING' },
    { name: 'typology', mapping: 'STRING' },
    { name: 'score', mapping: 'DEFAULT' },
    { name: 'createdAt', mapping: 'DEFAULT' },
    { name: 'riskScore', mapping: 'DEFAULT' },
  ],
  // "Who looked at what": the audit trail is listed newest first (uid order) by principal or
  // by business id. Not composite indexes: one busy principal would become one hot row.
  AuditEntry: [
    { name: 'principal', mapping: 'STRING' },
    { name: 'resource', mapping: 'STRING' },
  ],
  // The case list's filters.
  Case: [
    { name: 'status', mapping: 'STRING' },
    { name: 'assignee', mapping: 'STRING' },
  ],
};

/**
 * Every property key of the label's mixed index (`uid` first). Removing a stale entry from the
 * index (docs/operations.md, "A drop cut short leaves entries in the mixed index") needs them
 * all: a key left out stays in the index.
 */
export function labelSearchKeys(label: string): string[] {
  return ['uid', ...(LABEL_SEARCH_KEYS[label] ?? []).map((key) => key.name)];
}

/**
 * The full schema the vocabulary asks for. With `NO_MIXED_INDEX_BACKEND` it has no mixed
 * indexes: the store's queries stay correct (JanusGraph filters, orders and matches text
 * itself), only slower on large graphs; lookups by uid and eid and movements by time still use
 * the composite and edge indexes.
 */
export function schemaDefinition(
  mixedIndexBackend = DEFAULT_MIXED_INDEX_BACKEND,
): SchemaDefinition {
  const keys = [...propertyKeys()].map(([name, type]) => ({ name, dataType: javaTypeOf(type) }));
  return {
    propertyKeys: keys,
    vertexLabels: [...VERTEX_LABELS],
    edgeLabels: [...EDGE_LABELS],
    compositeIndexes: [
      { name: INDEX_NAMES.byUid, element: 'vertex', keys: ['uid'], unique: true },
      { name: INDEX_NAMES.byEid, element: 'edge', keys: ['eid'], unique: false },
    ],
    mixedIndexes:
      mixedIndexBackend === NO_MIXED_INDEX_BACKEND
        ? []
        : [
            {
              name: INDEX_NAMES.movementSearch,
              element: 'edge',
              label: 'TRANSFERRED',
              keys: [
                { name: 'timestamp', mapping: 'DEFAULT' },
                { name: 'eid', mapping: 'STRING' },
                { name: 'channel', mapping: 'STRING' },
              ],
            },
            ...VERTEX_LABELS.map((label) => ({
              name: labelSearchIndexName(label),
              element: 'vertex' as const,
              label,
              keys: [
                { name: 'uid', mapping: 'STRING' as const },
                ...(LABEL_SEARCH_KEYS[label] ?? []),
              ],
            })),
          ],
    edgeIndexes: [
      {
        name: INDEX_NAMES.transferredByTime,
        edgeLabel: 'TRANSFERRED',
        direction: 'BOTH',
        keys: ['timestamp'],
        order: 'asc',
      },
    ],
    mixedIndexBackend,
  };
}

/** Names of every index of a schema definition, graph indexes and edge indexes. */
export function indexNamesOf(definition: SchemaDefinition): string[] {
  return [
    ...definition.compositeIndexes.map((index) => index.name),
    ...definition.mixedIndexes.map((index) => index.name),
    ...definition.edgeIndexes.map((index) => index.name),
  ];
}
