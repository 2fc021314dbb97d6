import type { GroundTruthRecord } from '@app/vocabulary';
import { cashAggregationDetector } from '../aml/cash-aggregation.detector';
import { cycleDetector } from '../aml/cycle.detector';
import { fanOutDetector } from '../aml/fan.detector';
import type { AlertDraft } from '../core/detector';
import { toDetectedAlert } from '../engine/alert-collector';
import { muleChainDetector } from '../fraud/mule-chain.detector';
import { accountVertex, DAY, HOUR, mv } from '../testing/fixtures';
import { f1FromCounts } from './ratios';
import { MovementTally, TransactionScorer } from './transaction-scores';

/** Day 0 00:00 UTC of the hand-made datasets. */
const D0 = Date.UTC(2025, 0, 1);

function record(
  instanceId: string,
  typology: GroundTruthRecord['typology'],
  movements: string[],
  extra: Partial<GroundTruthRecord> = {},
): GroundTruthRecord {
  return {
    instanceId,
    typology,
    decoy: false,
    source: 'generator',
    entities: [],
    movements,
    parameters: {},
    ...extra,
  };
}

function draft(movements: ReturnType<typeof mv>[], subject = 'acc:A'): AlertDraft {
  return {
    fingerprint: movements.map((m) => m.movementId).join('+'),
    subject,
    score: 0.6,
    explanation: 'x',
    windowStart: movements[0]?.timestamp ?? D0,
    windowEnd: movements[movements.length - 1]?.timestamp ?? D0,
    movements,
    parties: [{ uid: subject, role: 'subject' }],
    facts: {},
  };
}

describe('MovementTally: the temporal test split', () => {
  it('puts the split at the UTC hour holding the 80% point of the span and counts exactly from it', () => {
    const tally = new MovementTally();
    // Span: day 0 00:00 to day 10 00:00; 80% is day 8 00:00 exactly.
    for (const t of [D0, D0 + 5 * DAY, D0 + 8 * DAY - 1, D0 + 8 * DAY, D0 + 9 * DAY, D0 + 10 * DAY])
      tally.observe(t);
    expect(tally.splitAt()).toBe(D0 + 8 * DAY);
    // The movement one millisecond before the split is left out, the one at the split is in.
    expect(tally.atOrAfter(D0 + 8 * DAY)).toBe(3);
    expect(tally.total).toBe(6);
  });

  it('floors a split inside an hour to the start of that hour', () => {
    const tally = new MovementTally();
    // Span 0 .. 10 h 30 min: 80% is 8 h 24 min, the split is 8 h 00.
    tally.observe(D0);
    tally.observe(D0 + 8 * HOUR + 1);
    tally.observe(D0 + 10 * HOUR + 30 * 60_000);
    expect(tally.splitAt()).toBe(D0 + 8 * HOUR);
    expect(tally.atOrAfter(D0 + 8 * HOUR)).toBe(2);
  });

  it('starts the span at the observed period when older movements precede it (dormant histories)', () => {
    const tally = new MovementTally();
    tally.observe(D0 - 400 * DAY);
    tally.observe(D0);
    tally.observe(D0 + 10 * DAY);
    expect(tally.splitAt()).toBe(D0 - 400 * DAY + 328 * DAY);
    expect(tally.splitAt(0.2, D0)).toBe(D0 + 8 * DAY);
    expect(tally.spanStart(D0)).toBe(D0);
    // An observed-period start outside the movements is ignored.
    expect(tally.spanStart(D0 + 11 * DAY)).toBe(D0 - 400 * DAY);
  });

  it('has no split without movements', () => {
    expect(new MovementTally().splitAt()).toBeNull();
  });
});

describe('f1FromCounts', () => {
  it('is 2·TP / (predicted + labelled), null when either side is empty', () => {
    expect(f1FromCounts(2, 4, 3)).toBe(0.5714);
    expect(f1FromCounts(0, 4, 3)).toBe(0);
    expect(f1FromCounts(0, 0, 3)).toBeNull();
    expect(f1FromCounts(0, 4, 0)).toBeNull();
  });
});

describe('TransactionScorer', () => {
  // Ten days of movements, one a day at noon, plus one on day 9 at 06:00; the span is day 0
  // 12:00 to day 9 12:00 (9 days), 80% is day 7 at 16:48, so the split is day 7 at 16:00.
  const movements = Array.from({ length: 10 }, (_, d) =>
    mv('acc:A', 'acc:B', 100_00, D0 + d * DAY + 12 * HOUR, { id: `mv:${d}` }),
  );
  const early = mv('acc:C', 'acc:D', 100_00, D0 + 9 * DAY + 6 * HOUR, { id: 'mv:x' });
  const truth: GroundTruthRecord[] = [
    record('fan-out-1', 'fan-out', ['mv:0', 'mv:1', 'mv:8'], { entities: ['acc:A', 'acc:B'] }),
    record('cycle-1', 'cycle', ['mv:8', 'mv:9'], { entities: ['acc:B', 'acc:E'] }),
    record('decoy-1', 'fan-out', ['mv:2'], { decoy: true, entities: ['acc:C'] }),
    record('mule-1', 'mule-chain', ['mv:5'], { entities: ['acc:F'] }),
    record('gone-1', 'cycle', ['mv:absent']),
  ];
  const alerts = [
    toDetectedAlert(fanOutDetector, draft([movements[0], movements[2]])), // one right, one decoy
    toDetectedAlert(cycleDetector, draft([movements[8], early], 'acc:B')), // one right, one not
    toDetectedAlert(muleChainDetector, draft([movements[5], movements[1]], 'acc:F')), // fraud rule
    toDetectedAlert(cashAggregationDetector, draft([movements[9]], 'acc:E')), // reporting: ignored
  ];

  function scorer(truthFirst: boolean): TransactionScorer {
    const s = new TransactionScorer();
    if (truthFirst) s.addGroundTruth(truth);
    s.addVertices([
      accountVertex('acc:A'),
      accountVertex('acc:B'),
      accountVertex('acc:C'),
      accountVertex('acc:E'),
      accountVertex('acc:F'),
      accountVertex('cash:bank1:b1', { accountType: 'cash-point' }),
    ]);
    for (const m of [...movements, early]) s.observe(m);
    if (!truthFirst) s.addGroundTruth(truth);
    return s;
  }

  it('scores movements of non-decoy AML instances against the evidence of AML alerts', () => {
    const result = scorer(true).transactions(alerts, ['aml.cash-aggregation']);
    expect(result.movements).toBe(11);
    // Labelled AML: mv:0, mv:1, mv:8, mv:9 (mv:absent is not among the movements).
    // Predicted by AML rules: mv:0, mv:2, mv:8, mv:x; both: mv:0, mv:8.
    expect(result.aml.overall).toEqual({
      movements: 11,
      labelled: 4,
      predicted: 4,
      truePositives: 2,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
    expect(result.labelledNotSeen).toBe(1);
    // mv:1 is AML-labelled and flagged only by the mule-chain rule.
    expect(result.aml.flaggedByOtherFamilyOnly).toBe(1);
    expect(result.fraud.overall).toMatchObject({ labelled: 1, predicted: 2, truePositives: 1 });
    expect(result.aml.sources).toEqual([
      {
        source: 'generator',
        labelled: 4,
        found: 2,
        recall: 0.5,
        testLabelled: 2,
        testFound: 1,
        testRecall: 0.5,
      },
    ]);
  });

  it('scores the temporal test split from the stated instant', () => {
    const result = scorer(true).transactions(alerts, ['aml.cash-aggregation']);
    expect(result.testSplit).toEqual({
      spanStart: new Date(D0 + 12 * HOUR).toISOString(),
      from: new Date(D0 + 7 * DAY + 16 * HOUR).toISOString(),
      fromMs: D0 + 7 * DAY + 16 * HOUR,
      share: 0.2,
      movements: 3,
    });
    // Test split: mv:8, mv:9, mv:x. Labelled mv:8, mv:9; predicted mv:8, mv:x.
    expect(result.aml.test).toEqual({
      movements: 3,
      labelled: 2,
      predicted: 2,
      truePositives: 1,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
  });

  it('gives recall per instance typology and precision per rule typology', () => {
    const result = scorer(true).transactions(alerts, ['aml.cash-aggregation']);
    expect(result.aml.typologies).toEqual([
      {
        typology: 'cycle',
        labelled: 2,
        found: 1,
        recall: 0.5,
        testLabelled: 2,
        testFound: 1,
        testRecall: 0.5,
        flagged: 2,
        flaggedLabelled: 1,
        precision: 0.5,
      },
      {
        typology: 'fan-out',
        labelled: 3,
        found: 2,
        recall: 0.6667,
        testLabelled: 1,
        testFound: 1,
        testRecall: 1,
        flagged: 2,
        flaggedLabelled: 1,
        precision: 0.5,
      },
    ]);
  });

  it('needs the labelled movements dated: ground truth after the movements leaves them undated', () => {
    const late = scorer(false);
    // mv:0, mv:1, mv:8, mv:9, mv:absent (AML) and mv:5 (fraud).
    expect(late.undated).toBe(6);
    expect(late.transactions(alerts).labelledNotSeen).toBe(6);
    for (const m of movements) late.date(m);
    expect(late.undated).toBe(1);
    const dated = late.transactions(alerts, ['aml.cash-aggregation']);
    expect(dated.aml.overall).toEqual(
      scorer(true).transactions(alerts, ['aml.cash-aggregation']).aml.overall,
    );
    // Dating counts nothing twice.
    expect(dated.movements).toBe(11);
  });

  it('scores accounts: parties and senders/receivers of AML alerts against accounts of AML instances', () => {
    const accounts = scorer(true).accountScores(alerts, ['aml.cash-aggregation']);
    // Positive: acc:A, acc:B, acc:E (fan-out-1, cycle-1; the decoy and the fraud instance do not count).
    // Predicted (AML rules): acc:A, acc:B (fan-out), acc:C (mv:x sender); acc:D is not a known account.
    expect(accounts).toEqual({
      method: expect.stringContaining('Per account') as unknown,
      accounts: 5,
      positive: 3,
      predicted: 3,
      truePositives: 2,
      precision: 0.6667,
      recall: 0.6667,
      f1: 0.6667,
    });
  });

  it('has no account view when no AML instance names an account of the dataset', () => {
    const s = new TransactionScorer();
    s.addGroundTruth([record('cycle-9', 'cycle', ['mv:0'], { entities: ['acc:Nobody'] })]);
    s.addVertices([accountVertex('acc:A')]);
    expect(s.accountScores(alerts)).toBeNull();
  });
});
