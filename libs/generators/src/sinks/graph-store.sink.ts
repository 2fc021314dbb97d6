import type { GraphStore, UpsertResult } from '@app/graph-store';
import type { GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';
import type { DatasetSink } from './dataset-sink';

/** The part of the GraphStore port this sink needs (so tests can pass a small fake). */
export type GraphStoreWriter = Pick<GraphStore, 'upsertVertices' | 'upsertEdges'>;

/**
 * Loads a dataset into a graph store in batches of `batchSize` (GRAPH_BATCH_SIZE), every vertex
 * batch before the edge batches that follow it. Ground truth is not graph data: it is kept and
 * returned by `groundTruth()`.
 *
 * A graph store cannot be written atomically: after a failure what was upserted stays. Upserts
 * are idempotent (business ids), so running the load again completes it.
 */
export class GraphStoreSink implements DatasetSink {
  private vertices: GraphVertex[] = [];
  private edges: GraphEdge[] = [];
  private readonly records: GroundTruthRecord[] = [];
  readonly written: UpsertResult = { created: 0, updated: 0, unchanged: 0 };

  constructor(
    private readonly store: GraphStoreWriter,
    private readonly batchSize: number,
  ) {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batchSize must be a whole number, at least 1 (got ${batchSize})`);
  }

  async writeVertices(batch: readonly GraphVertex[]): Promise<void> {
    await this.flushEdges();
    for (const vertex of batch) {
      this.vertices.push(vertex);
      if (this.vertices.length >= this.batchSize) await this.flushVertices();
    }
  }

  async writeEdges(batch: readonly GraphEdge[]): Promise<void> {
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

  async close(): Promise<void> {
    await this.flushVertices();
    await this.flushEdges();
  }

  abort(): Promise<void> {
    this.vertices = [];
    this.edges = [];
    return Promise.resolve();
  }

  private async flushVertices(): Promise<void> {
    if (this.vertices.length === 0) return;
    const batch = this.vertices;
    this.vertices = [];
    this.add(await this.store.upsertVertices(batch));
  }

  private async flushEdges(): Promise<void> {
    if (this.edges.length === 0) return;
    const batch = this.edges;
    this.edges = [];
    this.add(await this.store.upsertEdges(batch));
  }

  private add(result: UpsertResult): void {
    this.written.created += result.created;
    this.written.updated += result.updated;
    this.written.unchanged += result.unchanged;
  }
}
