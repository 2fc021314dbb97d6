import type { GroundTruthRecord } from '@app/vocabulary';
import { detectInDataset } from '../engine/batch-detection';
import type { BatchResult } from '../engine/batch-detection';
import { consolidateAlerts } from '../engine/consolidation';
import type { DetectionDataset } from '../engine/dataset';
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
  const durationMs = clock() - started;
  const reportingRules = registry.reportingRuleIds();
  const facts = {
    ...options.facts,
    movements: detection.movements,
    events: detection.events,
    alerts: detection.alerts.length,
    detectionMs: durationMs,
  };
  const raw = evaluateAlerts(detection.alerts, dataset.groundTruth, facts, { reportingRules });
  const { kept, coveredBy } = consolidateAlerts(detection.alerts, (id) =>
    registry.specificityOf(id),
  );
  const consolidated = evaluateAlerts(kept, dataset.groundTruth, facts, { reportingRules });
  return {
    summary: { dataset: facts, raw, consolidated, covered: coveredBy.size },
    detection,
    durationMs,
  };
}
