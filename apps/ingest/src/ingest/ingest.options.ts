import { IngestConfig, IngestSettings, loadSettings } from '@app/settings';

/** Micro-batching and behaviour of the ingest worker (from the `ingest` settings). */
export interface IngestOptions {
  /** Most messages written to the graph in one batch (`INGEST_BATCH_SIZE`). */
  batchSize: number;
  /** Longest wait for a batch to fill before it is written anyway (`INGEST_BATCH_WINDOW_MS`). */
  batchWindowMs: number;
  /** Movements and events remembered so a redelivered one is not fed to detection twice. */
  detectedMemory: number;
  /** Vertices and edges whose newest written version is remembered (see `EntityVersions`). */
  versionMemory: number;
  /** First pause before a held batch is tried again during a graph outage (`INGEST_OUTAGE_RETRY_INITIAL_MS`). */
  outageRetryInitialMs: number;
  /** Longest pause between tries during a graph outage (`INGEST_OUTAGE_RETRY_MAX_MS`). */
  outageRetryMaxMs: number;
  /** Least wait for a missing end vertex before dead-lettering (`INGEST_MISSING_ENTITY_WAIT_MS`). */
  missingEntityWaitMs: number;
  /** Batches of one topic written at once (`INGEST_WRITE_CONCURRENCY`). */
  writeConcurrency: number;
  /** Longest hold in the worker for a missing end vertex (`INGEST_HOLD_MISSING_MS`); 0 = none. */
  holdMissingMs: number;
  /** Most messages per topic held at once (`INGEST_HOLD_MAX_MESSAGES`). */
  holdMaxMessages: number;
  /**
   * Pause before a held message is tried again when no batch of entities wrote what it waits
   * for; doubled after each such try, up to 8 times this.
   */
  holdRetryMs: number;
  /** Longest wait of a stop for the writes under way (`INGEST_STOP_TIMEOUT_MS`). */
  stopTimeoutMs: number;
}

/** First pause before a held message is tried again without a trigger (no setting: a reaction time, not a knob). */
export const DEFAULT_HOLD_RETRY_MS = 200;

/** Movements and events remembered for detection (no setting: memory bound, not a tuning knob). */
export const DEFAULT_DETECTED_MEMORY = 100_000;

/**
 * Vertices and edges whose newest written version is remembered, so that an older message of
 * one of them arriving late is not written over it (no setting: memory bound, about 100 bytes
 * each).
 */
export const DEFAULT_VERSION_MEMORY = 200_000;

/** The worker's options from the validated `ingest` settings. */
export function ingestOptionsFrom(config: IngestConfig): IngestOptions {
  return {
    batchSize: config.batchSize,
    batchWindowMs: config.batchWindowMs,
    detectedMemory: DEFAULT_DETECTED_MEMORY,
    versionMemory: DEFAULT_VERSION_MEMORY,
    outageRetryInitialMs: config.outageRetryInitialMs,
    outageRetryMaxMs: Math.max(config.outageRetryInitialMs, config.outageRetryMaxMs),
    missingEntityWaitMs: config.missingEntityWaitMs,
    writeConcurrency: config.writeConcurrency,
    holdMissingMs: config.holdMissingMs,
    holdMaxMessages: config.holdMaxMessages,
    holdRetryMs: DEFAULT_HOLD_RETRY_MS,
    stopTimeoutMs: config.stopTimeoutMs,
  };
}

/** The options with every `ingest` setting at its documented default (tests, benchmarks). */
export const DEFAULT_INGEST_OPTIONS: IngestOptions = ingestOptionsFrom(
  loadSettings(IngestSettings, {}),
);

export const INGEST_OPTIONS = Symbol('INGEST_OPTIONS');

/** Optional logger for the worker (tests); Nest's logger otherwise. */
export const INGEST_LOGGER = Symbol('INGEST_LOGGER');

/** The durable subscription on the dead-letter topic that `replay-dlq` reads. */
export const DLQ_REPLAY_SUBSCRIPTION = 'dlq-replay';
