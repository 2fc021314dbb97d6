/*
 * Turning what the gremlin driver returns (GraphSON v3, deserialised by the driver) into plain
 * JavaScript data. The driver hands back:
 *
 * - `Traverser { object, bulk }` wrappers for bytecode requests: a bulk of 3 means the value
 *   occurred three times (the server merges equal results), so it must be expanded;
 * - `Map` instances for every Gremlin map (`project`, `valueMap`, `elementMap`, `group`...);
 * - `EnumValue` keys for tokens such as `T.id`, `T.label` and `Direction.OUT` in `elementMap()`;
 * - lists for multi-valued properties in `valueMap()` (one list per key, even for SINGLE keys).
 *
 * Everything here is pure and synchronous, so adapters can share it and unit tests can check it.
 */

/** A plain JSON-like value: what `toPlain` returns. */
export type PlainValue =
  string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** A plain object produced from a Gremlin map. */
export type PlainRecord = { [key: string]: PlainValue };

interface TraverserLike {
  object: unknown;
  bulk: number;
}

function isTraverser(value: unknown): value is TraverserLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    value.constructor?.name === 'Traverser' &&
    'object' in value &&
    'bulk' in value
  );
}

/**
 * The result values of a bytecode request, with `Traverser` wrappers removed and bulks expanded
 * (a traverser of bulk n becomes n copies of its value). Plain values are returned unchanged.
 */
export function unwrapTraversers(items: readonly unknown[]): unknown[] {
  const values: unknown[] = [];
  for (const item of items) {
    if (isTraverser(item)) {
      const bulk = typeof item.bulk === 'number' && item.bulk > 0 ? item.bulk : 1;
      for (let i = 0; i < bulk; i += 1) values.push(item.object);
    } else {
      values.push(item);
    }
  }
  return values;
}

/**
 * The string form of a map key: strings as they are; Gremlin tokens (`EnumValue` such as
 * `T.id`, `T.label`, `Direction.OUT`) by their element name (`id`, `label`, `OUT`).
 */
export function keyName(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  if (typeof key === 'object' && key !== null && 'elementName' in key) {
    const name = key.elementName;
    if (typeof name === 'string') return name;
  }
  throw new TypeError(`Cannot use a ${describe(key)} as a map key in a graph result`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map) return 'map';
  if (typeof value === 'object') return (value.constructor?.name ?? 'object') || 'object';
  return typeof value;
}

/**
 * Deep conversion of a driver value to plain data: `Map` → object (keys through `keyName`),
 * `Set` and arrays → arrays, other objects (graph elements, relation ids) → their own
 * enumerable fields. Values that JSON cannot express (`undefined`, functions) become null.
 */
export function toPlain(value: unknown): PlainValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Set) return [...(value as Set<unknown>)].map(toPlain);
  if (value instanceof Map) {
    const record: PlainRecord = {};
    for (const [key, entry] of value as Map<unknown, unknown>)
      record[keyName(key)] = toPlain(entry);
    return record;
  }
  if (isTraverser(value)) return toPlain(value.object);
  if (typeof value === 'object') {
    const record: PlainRecord = {};
    for (const [key, entry] of Object.entries(value)) record[key] = toPlain(entry);
    return record;
  }
  return null;
}

/**
 * A `valueMap(true)` / `elementMap()` / `valueMap()` result as one flat plain object: tokens
 * become `id` / `label` (and `IN` / `OUT` for an edge's ends), and single-element lists (how
 * `valueMap` returns SINGLE properties) are unwrapped. Lists with 0 or 2+ items stay lists.
 */
export function flattenElementMap(value: unknown): PlainRecord {
  const plain = toPlain(value);
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new TypeError(`Expected a map from valueMap()/elementMap(), got a ${describe(value)}`);
  }
  const flat: PlainRecord = {};
  for (const [key, entry] of Object.entries(plain)) {
    flat[key] = Array.isArray(entry) && entry.length === 1 ? entry[0] : entry;
  }
  return flat;
}

/** `toPlain` for a value that must be a map (a `project(...)` row, for example). */
export function toRecord(value: unknown, what = 'result row'): PlainRecord {
  const plain = toPlain(value);
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new TypeError(`Expected the ${what} to be a map, got a ${describe(value)}`);
  }
  return plain;
}

// ---------------------------------------------------------------------------------------------
// Typed field readers: a result that does not have the promised shape is a bug in a traversal,
// so it fails with a message naming the field instead of spreading `undefined` around.
// ---------------------------------------------------------------------------------------------

export function stringField(record: PlainRecord, field: string): string {
  const value = record[field];
  if (typeof value !== 'string') {
    throw new TypeError(`Graph result field "${field}" must be a string, got ${describe(value)}`);
  }
  return value;
}

export function numberField(record: PlainRecord, field: string): number {
  const value = record[field];
  if (typeof value !== 'number') {
    throw new TypeError(`Graph result field "${field}" must be a number, got ${describe(value)}`);
  }
  return value;
}

export function recordField(record: PlainRecord, field: string): PlainRecord {
  const value = record[field];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`Graph result field "${field}" must be a map, got ${describe(value)}`);
  }
  return value;
}

export function listField(record: PlainRecord, field: string): PlainValue[] {
  const value = record[field];
  if (!Array.isArray(value)) {
    throw new TypeError(`Graph result field "${field}" must be a list, got ${describe(value)}`);
  }
  return value;
}
