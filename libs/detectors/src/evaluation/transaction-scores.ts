import { familyOf } from '@app/vocabulary';
import type { GraphVertex, GroundTruthRecord, GroundTruthSource, Typology } from '@app/vocabulary';
import type { DetectedAlert } from '../core/detector';
import { f1FromCounts, ratio } from './ratios';

const HOUR_MS = 3_600_000;

/** Share of the dataset's time span held out as the temporal test split (the last 20%). */
export const TEST_SHARE = 0.2;

/** Minority-class counts and scores of one binary labelling (laundering or not). */
export interface BinaryScores {
  /** Movements considered (all of them, or those of the test split). */
  movements: number;
  /** Movements labelled positive (movements of non-decoy instances of the family). */
  labelled: number;
  /** Movements predicted positive (evidence of an alert of the family). */
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/**
 * Per typology: recall over the movements of instances of that typology (found by any alert of
 * the family), and precision over the movements flagged by rules of that typology (labelled
 * positive under any typology of the family). The two halves answer different questions (what
 * is missed, which rules are noisy), so no F1 is formed from them.
 */
export interface TransactionTypologyScore {
  typology: Typology;
  labelled: number;
  found: number;
  recall: number | null;
  testLabelled: number;
  testFound: number;
  testRecall: number | null;
  flagged: number;
  flaggedLabelled: number;
  precision: number | null;
}

/** Recall over the labelled movements of one ground-truth source (generator, amlworld…). */
export interface TransactionSourceRecall {
  source: GroundTruthSource;
  labelled: number;
  found: number;
  recall: number | null;
  testLabelled: number;
  testFound: number;
  testRecall: number | null;
}

export interface FamilyTransactionScores {
  family: 'aml' | 'fraud';
  overall: BinaryScores;
  /** The temporal test split (null when the dataset has no movements). */
  test: BinaryScores | null;
  typologies: TransactionTypologyScore[];
  /** Recall per ground-truth source of the labelled movements (sorted by source). */
  sources: TransactionSourceRecall[];
  /** Labelled movements flagged only by rules of the other family (not counted as found). */
  flaggedByOtherFamilyOnly: number;
}

export interface TransactionEvaluation {
  method: string;
  movements: number;
  firstMovementAt: string | null;
  lastMovementAt: string | null;
  /** Movements at or after `from` form the test split. */
  testSplit: {
    /** Start of the span divided: the start of the observed period, or the first movement. */
    spanStart: string;
    from: string;
    fromMs: number;
    share: number;
    movements: number;
  } | null;
  /**
   * Labelled movement ids left out of the figures because they were not met among the
   * dataset's movements (or, when the chunks could not be read a second time, were met before
   * their ground-truth record).
   */
  labelledNotSeen: number;
  aml: FamilyTransactionScores;
  fraud: FamilyTransactionScores;
}

export interface AccountEvaluation {
  method: string;
  /** Accounts of the dataset, cash points excluded. */
  accounts: number;
  /** Accounts that are entities of non-decoy AML instances. */
  positive: number;
  /** Accounts that are parties of an AML alert (subject, counterparty, member, sender, receiver). */
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export const TRANSACTION_METHOD =
  'Per movement, as the AMLworld papers score (Altman et al. 2023; Egressy et al. 2024): a movement is labelled laundering when it is a ' +
  'movement of a non-decoy AML instance, and predicted laundering when it is evidence of an alert of an AML rule (reporting rules excluded). ' +
  'Fraud is scored the same way in its own block (fraud instances, fraud rules); a movement flagged only by a rule of the other family does ' +
  'not count as found. Precision, recall and F1 are for the minority class (laundering). The temporal test split is the last 20% of the ' +
  'time span, from the start of the observed period (when the dataset says it is complete since then; generated banks hold a few older ' +
  'movements of dormant accounts) or else the first movement, to the last movement; it starts at the UTC hour in which that 80% point falls. ' +
  'Movements are counted as they ' +
  'stream by (a total, the first and last timestamp and a count per UTC hour); only the labelled movement ids are held with their timestamps. ' +
  'When the ground truth comes after the movements (generated banks), a second read of the data dates the labelled movements.';

export const ACCOUNT_METHOD =
  'Per account, for datasets labelled per account (AMLSim): an account is positive when it is an entity of a non-decoy AML instance, and ' +
  'predicted when it is a party of an alert of an AML rule or sends or receives one of its evidence movements (reporting rules excluded). ' +
  'Cash points are not accounts here.';

/** Counts movements as they stream by: a total, the first and last timestamp, a count per UTC hour. */
export class MovementTally {
  total = 0;
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  private readonly perHour = new Map<number, number>();

  observe(timestamp: number): void {
    this.total += 1;
    if (timestamp < this.first) this.first = timestamp;
    if (timestamp > this.last) this.last = timestamp;
    const hour = Math.floor(timestamp / HOUR_MS);
    this.perHour.set(hour, (this.perHour.get(hour) ?? 0) + 1);
  }

  /** Start of the span: `observedSince` when it is after the first movement, else the first movement. */
  spanStart(observedSince?: number): number {
    return observedSince !== undefined && observedSince > this.first && observedSince <= this.last
      ? observedSince
      : this.first;
  }

  /**
   * Start of the test split: the UTC hour in which `start + (1 - share) × (last - start)` falls,
   * `start` being `spanStart(observedSince)`. null when no movement was seen.
   */
  splitAt(share: number = TEST_SHARE, observedSince?: number): number | null {
    if (this.total === 0) return null;
    const start = this.spanStart(observedSince);
    const point = start + (1 - share) * (this.last - start);
    return Math.floor(point / HOUR_MS) * HOUR_MS;
  }

  /** Movements at or after `instant`, which must be the start of a UTC hour. */
  atOrAfter(instant: number): number {
    const from = instant / HOUR_MS;
    let count = 0;
    for (const [hour, n] of this.perHour) if (hour >= from) count += n;
    return count;
  }
}

type ScoredFamily = 'aml' | 'fraud';

/** A labelled movement: the typologies and sources of the instances it belongs to. */
interface Label {
  typologies: Set<Typology>;
  sources: Set<GroundTruthSource>;
}

/** A movement flagged by alerts: its time and the typologies of the rules that flagged it. */
interface Flag {
  timestamp: number;
  typologies: Set<Typology>;
}

function scoredFamily(typology: Typology): ScoredFamily | undefined {
  const family = familyOf(typology);
  return family === 'ownership' ? undefined : family;
}

/** A movement id and its time, as both alerts' evidence and dataset edges provide. */
export interface DatedMovement {
  movementId: string;
  timestamp: number;
}

/**
 * Collects what the per-transaction and per-account views need while a dataset goes by, in
 * memory bounded by the labelled movements and the accounts (never all movements): feed it
 * ground-truth records, account vertices and every movement (`observe`), then score alerts.
 */
export class TransactionScorer {
  private readonly tally = new MovementTally();

  /**
   * @param observedSince Since when the dataset is complete (see `EvaluateDatasetOptions`): the
   *   time span split starts there rather than at a few much older movements (dormant histories).
   */
  constructor(private readonly observedSince?: number) {}

  /** Labelled movement id -> typologies of the non-decoy instances it belongs to, per family. */
  private readonly labels: Record<ScoredFamily, Map<string, Label>> = {
    aml: new Map(),
    fraud: new Map(),
  };
  private readonly dated = new Map<string, number>();
  private readonly accounts = new Set<string>();
  private readonly amlEntities = new Set<string>();

  addGroundTruth(records: Iterable<GroundTruthRecord>): void {
    for (const record of records) {
      const family = scoredFamily(record.typology);
      if (record.decoy || family === undefined) continue;
      for (const id of record.movements) {
        const label = this.labels[family].get(id);
        if (label) {
          label.typologies.add(record.typology);
          label.sources.add(record.source);
        } else {
          this.labels[family].set(id, {
            typologies: new Set([record.typology]),
            sources: new Set([record.source]),
          });
        }
      }
      if (family === 'aml') for (const uid of record.entities) this.amlEntities.add(uid);
    }
  }

  /** Keeps the uids of accounts (cash points excluded), for the per-account view. */
  addVertices(vertices: Iterable<GraphVertex>): void {
    for (const v of vertices)
      if (v.label === 'Account' && v.props.accountType !== 'cash-point') this.accounts.add(v.uid);
  }

  /** Counts a movement of the dataset and dates it when it is labelled. */
  observe(movement: DatedMovement): void {
    this.tally.observe(movement.timestamp);
    this.date(movement);
  }

  /** Dates a labelled movement (a second read of the data); counts nothing. */
  date(movement: DatedMovement): void {
    if (this.labels.aml.has(movement.movementId) || this.labels.fraud.has(movement.movementId))
      this.dated.set(movement.movementId, movement.timestamp);
  }

  /** Labelled movements not dated yet. */
  get undated(): number {
    return this.undatedIds().size;
  }

  private undatedIds(): Set<string> {
    const ids = new Set<string>();
    for (const family of ['aml', 'fraud'] as const)
      for (const id of this.labels[family].keys()) if (!this.dated.has(id)) ids.add(id);
    return ids;
  }

  /** Per-transaction scores of `alerts` (reporting rules left out). */
  transactions(
    alerts: readonly DetectedAlert[],
    reportingRules: readonly string[] = [],
  ): TransactionEvaluation {
    const reporting = new Set(reportingRules);
    const flagged: Record<ScoredFamily, Map<string, Flag>> = { aml: new Map(), fraud: new Map() };
    for (const alert of alerts) {
      const family = scoredFamily(alert.typology);
      if (family === undefined || reporting.has(alert.ruleId)) continue;
      for (const m of alert.movements) {
        const flag = flagged[family].get(m.movementId);
        if (flag) flag.typologies.add(alert.typology);
        else
          flagged[family].set(m.movementId, {
            timestamp: m.timestamp,
            typologies: new Set([alert.typology]),
          });
      }
    }
    const split = this.tally.splitAt(TEST_SHARE, this.observedSince);
    const seen = (family: ScoredFamily): Map<string, Label> =>
      new Map([...this.labels[family]].filter(([id]) => this.dated.has(id)));
    const family = (name: ScoredFamily, other: ScoredFamily): FamilyTransactionScores =>
      this.familyScores(name, seen(name), flagged[name], flagged[other], split);
    return {
      method: TRANSACTION_METHOD,
      movements: this.tally.total,
      firstMovementAt: this.tally.total > 0 ? new Date(this.tally.first).toISOString() : null,
      lastMovementAt: this.tally.total > 0 ? new Date(this.tally.last).toISOString() : null,
      testSplit:
        split === null
          ? null
          : {
              spanStart: new Date(this.tally.spanStart(this.observedSince)).toISOString(),
              from: new Date(split).toISOString(),
              fromMs: split,
              share: TEST_SHARE,
              movements: this.tally.atOrAfter(split),
            },
      labelledNotSeen: this.undated,
      aml: family('aml', 'fraud'),
      fraud: family('fraud', 'aml'),
    };
  }

  /**
   * Per-account scores of the AML rules' alerts, or null when no AML instance names an account
   * of the dataset (the dataset is not labelled per account).
   */
  accountScores(
    alerts: readonly DetectedAlert[],
    reportingRules: readonly string[] = [],
  ): AccountEvaluation | null {
    const positive = new Set<string>();
    for (const uid of this.amlEntities) if (this.accounts.has(uid)) positive.add(uid);
    if (positive.size === 0) return null;
    const reporting = new Set(reportingRules);
    const predicted = new Set<string>();
    for (const alert of alerts) {
      if (scoredFamily(alert.typology) !== 'aml' || reporting.has(alert.ruleId)) continue;
      const uids = [
        ...alert.parties.map((p) => p.uid),
        ...alert.movements.flatMap((m) => [m.fromAccount, m.toAccount]),
      ];
      for (const uid of uids) if (this.accounts.has(uid)) predicted.add(uid);
    }
    let truePositives = 0;
    for (const uid of predicted) if (positive.has(uid)) truePositives += 1;
    return {
      method: ACCOUNT_METHOD,
      accounts: this.accounts.size,
      positive: positive.size,
      predicted: predicted.size,
      truePositives,
      precision: ratio(truePositives, predicted.size),
      recall: ratio(truePositives, positive.size),
      f1: f1FromCounts(truePositives, predicted.size, positive.size),
    };
  }

  private familyScores(
    family: ScoredFamily,
    labelled: ReadonlyMap<string, Label>,
    flagged: ReadonlyMap<string, Flag>,
    flaggedByOther: ReadonlyMap<string, Flag>,
    split: number | null,
  ): FamilyTransactionScores {
    const inTest = (timestamp: number | undefined): boolean =>
      split !== null && timestamp !== undefined && timestamp >= split;
    const labelledInTest = (id: string): boolean => inTest(this.dated.get(id));
    let truePositives = 0;
    let testLabelled = 0;
    let testTruePositives = 0;
    let flaggedByOtherFamilyOnly = 0;
    for (const id of labelled.keys()) {
      const found = flagged.has(id);
      if (found) truePositives += 1;
      else if (flaggedByOther.has(id)) flaggedByOtherFamilyOnly += 1;
      if (labelledInTest(id)) {
        testLabelled += 1;
        if (found) testTruePositives += 1;
      }
    }
    let testPredicted = 0;
    for (const flag of flagged.values()) if (inTest(flag.timestamp)) testPredicted += 1;
    return {
      family,
      overall: binary(this.tally.total, labelled.size, flagged.size, truePositives),
      test:
        split === null
          ? null
          : binary(this.tally.atOrAfter(split), testLabelled, testPredicted, testTruePositives),
      typologies: typologyScores(labelled, flagged, labelledInTest),
      sources: sourceRecalls(labelled, flagged, labelledInTest),
      flaggedByOtherFamilyOnly,
    };
  }
}

function binary(
  movements: number,
  labelled: number,
  predicted: number,
  truePositives: number,
): BinaryScores {
  return {
    movements,
    labelled,
    predicted,
    truePositives,
    precision: ratio(truePositives, predicted),
    recall: ratio(truePositives, labelled),
    f1: f1FromCounts(truePositives, predicted, labelled),
  };
}

function typologyScores(
  labelled: ReadonlyMap<string, Label>,
  flagged: ReadonlyMap<string, Flag>,
  inTest: (id: string) => boolean,
): TransactionTypologyScore[] {
  const rows = new Map<
    Typology,
    Omit<TransactionTypologyScore, 'recall' | 'testRecall' | 'precision'>
  >();
  const row = (typology: Typology) => {
    let r = rows.get(typology);
    if (!r) {
      r = {
        typology,
        labelled: 0,
        found: 0,
        testLabelled: 0,
        testFound: 0,
        flagged: 0,
        flaggedLabelled: 0,
      };
      rows.set(typology, r);
    }
    return r;
  };
  for (const [id, label] of labelled) {
    const found = flagged.has(id);
    const test = inTest(id);
    for (const typology of label.typologies) {
      const r = row(typology);
      r.labelled += 1;
      if (found) r.found += 1;
      if (test) {
        r.testLabelled += 1;
        if (found) r.testFound += 1;
      }
    }
  }
  for (const [id, flag] of flagged) {
    const positive = labelled.has(id);
    for (const typology of flag.typologies) {
      const r = row(typology);
      r.flagged += 1;
      if (positive) r.flaggedLabelled += 1;
    }
  }
  return [...rows.values()]
    .sort((a, b) => (a.typology < b.typology ? -1 : 1))
    .map((r) => ({
      ...r,
      recall: ratio(r.found, r.labelled),
      testRecall: ratio(r.testFound, r.testLabelled),
      precision: ratio(r.flaggedLabelled, r.flagged),
    }));
}

function sourceRecalls(
  labelled: ReadonlyMap<string, Label>,
  flagged: ReadonlyMap<string, Flag>,
  inTest: (id: string) => boolean,
): TransactionSourceRecall[] {
  const rows = new Map<GroundTruthSource, Omit<TransactionSourceRecall, 'recall' | 'testRecall'>>();
  for (const [id, label] of labelled) {
    const found = flagged.has(id);
    const test = inTest(id);
    for (const source of label.sources) {
      const r = rows.get(source) ?? {
        source,
        labelled: 0,
        found: 0,
        testLabelled: 0,
        testFound: 0,
      };
      r.labelled += 1;
      if (found) r.found += 1;
      if (test) {
        r.testLabelled += 1;
        if (found) r.testFound += 1;
      }
      rows.set(source, r);
    }
  }
  return [...rows.values()]
    .sort((a, b) => (a.source < b.source ? -1 : 1))
    .map((r) => ({
      ...r,
      recall: ratio(r.found, r.labelled),
      testRecall: ratio(r.testFound, r.testLabelled),
    }));
}
