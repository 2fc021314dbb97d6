/** Micro-batching and behaviour of the ingest worker (no settings exist for these yet). */
export interface IngestOptions {
  /** Most messages written to the graph in one batch. */
  batchSize: number;
  /** Longest wait for a batch to fill before it is written anyway. */
  batchWindowMs: number;
  /** Movement ids remembered so a redelivered movement is not fed to detection twice. */
  detectedMemory: number;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = {
  batchSize: 200,
  batchWindowMs: 50,
  detectedMemory: 100_000,
};

export const INGEST_OPTIONS = Symbol('INGEST_OPTIONS');

/** Optional logger for the worker (tests); Nest's logger otherwise. */
export const INGEST_LOGGER = Symbol('INGEST_LOGGER');
