import { process as gremlinProcess } from 'gremlin';

/*
 * The Gremlin building blocks adapters need, re-exported once so that every traversal of the
 * code base is built from the same driver objects (and typings patched in one place).
 */

type GraphTraversal = gremlinProcess.GraphTraversal;

/**
 * Anonymous traversals (`__.out()`), with mid-traversal `E()` and the `asString()` string step
 * (both TinkerPop 3.7, both in the driver, missing from its typings) typed.
 */
export const __ = gremlinProcess.statics as gremlinProcess.Statics & {
  E: (...ids: unknown[]) => GraphTraversal;
  asString: () => GraphTraversal;
};

export const P = gremlinProcess.P;
export const TextP = gremlinProcess.TextP;
export const t = gremlinProcess.t;
export const order = gremlinProcess.order;
export const column = gremlinProcess.column;
export const scope = gremlinProcess.scope;
export const cardinality = gremlinProcess.cardinality;
/** `Merge.onCreate` / `onMatch` / `outV` / `inV` tokens of `mergeV()` and `mergeE()`. */
export const merge = gremlinProcess.merge;
/** `Direction.OUT` / `IN`: the ends of an edge in a `mergeE()` map. */
export const direction = gremlinProcess.direction;
/** Reducers of side effects (`withSideEffect(key, initial, operator.addAll)`). */
export const operator = gremlinProcess.operator;

/**
 * One of JanusGraph's own predicates (Text.textContainsPrefix and the like), which TinkerPop's
 * driver does not know. The GraphSON writer of our connection sends it as JanusGraph's
 * `janusgraph:JanusGraphP` type (see janusGraphPredicateSerializer).
 */
export class JanusGraphPredicate {
  constructor(
    readonly predicate: 'textContainsPrefix' | 'textContains',
    readonly value: string,
  ) {}
}

/**
 * JanusGraph's full-text predicate "a word of the text begins with `prefix`", answered by a mixed
 * index with a TEXT or TEXTSTRING mapping. JanusGraph lower-cases indexed words, so pass `prefix`
 * lower-cased. Without a mixed index JanusGraph evaluates it itself, more slowly, with the same
 * meaning (words of 2 or more letters or digits).
 */
export function textContainsPrefix(prefix: string): JanusGraphPredicate {
  return new JanusGraphPredicate('textContainsPrefix', prefix);
}

/** What the driver's GraphSON writer calls for values it has no serializer of its own for. */
interface CustomTypeSerializer {
  canBeUsedFor(value: unknown): boolean;
  serialize(value: unknown): unknown;
}

/** GraphSON v3 form of a JanusGraphPredicate, as JanusGraph Server's reader expects it. */
export const janusGraphPredicateSerializer: CustomTypeSerializer = {
  canBeUsedFor: (value) => value instanceof JanusGraphPredicate,
  serialize: (value) => {
    const item = value as JanusGraphPredicate;
    return {
      '@type': 'janusgraph:JanusGraphP',
      '@value': { predicate: item.predicate, value: item.value },
    };
  },
};
