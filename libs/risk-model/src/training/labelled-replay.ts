import {
  activitiesOf,
  AlertCollector,
  identifierUsesOf,
  MemoryAccountDirectory,
  StreamDetectionEngine,
} from '@app/detectors';
import type { DetectionChunk, DetectorRegistry } from '@app/detectors';
import { familyOf } from '@app/vocabulary';
import type { BaseMoney, GroundTruthRecord } from '@app/vocabulary';
import { FEATURE_NAMES } from '../features/feature-set';
import { MovementFeatureExtractor } from '../features/feature-extractor';
import type { SplitMetrics } from '../model/risk-model-file';

// The labelled replay shared by `seeder train` and `seeder compare-models`: the features of
// every movement, its label, the temporal split and the minority-class metrics.

const HOUR_MS = 3_600_000;
/** Shares of the time span: train up to 60%, validation 60–80%, test the last 20%. */
export const VALIDATION_FROM_SHARE = 0.6;
export const TEST_FROM_SHARE = 0.8;

export interface ReplayOptions {
  money: BaseMoney;
  highRiskJurisdictions: readonly string[];
  /** Since when the data is complete (generated banks: the first simulated day). */
  observedSince?: number;
  onChunk?: (movements: number) => void;
}

/** Features of every movement, in replay order, with what is needed to label and split them. */
export interface Collected {
  ids: string[];
  times: Float64Array;
  features: Float64Array;
  count: number;
  groundTruth: GroundTruthRecord[];
  ruleFlagged: Set<string>;
}

/**
 * Replays `chunks` through the rules and the feature definition in time order (each movement's
 * features from what came before it) and keeps every movement's id, time and features, the
 * ground truth, and the movements the rules flagged.
 */
export async function collect(
  registry: DetectorRegistry,
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>,
  options: ReplayOptions,
): Promise<Collected> {
  const accounts = new MemoryAccountDirectory();
  const reportingRules = registry.reportingRuleIds();
  const reporting = new Set(reportingRules);
  const engine = new StreamDetectionEngine(registry.instantiate(), accounts, options.observedSince);
  const extractor = new MovementFeatureExtractor({
    accounts,
    money: options.money,
    highRiskJurisdictions: options.highRiskJurisdictions,
    reportingRules,
  });
  const F = FEATURE_NAMES.length;
  const data: Collected = {
    ids: [],
    times: new Float64Array(1024),
    features: new Float64Array(1024 * F),
    count: 0,
    groundTruth: [],
    ruleFlagged: new Set(),
  };
  const alerts = new AlertCollector();
  for await (const chunk of chunks) {
    accounts.add(chunk.vertices, chunk.edges);
    // Identifier uses first: each movement then counts those that began before it.
    for (const use of identifierUsesOf(chunk.edges)) extractor.onIdentifierUse(use);
    for (const activity of activitiesOf(chunk)) {
      if (activity.type === 'event') {
        engine.onEvent(activity.event);
        continue;
      }
      const raised = engine.onMovement(activity.movement);
      for (const alert of raised) alerts.add(alert);
      const row = extractor.onMovement(activity.movement, raised);
      if (data.count === data.times.length) grow(data);
      data.ids.push(activity.movement.movementId);
      data.times[data.count] = activity.movement.timestamp;
      data.features.set(row, data.count * F);
      data.count += 1;
    }
    for (const record of chunk.groundTruth ?? []) data.groundTruth.push(record);
    options.onChunk?.(data.count);
  }
  // Rules alone: the evidence of the final version of every AML alert (what `seeder evaluate`
  // scores per transaction), reporting rules left out.
  for (const alert of alerts.alerts()) {
    if (familyOf(alert.typology) !== 'aml' || reporting.has(alert.ruleId)) continue;
    for (const m of alert.movements) data.ruleFlagged.add(m.movementId);
  }
  return data;
}

function grow(data: Collected): void {
  const times = new Float64Array(data.times.length * 2);
  times.set(data.times);
  const features = new Float64Array(data.features.length * 2);
  features.set(data.features);
  data.times = times;
  data.features = features;
}

/** 1 for movements of non-decoy AML instances. */
export function labelsOf(data: Collected): Uint8Array {
  const positive = new Set<string>();
  for (const record of data.groundTruth)
    if (!record.decoy && familyOf(record.typology) === 'aml')
      for (const id of record.movements) positive.add(id);
  const labels = new Uint8Array(data.count);
  for (let i = 0; i < data.count; i += 1) labels[i] = positive.has(data.ids[i]) ? 1 : 0;
  return labels;
}

export function amlworldLabels(records: readonly GroundTruthRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const r of records)
    if (!r.decoy && r.source === 'amlworld' && familyOf(r.typology) === 'aml')
      for (const id of r.movements) ids.add(id);
  return ids;
}

export interface Split {
  spanStart: number;
  validationFrom: number;
  testFrom: number;
  end: number;
}

/**
 * Split points by time, as `seeder evaluate` places its test split: the span runs from the
 * start of the observed period (when after the first movement) to the last movement; each
 * split starts at the UTC hour in which its share of the span falls.
 */
export function splitOf(data: Collected, observedSince?: number): Split {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.count; i += 1) {
    first = Math.min(first, data.times[i]);
    last = Math.max(last, data.times[i]);
  }
  const start =
    observedSince !== undefined && observedSince > first && observedSince <= last
      ? observedSince
      : first;
  const at = (share: number): number =>
    Math.floor((start + share * (last - start)) / HOUR_MS) * HOUR_MS;
  return {
    spanStart: start,
    validationFrom: at(VALIDATION_FROM_SHARE),
    testFrom: at(TEST_FROM_SHARE),
    end: last,
  };
}

export function metricsOf(
  count: number,
  labels: Uint8Array,
  include: (i: number) => boolean,
  flagged: (i: number) => boolean,
): SplitMetrics {
  let movements = 0;
  let labelled = 0;
  let predicted = 0;
  let truePositives = 0;
  for (let i = 0; i < count; i += 1) {
    if (!include(i)) continue;
    movements += 1;
    const positive = labels[i] === 1;
    const flag = flagged(i);
    if (positive) labelled += 1;
    if (flag) predicted += 1;
    if (positive && flag) truePositives += 1;
  }
  const ratio = (a: number, b: number): number | null =>
    b === 0 ? null : Math.round((a / b) * 10_000) / 10_000;
  return {
    movements,
    labelled,
    predicted,
    truePositives,
    precision: ratio(truePositives, predicted),
    recall: ratio(truePositives, labelled),
    f1: predicted + labelled === 0 ? null : ratio(2 * truePositives, predicted + labelled),
  };
}
