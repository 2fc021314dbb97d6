import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GraphStore } from '@app/graph-store';

/** The store reads of a ring search (FraudRingService and the holders it reads). */
export const YIELDING_READS: ReadonlySet<PropertyKey> = new Set<keyof GraphStore>([
  'findSharedIdentifiers',
  'getHolders',
]);

/**
 * The store, except that each read of YIELDING_READS starts on a fresh turn of the event loop
 * and hands its answer back on another one.
 *
 * A ring search alternates store reads with long synchronous work (linking the accounts that
 * share identifiers, twice, in libs/detectors). On the embedded store the reads answer at once,
 * so without these turns a whole search ran in one go and held every other request, health
 * checks included, until it was done. With them, the process serves waiting requests between
 * the phases of a search, and between two searches. Other methods and properties are the
 * store's own.
 */
export function yieldingGraphStore(store: GraphStore): GraphStore {
  return new Proxy(store, {
    get(target, property): unknown {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function' || !YIELDING_READS.has(property)) return value;
      return async (...args: unknown[]): Promise<unknown> => {
        await nextTurn();
        const answer: unknown = await Reflect.apply(value, target, args);
        await nextTurn();
        return answer;
      };
    },
  });
}
