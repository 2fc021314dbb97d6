import { MemoryAccountDirectory } from '@app/detectors';
import type { DetectionChunk, DetectorRegistry } from '@app/detectors';
import { InvalidInputError } from '@app/vocabulary';
import { FEATURE_NAMES } from '../features/feature-set';
import type { RiskModelFile, SplitMetrics } from '../model/risk-model-file';
import { RiskScorer } from '../model/risk-scorer';
import { collect, labelsOf, metricsOf, splitOf } from './labelled-replay';
import type { ReplayOptions } from './labelled-replay';

/** One model's figures on the comparison's test split. */
export interface ComparedModel {
  modelVersion: string;
  threshold: number;
  /** Flagged by the model alone (score at or above its own threshold). */
  model: SplitMetrics;
  /** Flagged by the rules or the model. */
  rulesAndModel: SplitMetrics;
  /** The end of the model's own training part (start of its validation part). */
  trainedBefore: string;
  /** Whether its training part reaches into this test split (by dates only). */
  trainedIntoTest: boolean;
}

export type ComparisonVerdict = 'better' | 'worse' | 'equal';

export interface ModelComparison {
  test: { from: string; end: string; movements: number; labelled: number };
  rules: SplitMetrics;
  current: ComparedModel;
  candidate: ComparedModel;
  /** The candidate's F1 (model alone) against the current one's, rounded to 0.01 points. */
  verdict: ComparisonVerdict;
  /** Candidate F1 minus current F1 (model alone), in points of percent. */
  f1Points: number;
}

/**
 * `seeder compare-models`: replays one labelled dataset through the rules and the features once,
 * splits it by time as `seeder train` does (the test part is the last 20% of the span), and
 * scores both models on the same test movements, each with its own threshold. The verdict
 * compares the models alone on minority-class F1. Throws InvalidInputError when the test split
 * has no labelled laundering movement (nothing to compare on).
 */
export async function compareRiskModels(
  registry: DetectorRegistry,
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>,
  models: { current: RiskModelFile; candidate: RiskModelFile },
  options: ReplayOptions,
): Promise<ModelComparison> {
  const data = await collect(registry, chunks, options);
  if (data.count === 0)
    throw new InvalidInputError('The dataset has no movements to compare the models on', []);
  const labels = labelsOf(data);
  const split = splitOf(data, options.observedSince);
  const inTest = (i: number): boolean => data.times[i] >= split.testFrom;
  const ruleFlag = (i: number): boolean => data.ruleFlagged.has(data.ids[i]);
  const rules = metricsOf(data.count, labels, inTest, ruleFlag);
  if (rules.labelled === 0)
    throw new InvalidInputError(
      `No labelled laundering movement falls in the test split (from ${iso(split.testFrom)}): nothing to compare the models on`,
      [{ field: 'labels', rule: 'need labelled movements in the last 20% of the time span' }],
    );
  const F = FEATURE_NAMES.length;
  const score = (file: RiskModelFile): ComparedModel => {
    const scorer = new RiskScorer(file, {
      accounts: new MemoryAccountDirectory(),
      money: options.money,
      highRiskJurisdictions: options.highRiskJurisdictions,
    });
    const flagged = new Uint8Array(data.count);
    for (let i = 0; i < data.count; i += 1)
      if (inTest(i))
        flagged[i] = scorer.score(data.ids[i], data.features.subarray(i * F, i * F + F)).suspicious
          ? 1
          : 0;
    const trainedBefore = Date.parse(file.training.split.validationFrom);
    return {
      modelVersion: file.modelVersion,
      threshold: file.threshold,
      model: metricsOf(data.count, labels, inTest, (i) => flagged[i] === 1),
      rulesAndModel: metricsOf(data.count, labels, inTest, (i) => flagged[i] === 1 || ruleFlag(i)),
      trainedBefore: file.training.split.validationFrom,
      trainedIntoTest: trainedBefore > split.testFrom,
    };
  };
  const current = score(models.current);
  const candidate = score(models.candidate);
  const f1Points = Math.round(((candidate.model.f1 ?? 0) - (current.model.f1 ?? 0)) * 10_000) / 100;
  return {
    test: {
      from: iso(split.testFrom),
      end: iso(split.end),
      movements: rules.movements,
      labelled: rules.labelled,
    },
    rules,
    current,
    candidate,
    verdict: f1Points > 0 ? 'better' : f1Points < 0 ? 'worse' : 'equal',
    f1Points,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
