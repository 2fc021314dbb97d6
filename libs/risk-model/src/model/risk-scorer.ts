import type { DetectedAlert, IdentifierUse } from '@app/detectors';
import type { Movement } from '@app/vocabulary';
import { FEATURE_NAMES, FEATURES } from '../features/feature-set';
import type { FeatureContext } from '../features/feature-extractor';
import { MovementFeatureExtractor } from '../features/feature-extractor';
import { CompiledTrees, sigmoid } from './boosted-trees';
import type { RiskModelFile } from './risk-model-file';

/** One feature that raised (or lowered) a movement's risk score, in words. */
export interface RiskContribution {
  feature: string;
  value: number;
  /** Change of the log-odds this feature made (positive raises the score). */
  effect: number;
  /** The feature's value as an analyst reads it ("the sender paid 9 distinct accounts…"). */
  text: string;
}

/** The model's view of one movement. */
export interface MovementRisk {
  movementId: string;
  /** Probability of laundering estimated by the model, 0 to 1. */
  score: number;
  /** The model's threshold: at or above it the movement counts as suspicious. */
  threshold: number;
  suspicious: boolean;
  modelVersion: string;
  /** The features that raised the score most, strongest first (at most three). */
  reasons: RiskContribution[];
}

const TOP_REASONS = 3;

/**
 * Scores movements with a trained model: features from the one feature definition
 * (MovementFeatureExtractor), then the trees. Feed it every movement in time order, with the
 * alerts the rules raised for it, exactly as the rule engine is fed.
 */
export class RiskScorer {
  private readonly extractor: MovementFeatureExtractor;
  /** Log of the negative sampling rate of training: puts the probability back on the real base rate. */
  private readonly priorCorrection: number;
  private readonly trees: CompiledTrees;
  /** Scratch rows reused for every movement (scoring is synchronous). */
  private readonly row = new Float64Array(FEATURE_NAMES.length);
  private readonly contributions = new Float64Array(FEATURE_NAMES.length);

  constructor(
    readonly file: RiskModelFile,
    context: FeatureContext,
  ) {
    this.extractor = new MovementFeatureExtractor(context);
    this.priorCorrection = Math.log(file.training.rows.negativeSampleRate);
    this.trees = new CompiledTrees(file.model);
  }

  onMovement(movement: Movement, alerts: readonly DetectedAlert[] = []): MovementRisk {
    const row = this.extractor.onMovementInto(movement, alerts, this.row);
    return this.score(movement.movementId, row);
  }

  /** An account's identifier use, for the shared-identifier features (before the movements). */
  onIdentifierUse(use: IdentifierUse): void {
    this.extractor.onIdentifierUse(use);
  }

  /** See MovementFeatureExtractor.trial: scores without keeping the movements. */
  trial<T>(run: () => T): T {
    return this.extractor.trial(run);
  }

  stateSize(): { accounts: number; movements: number } {
    return this.extractor.stateSize();
  }

  identifierStateSize(): { identifiers: number; uses: number } {
    return this.extractor.identifierStateSize();
  }

  /** Scores a feature row computed elsewhere (training, evaluation). */
  score(movementId: string, features: ArrayLike<number>): MovementRisk {
    const contributions = this.contributions;
    const bias = this.trees.explainInto(features, contributions);
    let margin = bias;
    for (const c of contributions) margin += c;
    const score = sigmoid(margin + this.priorCorrection);
    const reasons = topPositive(contributions, TOP_REASONS).map((i) => ({
      feature: FEATURES[i].name,
      value: features[i],
      effect: Math.round(contributions[i] * 1000) / 1000,
      text: FEATURES[i].words(features[i]),
    }));
    // The threshold was picked among scores rounded like this one (training compares the
    // rounded score), so the flag compares the rounded score too: the product flags exactly
    // the movements the model file's metrics count.
    const rounded = Math.round(score * 10_000) / 10_000;
    return {
      movementId,
      score: rounded,
      threshold: this.file.threshold,
      suspicious: rounded >= this.file.threshold,
      modelVersion: this.file.modelVersion,
      reasons,
    };
  }
}

/** Indexes of the `n` largest positive values, largest first (ties: lower index first). */
function topPositive(values: Float64Array, n: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i += 1) {
    if (values[i] <= 0) continue;
    let at = top.length;
    while (at > 0 && values[top[at - 1]] < values[i]) at -= 1;
    if (at < n) {
      top.splice(at, 0, i);
      if (top.length > n) top.pop();
    }
  }
  return top;
}

/** One sentence for an alert: the model's score and its strongest reasons. */
export function describeRisk(risk: MovementRisk): string {
  const reasons = risk.reasons.map((r) => r.text).join('; ');
  return `Model ${risk.modelVersion} scores this payment ${risk.score.toFixed(2)} (threshold ${risk.threshold.toFixed(2)})${reasons === '' ? '' : `: ${reasons}`}.`;
}
