/** What a ground-truth record needs to know of one imported movement. */
export interface MovementRef {
  eid: string;
  timestamp: number;
  /** Tie-breaker for movements at the same instant: the line (or id order) in the source. */
  order: number;
  from: string;
  to: string;
}

/** Movements by time, then source order, then id: the order `GroundTruthRecord.movements` wants. */
export function inTimeOrder(refs: readonly MovementRef[]): MovementRef[] {
  const byId = (a: MovementRef, b: MovementRef): number =>
    a.eid < b.eid ? -1 : a.eid > b.eid ? 1 : 0;
  return [...refs].sort((a, b) => a.timestamp - b.timestamp || a.order - b.order || byId(a, b));
}

/** Accounts in order of first appearance along the (ordered) movements, after `first`. */
export function entitiesOf(
  ordered: readonly MovementRef[],
  first: readonly string[] = [],
): string[] {
  const entities = new Set<string>(first);
  for (const ref of ordered) {
    entities.add(ref.from);
    entities.add(ref.to);
  }
  return [...entities];
}

/** The window from the first to the last movement, or nothing for an empty list. */
export function windowOf(ordered: readonly MovementRef[]): {
  window?: { from: number; to: number };
} {
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  return first && last ? { window: { from: first.timestamp, to: last.timestamp } } : {};
}
