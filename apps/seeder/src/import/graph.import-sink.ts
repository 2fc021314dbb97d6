import type { ImportChunk, ImportSummary } from '@app/generators';
import {
  type GraphStore,
  type GraphStoreWriter,
  outageWaitingWriter,
  type UpsertResult,
} from '@app/graph-store';
import { graphOutageWait } from '../graph-outage';
import { JsonlImportSink } from './jsonl.import-sink';
import type { ImportSink } from './import-sink';

/**
 * Upserts vertices and edges into the graph store, chunk by chunk (vertices first, so that an
 * edge's ends exist). The ground truth is not graph data: it goes to the output folder as JSON
 * lines, with the summary and the upsert counts.
 *
 * The graph cannot be written atomically: if an import fails half-way, what was upserted stays.
 * Upserts are idempotent (same business ids), so running the import again completes it. While
 * the store does not answer (a restart), a chunk's write is tried again for `outageWaitMs`.
 */
export class GraphImportSink implements ImportSink {
  private readonly written: UpsertResult = { created: 0, updated: 0, unchanged: 0 };

  private readonly writer: GraphStoreWriter;

  private constructor(
    private readonly store: GraphStore,
    private readonly files: JsonlImportSink,
    outageWaitMs: number,
  ) {
    this.writer = outageWaitingWriter(store, graphOutageWait(outageWaitMs));
  }

  /**
   * `outageWaitMs` (GRAPH_OUTAGE_WAIT_MS): how long a chunk's write keeps trying a graph store
   * that does not answer before the import fails (0: at once).
   */
  static async open(store: GraphStore, dir: string, outageWaitMs = 0): Promise<GraphImportSink> {
    return new GraphImportSink(
      store,
      await JsonlImportSink.open(dir, ['groundTruth']),
      outageWaitMs,
    );
  }

  async write(chunk: ImportChunk): Promise<void> {
    if (chunk.vertices.length > 0) this.add(await this.writer.upsertVertices(chunk.vertices));
    if (chunk.edges.length > 0) this.add(await this.writer.upsertEdges(chunk.edges));
    await this.files.write({ vertices: [], edges: [], groundTruth: chunk.groundTruth });
  }

  async close(summary: ImportSummary): Promise<void> {
    const withGraph: ImportSummary & { graph: UpsertResult & { backend: string } } = {
      ...summary,
      graph: { backend: this.store.backend, ...this.written },
    };
    await this.files.close(withGraph);
  }

  async abort(): Promise<void> {
    await this.files.abort();
  }

  private add(result: UpsertResult): void {
    this.written.created += result.created;
    this.written.updated += result.updated;
    this.written.unchanged += result.unchanged;
  }
}
