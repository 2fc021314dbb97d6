import { propertyKeys } from '@app/vocabulary';
import type { PropertyType } from '@app/vocabulary';
import type { PlainRecord } from '../janusgraph.results';

/*
 * How vocabulary property values are stored in JanusGraph and read back, so that a record
 * reads back exactly as it was written (the graph store contract compares them deeply):
 *
 * - string, boolean: as they are;
 * - long, integer, double: JS numbers; the driver sends them untyped and JanusGraph converts
 *   them to the key's data type (Long, Integer, Double); they come back as JS numbers;
 * - stringList: ONE String holding a JSON array (see schema.definition.ts for why);
 * - undefined: not written at all (and removed from a stored element on update).
 */

export type StoredValue = string | number | boolean;

const KEY_TYPES: ReadonlyMap<string, PropertyType> = propertyKeys();

/** The keys that identify an element and are not part of its props. */
export const ID_KEYS: ReadonlySet<string> = new Set(['uid', 'eid']);

/** The storage type of a vocabulary property key, or undefined for an unknown key. */
export function propertyTypeOf(key: string): PropertyType | undefined {
  return KEY_TYPES.get(key);
}

/** One property value in its stored form. Throws for a value the vocabulary does not allow. */
export function encodeValue(key: string, value: unknown): StoredValue {
  const type = KEY_TYPES.get(key);
  if (type === 'stringList') {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw new TypeError(`Property ${key} must be a list of strings to be stored`);
    }
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new TypeError(`Property ${key} has a value that cannot be stored (${typeof value})`);
}

/** The props of a record as stored (key, value) pairs, leaving out undefined values. */
export function encodeProps(props: object): [string, StoredValue][] {
  const pairs: [string, StoredValue][] = [];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    pairs.push([key, encodeValue(key, value)]);
  }
  return pairs;
}

/** One stored value back in its vocabulary form. */
export function decodeValue(key: string, value: unknown): unknown {
  if (KEY_TYPES.get(key) === 'stringList' && typeof value === 'string') {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) throw new TypeError(`Stored property ${key} is not a JSON list`);
    return parsed;
  }
  return value;
}

/**
 * The props of a stored element from its flat value map (see `flattenElementMap`): id keys
 * (`uid`, `eid`) and tokens (`id`, `label`) left out, stringList values decoded.
 */
export function decodeProps(values: PlainRecord): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (ID_KEYS.has(key) || value === null) continue;
    if (!KEY_TYPES.has(key)) continue;
    props[key] = decodeValue(key, value);
  }
  return props;
}
