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
  return scoreDetection(registry, detection, dataset.groundTruth, options, clock() - started);
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
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>,
  options: EvaluateDatasetOptions & Pick<ChunkedDetectionOptions, 'onChunk'> = {},
  clock: () => number = Date.now,
): Promise<DatasetEvaluation> {
  const started = clock();
  // Time spent waiting for chunks is the source's (generation or reading), not detection's.
  let sourceMs = 0;
  async function* timed(): AsyncGenerator<DetectionChunk> {
    const iterator =
      Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
    for (;;) {
      const asked = clock();
      const next = await iterator.next();
      sourceMs += clock() - asked;
      if (next.done === true) return;
      yield next.value;
    }
  }
  const detection = await detectInChunks(
    registry.instantiate(options.rules, options.parameters),
    timed(),
    { observedSince: options.observedSince, onChunk: options.onChunk },
  );
  return scoreDetection(
    registry,
    detection,
    detection.groundTruth,
    { ...options, facts: { ...options.facts, generationMs: sourceMs } },
    clock() - started - sourceMs,
  );
}

function scoreDetection(
  registry: DetectorRegistry,
  detection: BatchResult,
  groundTruth: readonly GroundTruthRecord[],
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
    summary: { dataset: facts, raw, consolidated, covered: coveredBy.size },
    detection: {
      alerts: detection.alerts,
      movements: detection.movements,
      events: detection.events,
      rules: detection.rules,
    },
    durationMs,
  };
}
