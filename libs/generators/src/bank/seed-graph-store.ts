import type { UpsertResult } from '@app/graph-store';
import type { GroundTruthRecord } from '@app/vocabulary';
import { type DatasetChunk } from './dataset.model';
import { type DatasetSummary, writeDataset } from '../sinks/dataset-sink';
import { GraphStoreSink, type GraphStoreWriter } from '../sinks/graph-store.sink';
import type { GenerateBankOptions } from './bank-options';
import { generateBank } from './generate-bank';

export interface SeedGraphStoreOptions extends GenerateBankOptions {
  /** Items per upsert (GRAPH_BATCH_SIZE; default 200). */
  batchSize?: number;
  /** Upserts in flight at once (GRAPH_WRITE_CONCURRENCY; default 4). */
  writeConcurrency?: number;
  /** Called after each chunk was written (progress). */
  onChunk?: (chunk: DatasetChunk, summary: DatasetSummary) => void;
}

export interface SeedResult {
  summary: DatasetSummary;
  written: UpsertResult;
  groundTruth: readonly GroundTruthRecord[];
}

/**
 * Generates a synthetic bank straight into a graph store (the API seeds its memory store with
 * this at start when APP_SEED_ON_START is true). Returns the counts and the ground truth.
 */
export async function seedGraphStore(
  store: GraphStoreWriter,
  options: SeedGraphStoreOptions,
): Promise<SeedResult> {
  const sink = new GraphStoreSink(store, options.batchSize ?? 200, options.writeConcurrency);
  const summary = await writeDataset(generateBank(options), sink, options.onChunk);
  return { summary, written: sink.written, groundTruth: sink.groundTruth() };
}
