import type { UpsertResult } from '@app/graph-store';
import { GraphSettings, loadSettings } from '@app/settings';
import type { GroundTruthRecord } from '@app/vocabulary';
import { type DatasetChunk } from './dataset.model';
import { type DatasetSummary, writeDataset } from '../sinks/dataset-sink';
import { GraphStoreSink, type GraphStoreWriter } from '../sinks/graph-store.sink';
import type { GenerateBankOptions } from './bank-options';
import { generateBank } from './generate-bank';

export interface SeedGraphStoreOptions extends GenerateBankOptions {
  /** Items per upsert (GRAPH_BATCH_SIZE; when absent, that setting's default). */
  batchSize?: number;
  /** Upserts in flight at once (GRAPH_WRITE_CONCURRENCY; when absent, that setting's default). */
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
 * The graph settings' defaults (GRAPH_BATCH_SIZE, GRAPH_WRITE_CONCURRENCY), taken from the
 * settings library so that there is one default, not a second copy here. Defaults only: the
 * caller passes the configured values; this library does not read the environment.
 */
function graphDefaults(): Pick<GraphSettings, 'batchSize' | 'writeConcurrency'> {
  return loadSettings(GraphSettings, {});
}

/**
 * Generates a synthetic bank straight into a graph store (the API seeds its memory store with
 * this at start when APP_SEED_ON_START is true). Returns the counts and the ground truth.
 */
export async function seedGraphStore(
  store: GraphStoreWriter,
  options: SeedGraphStoreOptions,
): Promise<SeedResult> {
  const sink = new GraphStoreSink(
    store,
    options.batchSize ?? graphDefaults().batchSize,
    options.writeConcurrency ?? graphDefaults().writeConcurrency,
  );
  const summary = await writeDataset(generateBank(options), sink, options.onChunk);
  return { summary, written: sink.written, groundTruth: sink.groundTruth() };
}
