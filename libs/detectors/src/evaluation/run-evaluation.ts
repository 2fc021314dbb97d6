import type { GroundTruthRecord } from '@app/vocabulary';
import { detectInDataset } from '../engine/batch-detection';
import type { BatchResult } from '../engine/batch-detection';
import { consolidateAlerts } from '../engine/consolidation';
import type { DetectionDataset } from '../engine/dataset';
import { detectInChunks } from '../engine/chunked-detection';
import type { ChunkedDetectionOptions, DetectionChunk } from '../engine/chunked-detection';
import type { ParameterOverrides } from '../core/parameters';
import type { DetectorRegistry } from '../registry/detector.registry';
import { evaluateAlerts } from './evaluation';
import type { EvaluationSummary } from './evaluation';
import { TransactionScorer } from './transaction-scores';

export interface EvaluateDatasetOptions {
  /** Rule ids (all when absent). */
  rules?: readonly string[];
  parameters?: ParameterOverrides;
  /**
   * Since when the dataset is complete. Generated banks hold older movements for a few
   * accounts only (dormant histories), so pass the start of the simulated period.
   */
  observedSince?: number;
  /** Facts about the dataset shown in the report (profile, seed, days…). */
  facts?: Readonly<Record<string, string | number>>;
}

export interface DatasetEvaluation {
  summary: EvaluationSummary;
  detection: BatchResult;
  durationMs: number;
}

/**
 * Runs every chosen rule over an in-memory dataset (batch mode, all activities replayed in
 * time order) and scores the alerts against the dataset's ground truth, raw and after case
 * consolidation.
 */
export function evaluateDataset(
  registry: DetectorRegistry,
  dataset: DetectionDataset & { groundTruth: readonly GroundTruthRecord[] },
  options: EvaluateDatasetOptions = {},
  clock: () => number = Date.now,
): DatasetEvaluation {
  const started = clock();
  const detection = detectInDataset(
    registry.instantiate(options.rules, options.parameters),
    dataset,
    {
      observedSince: options.observedSince,
    },
  );
  const scorer = new TransactionScorer(options.observedSince);
  scorer.addGroundTruth(dataset.groundTruth);
  observeChunk(scorer, dataset);
  return scoreDetection(
    registry,
    detection,
    dataset.groundTruth,
    scorer,
    options,
    clock() - started,
  );
}

/** Hands a chunk's accounts and movements to the per-transaction and per-account scorer. */
function observeChunk(scorer: TransactionScorer, chunk: DetectionDataset): void {
  scorer.addVertices(chunk.vertices);
  for (const edge of chunk.edges)
    if (edge.label === 'TRANSFERRED')
      scorer.observe({ movementId: edge.eid, timestamp: edge.props.timestamp });
}

/** Chunks to read once; `reread` (below) reads them again when needed. */
export type ChunkSource = AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>;

export interface EvaluateChunksOptions
  extends EvaluateDatasetOptions, Pick<ChunkedDetectionOptions, 'onChunk'> {
  /**
   * Reads the same chunks again. When the ground truth comes after the movements (generated
   * banks put it in the last chunk), the labelled movements are dated by this second read
   * (movements only, no detection) for the temporal test split; without it they are reported
   * as not seen.
   */
  reread?: () => ChunkSource;
}

/**
 * The same evaluation over a dataset that arrives in chunks (`generateBank`'s output), in
 * bounded memory: movements are replayed as they come and dropped (see `detectInChunks`); the
 * ground truth is read from the chunks. Gives the same scores as `evaluateDataset` over the same
 * data held in memory. The facts gain `generationMs`, the time spent producing the chunks;
 * `detectionMs` is the rest.
 */
export async function evaluateChunks(
  registry: DetectorRegistry,
  chunks: ChunkSource,
  options: EvaluateChunksOptions = {},
  clock: () => number = Date.now,
): Promise<DatasetEvaluation> {
  const started = clock();
  // Time spent waiting for chunks is the source's (generation or reading), not detection's.
  let sourceMs = 0;
  async function* timed(source: ChunkSource): AsyncGenerator<DetectionChunk> {
    const iterator =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    for (;;) {
      const asked = clock();
      const next = await iterator.next();
      sourceMs += clock() - asked;
      if (next.done === true) return;
      yield next.value;
    }
  }
  const scorer = new TransactionScorer(options.observedSince);
  async function* observed(): AsyncGenerator<DetectionChunk> {
    for await (const chunk of timed(chunks)) {
      scorer.addGroundTruth(chunk.groundTruth ?? []);
      observeChunk(scorer, chunk);
      yield chunk;
    }
  }
  const detection = await detectInChunks(
    registry.instantiate(options.rules, options.parameters),
    observed(),
    { observedSince: options.observedSince, onChunk: options.onChunk },
  );
  const generationMs = sourceMs;
  if (scorer.undated > 0 && options.reread) {
    for await (const chunk of timed(options.reread())) {
      for (const edge of chunk.edges)
        if (edge.label === 'TRANSFERRED')
          scorer.date({ movementId: edge.eid, timestamp: edge.props.timestamp });
    }
  }
  return scoreDetection(
    registry,
    detection,
    detection.groundTruth,
    scorer,
    {
      ...options,
      facts: {
        ...options.facts,
        generationMs,
        ...(sourceMs > generationMs ? { rereadMs: sourceMs - generationMs } : {}),
      },
    },
    clock() - started - sourceMs,
  );
}

function scoreDetection(
  registry: DetectorRegistry,
  detection: BatchResult,
  groundTruth: readonly GroundTruthRecord[],
  scorer: TransactionScorer,
  options: EvaluateDatasetOptions,
  durationMs: number,
): DatasetEvaluation {
  const reportingRules = registry.reportingRuleIds();
  const facts = {
    ...options.facts,
    movements: detection.movements,
    events: detection.events,
    alerts: detection.alerts.length,
    detectionMs: durationMs,
  };
  const raw = evaluateAlerts(detection.alerts, groundTruth, facts, { reportingRules });
  const { kept, coveredBy } = consolidateAlerts(detection.alerts, (id) =>
    registry.specificityOf(id),
  );
  const consolidated = evaluateAlerts(kept, groundTruth, facts, { reportingRules });
  return {
    summary: {
      dataset: facts,
      raw,
      consolidated,
      covered: coveredBy.size,
      // Consolidation folds an alert only into one holding all its movements, so the flagged
      // movements are the same before and after it: the raw alerts are scored.
      transactions: scorer.transactions(detection.alerts, reportingRules),
      accounts: scorer.accountScores(detection.alerts, reportingRules),
    },
    detection: {
      alerts: detection.alerts,
      movements: detection.movements,
      events: detection.events,
      rules: detection.rules,
      unconverted: detection.unconverted,
    },
    durationMs,
  };
}
