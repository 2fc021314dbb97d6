import { process as gremlinProcess } from 'gremlin';

/*
 * The Gremlin building blocks adapters need, re-exported once so that every traversal of the
 * code base is built from the same driver objects (and typings patched in one place).
 */

type GraphTraversal = gremlinProcess.GraphTraversal;

/** Anonymous traversals (`__.out()`), with mid-traversal `E()` (TinkerPop 3.7) typed. */
export const __ = gremlinProcess.statics as gremlinProcess.Statics & {
  E: (...ids: unknown[]) => GraphTraversal;
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
