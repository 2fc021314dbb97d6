import type { GraphStoreWriter, UpsertResult } from '@app/graph-store';
import type { GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';
import type { DatasetSink } from './dataset-sink';

/** The part of the GraphStore port this sink needs (so tests can pass a small fake). */
export type { GraphStoreWriter } from '@app/graph-store';

/** Batches in flight when the caller does not say (the default of GRAPH_WRITE_CONCURRENCY). */
const DEFAULT_CONCURRENCY = 4;

/**
 * Loads a dataset into a graph store in batches of `batchSize` (GRAPH_BATCH_SIZE), keeping up
 * to `concurrency` batches in flight (GRAPH_WRITE_CONCURRENCY). An edge batch is sent only
 * once every vertex batch before it is stored, so the vertices an edge needs are always there;
 * vertex batches do not wait for edges. Ground truth is not graph data: it is kept and returned
 * by `groundTruth()`.
 *
 * A failed batch stops the load: nothing new is sent, and the error is thrown by the next
 * write or by `close()`. (Callers that should ride out a store restart pass a writer from
 * `outageWaitingWriter`: a batch then fails only once the store stayed unavailable too long.) A graph store cannot be written atomically: after a failure what was
 * upserted stays. Upserts are idempotent (business ids), so running the load again completes it.
 */
export class GraphStoreSink implements DatasetSink {
  private vertices: GraphVertex[] = [];
  private edges: GraphEdge[] = [];
  private readonly records: GroundTruthRecord[] = [];
  /** Batches sent and not settled yet (these promises never reject; see `failure`). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Settles once every vertex batch sent so far has settled. */
  private verticesSettled: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  readonly written: UpsertResult = { created: 0, updated: 0, unchanged: 0 };

  constructor(
    private readonly store: GraphStoreWriter,
    private readonly batchSize: number,
    private readonly concurrency: number = DEFAULT_CONCURRENCY,
  ) {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batchSize must be a whole number, at least 1 (got ${batchSize})`);
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a whole number, at least 1 (got ${concurrency})`);
  }

  async writeVertices(batch: readonly GraphVertex[]): Promise<void> {
    this.throwIfFailed();
    await this.flushEdges();
    for (const vertex of batch) {
      this.vertices.push(vertex);
      if (this.vertices.length >= this.batchSize) await this.flushVertices();
    }
  }

  async writeEdges(batch: readonly GraphEdge[]): Promise<void> {
    this.throwIfFailed();
    await this.flushVertices();
    for (const edge of batch) {
      this.edges.push(edge);
      if (this.edges.length >= this.batchSize) await this.flushEdges();
    }
  }

  writeGroundTruth(records: readonly GroundTruthRecord[]): Promise<void> {
    this.records.push(...records);
    return Promise.resolve();
  }

  groundTruth(): readonly GroundTruthRecord[] {
    return this.records;
  }

  /** Sends what is buffered and waits for every batch; throws the first failure. */
  async close(): Promise<void> {
    await this.flushVertices();
    await this.flushEdges();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  /** Drops what is buffered and waits for the batches in flight, so nothing is written after it. */
  async abort(): Promise<void> {
    this.vertices = [];
    this.edges = [];
    await Promise.all(this.inFlight);
  }

  private async flushVertices(): Promise<void> {
    if (this.vertices.length === 0) return;
    const batch = this.vertices;
    this.vertices = [];
    const { done } = await this.send(() => this.store.upsertVertices(batch), Promise.resolve());
    const before = this.verticesSettled;
    this.verticesSettled = Promise.all([before, done]).then(() => undefined);
  }

  private async flushEdges(): Promise<void> {
    if (this.edges.length === 0) return;
    const batch = this.edges;
    this.edges = [];
    await this.send(() => this.store.upsertEdges(batch), this.verticesSettled);
  }

  /**
   * Waits for a free slot, then starts `upsert` once `after` has settled (unless a batch has
   * failed by then). Resolves as soon as the batch is on its way; `done` settles when it is
   * stored (it never rejects: a failure is kept in `failure`).
   */
  private async send(
    upsert: () => Promise<UpsertResult>,
    after: Promise<void>,
  ): Promise<{ done: Promise<void> }> {
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const batch: Promise<void> = after
      .then(async () => {
        if (this.failure === undefined) this.add(await upsert());
      })
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.inFlight.delete(batch));
    this.inFlight.add(batch);
    return { done: batch };
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  private add(result: UpsertResult): void {
    this.written.created += result.created;
    this.written.updated += result.updated;
    this.written.unchanged += result.unchanged;
  }
}
