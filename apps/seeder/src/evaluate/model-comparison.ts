import { MemoryAccountDirectory, MovementTally, TEST_SHARE } from '@app/detectors';
import type { DetectedAlert, DetectionDataset, DetectorRegistry } from '@app/detectors';
import { extractFeatures, FEATURE_NAMES, RiskScorer } from '@app/risk-model';
import type { RiskModelFile } from '@app/risk-model';
import { familyOf } from '@app/vocabulary';
import type { BaseMoney, GroundTruthRecord } from '@app/vocabulary';

/** Account-level counts and scores of one scorer on one part of the data. */
export interface AccountScores {
  /** Accounts that send or receive a movement in this part (cash points excluded). */
  accounts: number;
  /** Of those, accounts named by a non-decoy AML instance. */
  positive: number;
  /** Of those, accounts that send or receive a flagged movement in this part. */
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface ScorerComparison {
  rules: AccountScores;
  model: AccountScores;
  rulesAndModel: AccountScores;
}

export interface AccountComparison {
  method: string;
  modelVersion: string;
  threshold: number;
  testFrom: string;
  /** The whole span: the model's training part included, so its row is in-sample. */
  all: ScorerComparison;
  /** The temporal test split (the last 20% of time): the model never saw it. */
  test: ScorerComparison;
}

export const ACCOUNT_COMPARISON_METHOD =
  'Per account, one definition for every scorer: an account is flagged when it sends or receives a flagged movement ' +
  '(rules: evidence of an AML alert, reporting rules left out; model: score at or above the model file threshold; ' +
  'rules + model: either) and positive when a non-decoy AML instance names it. Only accounts that send or receive ' +
  'a movement in the part counted are counted, cash points excluded.';

/**
 * Rules alone, the model of `file` alone, and both, per account, on the whole span and on the
 * temporal test split of `seeder evaluate` and `seeder train`. The model scores every movement
 * from the features of what came before it, as it does in training.
 */
export async function compareAccounts(
  registry: DetectorRegistry,
  dataset: DetectionDataset & { groundTruth: readonly GroundTruthRecord[] },
  alerts: readonly DetectedAlert[],
  file: RiskModelFile,
  options: { money: BaseMoney; highRiskJurisdictions: readonly string[]; observedSince?: number },
): Promise<AccountComparison> {
  const reporting = new Set(registry.reportingRuleIds());
  const ruleFlagged = new Set<string>();
  for (const alert of alerts) {
    if (familyOf(alert.typology) !== 'aml' || reporting.has(alert.ruleId)) continue;
    for (const m of alert.movements) ruleFlagged.add(m.movementId);
  }
  const { ids, features } = await extractFeatures(registry, [dataset], options);
  const scorer = new RiskScorer(file, {
    accounts: new MemoryAccountDirectory(),
    money: options.money,
    highRiskJurisdictions: options.highRiskJurisdictions,
  });
  const F = FEATURE_NAMES.length;
  const modelFlagged = new Set<string>();
  ids.forEach((id, i) => {
    if (scorer.score(id, features.subarray(i * F, i * F + F)).score >= file.threshold)
      modelFlagged.add(id);
  });

  const cashPoints = new Set<string>();
  for (const v of dataset.vertices)
    if (v.label === 'Account' && v.props.accountType === 'cash-point') cashPoints.add(v.uid);
  const positive = new Set<string>();
  for (const record of dataset.groundTruth)
    if (!record.decoy && familyOf(record.typology) === 'aml')
      for (const uid of record.entities) positive.add(uid);
  const tally = new MovementTally();
  const movements: { id: string; at: number; from: string; to: string }[] = [];
  for (const edge of dataset.edges)
    if (edge.label === 'TRANSFERRED') {
      tally.observe(edge.props.timestamp);
      movements.push({ id: edge.eid, at: edge.props.timestamp, from: edge.from, to: edge.to });
    }
  const testFrom = tally.splitAt(TEST_SHARE, options.observedSince) ?? Number.POSITIVE_INFINITY;

  const part = (include: (at: number) => boolean): ScorerComparison => {
    const active = new Set<string>();
    const flaggedBy = { rules: new Set<string>(), model: new Set<string>() };
    for (const m of movements) {
      if (!include(m.at)) continue;
      const ends = [m.from, m.to].filter((uid) => !cashPoints.has(uid));
      for (const uid of ends) active.add(uid);
      if (ruleFlagged.has(m.id)) for (const uid of ends) flaggedBy.rules.add(uid);
      if (modelFlagged.has(m.id)) for (const uid of ends) flaggedBy.model.add(uid);
    }
    const positives = new Set([...active].filter((uid) => positive.has(uid)));
    return {
      rules: scoresOf(active.size, positives, flaggedBy.rules),
      model: scoresOf(active.size, positives, flaggedBy.model),
      rulesAndModel: scoresOf(
        active.size,
        positives,
        new Set([...flaggedBy.rules, ...flaggedBy.model]),
      ),
    };
  };
  return {
    method: ACCOUNT_COMPARISON_METHOD,
    modelVersion: file.modelVersion,
    threshold: file.threshold,
    testFrom: new Date(testFrom).toISOString(),
    all: part(() => true),
    test: part((at) => at >= testFrom),
  };
}

function scoresOf(accounts: number, positives: Set<string>, flagged: Set<string>): AccountScores {
  let truePositives = 0;
  for (const uid of flagged) if (positives.has(uid)) truePositives += 1;
  const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
  return {
    accounts,
    positive: positives.size,
    predicted: flagged.size,
    truePositives,
    precision: ratio(truePositives, flagged.size),
    recall: ratio(truePositives, positives.size),
    f1:
      flagged.size + positives.size === 0
        ? null
        : (2 * truePositives) / (flagged.size + positives.size),
  };
}
