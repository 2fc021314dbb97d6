/**
 * The newest version of each vertex and edge this worker wrote from the entities topic, by the
 * `occurredAt` of its envelope (when the change happened at the source), for the most recently
 * written `capacity` of them.
 *
 * Why: a message is not always written in the order it was published. One held for a missing
 * end vertex is tried again after newer batches; one sent back through the broker (a nack, a
 * copy published to wait longer, a bundle delivered again) comes back behind newer messages.
 * Each carries the whole state of its vertex or edge, so writing an older one after a newer one
 * would put the older state back. The processor asks `newerThan` before it writes an entity
 * message, and acknowledges it without a write when a newer version is already written
 * (`superseded`). Equal times are not ordered: such messages are written, the later delivery
 * last, as before.
 *
 * What it does not cover: the memory is per process and bounded (a restarted worker, or an
 * element written longer ago than the last `capacity` writes, is not remembered), and versions
 * written by another worker or another path (an import, the API) are not known here. Producers
 * that change one element often should keep its messages under one key, so Key_Shared keeps
 * them on one worker and in order (docs/streaming.md).
 */
export class EntityVersions {
  /** Key → `occurredAt` of the newest written version; insertion order = least recently written first. */
  private readonly newest = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  /** The `occurredAt` of a written version of `key` newer than `at`, if there is one. */
  newerThan(key: string, at: number): number | undefined {
    const newest = this.newest.get(key);
    return newest !== undefined && newest > at ? newest : undefined;
  }

  /** A version of `key` that happened at `at` was written. */
  wrote(key: string, at: number): void {
    const newest = this.newest.get(key);
    this.newest.delete(key);
    this.newest.set(key, newest !== undefined && newest > at ? newest : at);
    if (this.newest.size > this.capacity) {
      const oldest = this.newest.keys().next();
      if (oldest.done !== true) this.newest.delete(oldest.value);
    }
  }

  /** Versions remembered now. */
  get size(): number {
    return this.newest.size;
  }
}

/** The `EntityVersions` key of a vertex. */
export function vertexVersionKey(uid: string): string {
  return `v ${uid}`;
}

/** The `EntityVersions` key of an edge. */
export function edgeVersionKey(eid: string): string {
  return `e ${eid}`;
}
