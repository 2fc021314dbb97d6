import type { GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';

export type DatasetStage = 'population' | 'movements' | 'ground-truth';

/**
 * One piece of a generated dataset. Chunks arrive in an order that is safe to load as it comes:
 * every vertex before the first edge that refers to it (population vertices, then structural
 * edges, then day by day the events and movements, each day's event vertices before its
 * edges), and the ground truth last.
 */
export interface DatasetChunk {
  stage: DatasetStage;
  vertices: GraphVertex[];
  edges: GraphEdge[];
  groundTruth: GroundTruthRecord[];
  /** Progress within the stage: population chunks, simulated days, or 1 of 1 for ground truth. */
  progress: { done: number; total: number };
}

/** A whole dataset in memory (tiny and small profiles only; large ones must be streamed). */
export interface InMemoryDataset {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  groundTruth: GroundTruthRecord[];
}
