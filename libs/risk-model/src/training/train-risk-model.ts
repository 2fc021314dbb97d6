import { createHash } from 'node:crypto';
import { MemoryAccountDirectory } from '@app/detectors';
import type { DetectionChunk, DetectorRegistry } from '@app/detectors';
import { InvalidInputError } from '@app/vocabulary';
import type { BaseMoney } from '@app/vocabulary';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../features/feature-set';
import { DEFAULT_BOOSTING, trainBoostedTrees } from '../model/boosted-trees';
import type { BoostingParams } from '../model/boosted-trees';
import { RISK_MODEL_FORMAT, RISK_MODEL_FORMAT_VERSION } from '../model/risk-model-file';
import type { RiskModelFile } from '../model/risk-model-file';
import { RiskScorer } from '../model/risk-scorer';
import { seededRandom } from '../model/seeded-random';
import { amlworldLabels, collect, labelsOf, metricsOf, splitOf } from './labelled-replay';
import type { Collected } from './labelled-replay';

export { TEST_FROM_SHARE, VALIDATION_FROM_SHARE } from './labelled-replay';
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
