import {
  EDGE_LABELS,
  type EdgeLabel,
  type GraphEdge,
  type GraphVertex,
  type GroundTruthRecord,
  VERTEX_LABELS,
  type VertexLabel,
} from '@app/vocabulary';
import type { DatasetChunk } from '../bank/dataset.model';

/**
 * Where a generated dataset goes: files (JSON lines, CSV) or a graph store. Calls come in the
 * order of the chunks (vertices before the edges that refer to them). `close` commits the
 * output; `abort` discards what was written where that is possible (files), so that a failed
 * run never leaves half-written output behind.
 */
export interface DatasetSink {
  writeVertices(batch: readonly GraphVertex[]): Promise<void>;
  writeEdges(batch: readonly GraphEdge[]): Promise<void>;
  writeGroundTruth(records: readonly GroundTruthRecord[]): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** What a dataset contains: counts per label and injected instances and decoys per typology. */
export interface DatasetSummary {
  vertices: Record<VertexLabel, number>;
  edges: Record<EdgeLabel, number>;
  instances: Record<string, number>;
  decoys: Record<string, number>;
}

export function emptySummary(): DatasetSummary {
  return {
    vertices: Object.fromEntries(VERTEX_LABELS.map((l) => [l, 0])) as Record<VertexLabel, number>,
    edges: Object.fromEntries(EDGE_LABELS.map((l) => [l, 0])) as Record<EdgeLabel, number>,
    instances: {},
    decoys: {},
  };
}

export function addToSummary(
  summary: DatasetSummary,
  chunk: {
    vertices: readonly GraphVertex[];
    edges: readonly GraphEdge[];
    groundTruth: readonly GroundTruthRecord[];
  },
): void {
  for (const vertex of chunk.vertices) summary.vertices[vertex.label]++;
  for (const edge of chunk.edges) summary.edges[edge.label]++;
  for (const record of chunk.groundTruth) {
    const bucket = record.decoy ? summary.decoys : summary.instances;
    bucket[record.typology] = (bucket[record.typology] ?? 0) + 1;
  }
}

/**
 * Writes a stream of chunks into a sink and commits it; on any failure the sink is aborted
 * and the error rethrown. `onChunk` sees every chunk after it was written (progress bars).
 */
export async function writeDataset(
  chunks: AsyncIterable<DatasetChunk>,
  sink: DatasetSink,
  onChunk?: (chunk: DatasetChunk, summary: DatasetSummary) => void,
): Promise<DatasetSummary> {
  const summary = emptySummary();
  try {
    for await (const chunk of chunks) {
      if (chunk.vertices.length > 0) await sink.writeVertices(chunk.vertices);
      if (chunk.edges.length > 0) await sink.writeEdges(chunk.edges);
      if (chunk.groundTruth.length > 0) await sink.writeGroundTruth(chunk.groundTruth);
      addToSummary(summary, chunk);
      onChunk?.(chunk, summary);
    }
    await sink.close();
  } catch (error: unknown) {
    await sink.abort();
    throw error;
  }
  return summary;
}

/**
 * Writes every call to several sinks in turn (for example the graph store and a folder holding
 * the ground truth); closes them in order, or aborts all of them.
 */
export class TeeSink implements DatasetSink {
  constructor(private readonly sinks: readonly DatasetSink[]) {}

  async writeVertices(batch: readonly GraphVertex[]): Promise<void> {
    for (const sink of this.sinks) await sink.writeVertices(batch);
  }

  async writeEdges(batch: readonly GraphEdge[]): Promise<void> {
    for (const sink of this.sinks) await sink.writeEdges(batch);
  }

  async writeGroundTruth(records: readonly GroundTruthRecord[]): Promise<void> {
    for (const sink of this.sinks) await sink.writeGroundTruth(records);
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close();
  }

  async abort(): Promise<void> {
    for (const sink of this.sinks) await sink.abort();
  }
}
