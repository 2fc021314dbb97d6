import type { EventKind, EventProps, Movement } from '@app/vocabulary';

/** An account event (Event vertex reached through HAS_EVENT), flattened like a movement. */
export interface AccountEvent extends EventProps {
  eventId: string;
  accountId: string;
  kind: EventKind;
}

/** One item of the time-ordered stream the evaluators read. */
export type Activity =
  { type: 'event'; event: AccountEvent } | { type: 'movement'; movement: Movement };

export function timestampOf(activity: Activity): number {
  return activity.type === 'event' ? activity.event.timestamp : activity.movement.timestamp;
}

function idOf(activity: Activity): string {
  return activity.type === 'event' ? activity.event.eventId : activity.movement.movementId;
}

/**
 * The one order of replay: by timestamp, events before movements at the same instant (a login
 * precedes the transfer it enables), then by id. Stream producers are expected to deliver in
 * this order; batch mode sorts by it.
 */
export function compareActivities(a: Activity, b: Activity): number {
  const byTime = timestampOf(a) - timestampOf(b);
  if (byTime !== 0) return byTime;
  if (a.type !== b.type) return a.type === 'event' ? -1 : 1;
  const ia = idOf(a);
  const ib = idOf(b);
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** Movements by timestamp, then id (the store's order). */
export function compareMovements(a: Movement, b: Movement): number {
  return (
    a.timestamp - b.timestamp ||
    (a.movementId < b.movementId ? -1 : a.movementId > b.movementId ? 1 : 0)
  );
}
