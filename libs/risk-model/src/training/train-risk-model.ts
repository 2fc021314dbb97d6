import { createHash } from 'node:crypto';
import {
  activitiesOf,
  AlertCollector,
  MemoryAccountDirectory,
  StreamDetectionEngine,
} from '@app/detectors';
import type { DetectionChunk, DetectorRegistry } from '@app/detectors';
import { familyOf, InvalidInputError } from '@app/vocabulary';
import type { BaseMoney, GroundTruthRecord } from '@app/vocabulary';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../features/feature-set';
import { MovementFeatureExtractor } from '../features/feature-extractor';
import { DEFAULT_BOOSTING, trainBoostedTrees } from '../model/boosted-trees';
import type { BoostingParams } from '../model/boosted-trees';
import { RISK_MODEL_FORMAT, RISK_MODEL_FORMAT_VERSION } from '../model/risk-model-file';
import type { RiskModelFile, SplitMetrics } from '../model/risk-model-file';
import { RiskScorer } from '../model/risk-scorer';
import { seededRandom } from '../model/seeded-random';

const HOUR_MS = 3_600_000;
/** Shares of the time span: train up to 60%, validation 60–80%, test the last 20%. */
export const VALIDATION_FROM_SHARE = 0.6;
export const TEST_FROM_SHARE = 0.8;
/** Training keeps every positive and about this many negatives (seeded sample). */
export const DEFAULT_MAX_TRAIN_NEGATIVES = 60_000;

export interface TrainRiskModelOptions {
  seed: number;
  money: BaseMoney;
  highRiskJurisdictions: readonly string[];
  /** Since when the data is complete (generated banks: the first simulated day). */
  observedSince?: number;
  params?: Partial<BoostingParams>;
  maxTrainNegatives?: number;
  /** Shown in the model file (profile, dataset folder…). */
  facts?: Record<string, string | number>;
  onChunk?: (movements: number) => void;
}

/** Features of every movement, in replay order, with what is needed to label and split them. */
interface Collected {
  ids: string[];
  times: Float64Array;
  features: Float64Array;
  count: number;
  groundTruth: GroundTruthRecord[];
  ruleFlagged: Set<string>;
}

export interface TrainingResult {
  file: RiskModelFile;
  /** How long feature extraction (with the rules) and the boosting took. */
  timings: { featuresMs: number; trainingMs: number };
}

/**
 * `seeder train`: replays a labelled dataset through the rules and the feature definition (in
 * time order, each movement's features from what came before it), splits the movements by time
 * (train < 60% of the span <= validation < 80% <= test, the same test split as
 * `seeder evaluate`), trains gradient-boosted trees on the training part, picks the threshold
 * that maximises F1 on validation and reports on test: the model alone, the rules alone and
 * both (a movement flagged by either).
 */
export async function trainRiskModel(
  registry: DetectorRegistry,
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>,
  options: TrainRiskModelOptions,
  clock: () => number = Date.now,
): Promise<TrainingResult> {
  const params: BoostingParams = { ...DEFAULT_BOOSTING, ...options.params };
  const started = clock();
  const data = await collect(registry, chunks, options);
  const featuresMs = clock() - started;
  if (data.count === 0) throw new InvalidInputError('The dataset has no movements to train on', []);
  const labels = labelsOf(data);
  const split = splitOf(data, options.observedSince);
  const F = FEATURE_NAMES.length;

  // Training rows: every positive before the validation split, and a seeded sample of negatives.
  const random = seededRandom(options.seed);
  let trainNegatives = 0;
  let trainPositives = 0;
  for (let i = 0; i < data.count; i += 1) {
    if (data.times[i] >= split.validationFrom) continue;
    if (labels[i] === 1) trainPositives += 1;
    else trainNegatives += 1;
  }
  if (trainPositives === 0)
    throw new InvalidInputError(
      'No labelled laundering movement falls in the training part of the time span (the first 60%); nothing to learn from',
      [{ field: 'labels', rule: 'need labelled movements before the validation split' }],
    );
  const maxNegatives = options.maxTrainNegatives ?? DEFAULT_MAX_TRAIN_NEGATIVES;
  const rate = Math.min(1, maxNegatives / Math.max(1, trainNegatives));
  const rows: number[] = [];
  for (let i = 0; i < data.count; i += 1) {
    if (data.times[i] >= split.validationFrom) continue;
    const draw = random();
    if (labels[i] === 1 || draw < rate) rows.push(i);
  }
  const values = new Float64Array(rows.length * F);
  const y = new Uint8Array(rows.length);
  rows.forEach((row, k) => {
    values.set(data.features.subarray(row * F, row * F + F), k * F);
    y[k] = labels[row];
  });
  const trainStarted = clock();
  const model = trainBoostedTrees({ rows: rows.length, features: F, values }, y, params);
  const trainingMs = clock() - trainStarted;

  const fingerprint = fingerprintOf(data, labels, params, options.seed, maxNegatives);
  const draft: RiskModelFile = {
    format: RISK_MODEL_FORMAT,
    formatVersion: RISK_MODEL_FORMAT_VERSION,
    modelVersion: `risk-${fingerprint.slice(0, 12)}`,
    featureSet: { version: FEATURE_SET_VERSION, names: [...FEATURE_NAMES] },
    seed: options.seed,
    threshold: 0.5,
    training: {
      fingerprint,
      facts: { ...options.facts, movements: data.count, labelled: sum(labels) },
      split: {
        spanStart: iso(split.spanStart),
        validationFrom: iso(split.validationFrom),
        testFrom: iso(split.testFrom),
        end: iso(split.end),
      },
      rows: { train: rows.length, trainPositives, negativeSampleRate: rate },
      params,
    },
    metrics: {},
    model,
  };
  const scorer = new RiskScorer(draft, {
    accounts: new MemoryAccountDirectory(),
    money: options.money,
    highRiskJurisdictions: options.highRiskJurisdictions,
  });
  const scores = new Float64Array(data.count);
  for (let i = 0; i < data.count; i += 1)
    scores[i] = scorer.score(data.ids[i], data.features.subarray(i * F, i * F + F)).score;
  const inValidation = (i: number): boolean =>
    data.times[i] >= split.validationFrom && data.times[i] < split.testFrom;
  const inTest = (i: number): boolean => data.times[i] >= split.testFrom;
  draft.threshold = bestThreshold(scores, labels, inValidation);
  const ruleFlag = (i: number): boolean => data.ruleFlagged.has(data.ids[i]);
  const modelFlag = (i: number): boolean => scores[i] >= draft.threshold;
  const amlworld = amlworldLabels(data.groundTruth);
  for (const [name, part] of [
    ['validation', inValidation],
    ['test', inTest],
  ] as const) {
    draft.metrics[name] = {
      model: metricsOf(data.count, labels, part, modelFlag),
      rules: metricsOf(data.count, labels, part, ruleFlag),
      rulesAndModel: metricsOf(data.count, labels, part, (i) => ruleFlag(i) || modelFlag(i)),
    };
    if (amlworld.size > 0) {
      // Recall over AMLworld's own movements (grafted by --inject-patterns): the generator's
      // instances are easier, so the mixed figures flatter someone else's patterns.
      const only = (i: number): boolean => part(i) && amlworld.has(data.ids[i]);
      draft.metrics[name].amlworldModel = metricsOf(data.count, labels, only, modelFlag);
      draft.metrics[name].amlworldRules = metricsOf(data.count, labels, only, ruleFlag);
      draft.metrics[name].amlworldRulesAndModel = metricsOf(
        data.count,
        labels,
        only,
        (i) => ruleFlag(i) || modelFlag(i),
      );
    }
  }
  return { file: draft, timings: { featuresMs, trainingMs } };
}

/**
 * Batch feature extraction: every movement of the chunks through the rules and the feature
 * definition in replay order. Returns the movement ids, times and features (row-major).
 */
export async function extractFeatures(
  registry: DetectorRegistry,
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>,
  options: Pick<TrainRiskModelOptions, 'money' | 'highRiskJurisdictions' | 'observedSince'>,
): Promise<{ ids: string[]; features: Float64Array }> {
  const data = await collect(registry, chunks, options);
  return { ids: data.ids, features: data.features.slice(0, data.count * FEATURE_NAMES.length) };
}

async function collect(
  registry: DetectorRegistry,
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>,
  options: Pick<
    TrainRiskModelOptions,
    'money' | 'highRiskJurisdictions' | 'observedSince' | 'onChunk'
  >,
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
function labelsOf(data: Collected): Uint8Array {
  const positive = new Set<string>();
  for (const record of data.groundTruth)
    if (!record.decoy && familyOf(record.typology) === 'aml')
      for (const id of record.movements) positive.add(id);
  const labels = new Uint8Array(data.count);
  for (let i = 0; i < data.count; i += 1) labels[i] = positive.has(data.ids[i]) ? 1 : 0;
  return labels;
}

function amlworldLabels(records: readonly GroundTruthRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const r of records)
    if (!r.decoy && r.source === 'amlworld' && familyOf(r.typology) === 'aml')
      for (const id of r.movements) ids.add(id);
  return ids;
}

interface Split {
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
function splitOf(data: Collected, observedSince?: number): Split {
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

/** The score that maximises F1 on validation (ties: the higher score). */
export function bestThreshold(
  scores: Float64Array,
  labels: Uint8Array,
  include: (i: number) => boolean,
): number {
  const picked: number[] = [];
  let positives = 0;
  for (let i = 0; i < scores.length; i += 1)
    if (include(i)) {
      picked.push(i);
      positives += labels[i];
    }
  if (picked.length === 0 || positives === 0) return 0.5;
  picked.sort((a, b) => scores[b] - scores[a] || a - b);
  let best = 0;
  let threshold = 0.5;
  let tp = 0;
  for (let k = 0; k < picked.length; k += 1) {
    tp += labels[picked[k]];
    const next = picked[k + 1];
    if (next !== undefined && scores[next] === scores[picked[k]]) continue;
    const f1 = (2 * tp) / (k + 1 + positives);
    if (f1 > best) {
      best = f1;
      threshold = scores[picked[k]];
    }
  }
  return Math.min(Math.max(threshold, 1e-6), 1 - 1e-6);
}

function metricsOf(
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

function fingerprintOf(
  data: Collected,
  labels: Uint8Array,
  params: BoostingParams,
  seed: number,
  maxNegatives: number,
): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ FEATURE_SET_VERSION, params, seed, maxNegatives }));
  for (let i = 0; i < data.count; i += 1) hash.update(`${data.ids[i]}\t${labels[i]}\n`);
  const F = FEATURE_NAMES.length;
  hash.update(new Uint8Array(data.features.buffer, 0, data.count * F * 8));
  return hash.digest('hex');
}

function sum(values: Uint8Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
