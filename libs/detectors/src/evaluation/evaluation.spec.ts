import type { GroundTruthRecord } from '@app/vocabulary';
import { cashAggregationDetector } from '../aml/cash-aggregation.detector';
import { fanOutDetector } from '../aml/fan.detector';
import type { AlertDraft } from '../core/detector';
import { fraudRingDetector } from '../fraud/fraud-ring.detector';
import { toDetectedAlert } from '../engine/alert-collector';
import { DAY, mv, T0 } from '../testing/fixtures';
import { evaluateAlerts, renderEvaluationMarkdown } from './evaluation';

const m1 = mv('acc:A', 'acc:B', 100_00, T0, { id: 'mv:1' });
const m2 = mv('acc:C', 'acc:D', 100_00, T0, { id: 'mv:2' });
const m3 = mv('acc:E', 'acc:F', 100_00, T0, { id: 'mv:3' });

function record(
  instanceId: string,
  typology: GroundTruthRecord['typology'],
  extra: Partial<GroundTruthRecord>,
): GroundTruthRecord {
  return {
    instanceId,
    typology,
    decoy: false,
    source: 'generator',
    entities: [],
    movements: [],
    parameters: {},
    ...extra,
  };
}

function draft(subject: string, movements = [m1], fingerprint = subject): AlertDraft {
  return {
    fingerprint,
    subject,
    score: 0.6,
    explanation: 'x',
    windowStart: T0,
    windowEnd: T0 + DAY,
    movements,
    parties: [],
    facts: {},
  };
}

const truth: GroundTruthRecord[] = [
  record('fan-out-1', 'fan-out', {
    entities: ['acc:A'],
    movements: ['mv:1'],
    window: { from: T0, to: T0 + DAY },
  }),
  record('fan-out-2', 'fan-out', { entities: ['acc:Z'], movements: ['mv:9'] }),
  record('cycle-1', 'cycle', { entities: ['acc:C'], movements: ['mv:2'] }),
  record('decoy-fan-out-1', 'fan-out', {
    decoy: true,
    entities: ['acc:Payroll'],
    movements: ['mv:3'],
  }),
  record('ring-1', 'fraud-ring', {
    entities: ['acc:R1', 'acc:R2'],
    window: { from: T0 - 100 * DAY, to: T0 - 90 * DAY },
  }),
  record('ubo-1', 'ubo-cycle', { entities: ['company:x'] }),
];

describe('evaluateAlerts', () => {
  const alerts = [
    toDetectedAlert(fanOutDetector, draft('acc:A', [m1])), // true positive by movement
    toDetectedAlert(fanOutDetector, draft('acc:C', [m2])), // cross-typology: a real cycle
    toDetectedAlert(fanOutDetector, draft('acc:Payroll', [m3])), // decoy hit
    toDetectedAlert(fanOutDetector, draft('acc:Q', [mv('acc:Q', 'acc:W', 1, T0, { id: 'mv:8' })])), // unmatched
    toDetectedAlert(fraudRingDetector, draft('acc:R1', [])), // ring matched by key entity, undated
    toDetectedAlert(cashAggregationDetector, draft('acc:Q', [])), // reporting rule: not scored
  ];
  const report = evaluateAlerts(
    alerts,
    truth,
    { profile: 'hand-built' },
    { reportingRules: ['aml.cash-aggregation'] },
  );

  it('scores precision, recall and F1 per typology with the documented matching rule', () => {
    const fanOut = report.typologies.find((t) => t.typology === 'fan-out');
    expect(fanOut).toMatchObject({
      instances: 2,
      detected: 1,
      alerts: 4,
      truePositives: 1,
      crossTypology: 1,
      decoyHits: 1,
      unmatched: 1,
    });
    expect(fanOut?.recall).toBe(0.5);
    expect(fanOut?.precision).toBe(0.25);
    expect(fanOut?.lenientPrecision).toBe(0.5);
    expect(fanOut?.f1).toBe(0.3333);
    expect(fanOut?.decoys).toBe(1);
    expect(fanOut?.decoysAlerted).toBe(1);
    expect(fanOut?.missed).toEqual(['fan-out-2']);
    expect(report.typologies.find((t) => t.typology === 'fraud-ring')?.recall).toBe(1);
    expect(report.typologies.find((t) => t.typology === 'cycle')).toMatchObject({
      detected: 0,
      alerts: 0,
      precision: null,
    });
  });

  it('leaves ownership typologies and reporting rules out of the scores but lists reporting rules', () => {
    expect(report.typologies.some((t) => t.typology === 'ubo-cycle')).toBe(false);
    expect(report.typologies.find((t) => t.typology === 'structuring')).toBeUndefined();
    expect(report.rules.find((r) => r.ruleId === 'aml.cash-aggregation')).toMatchObject({
      reporting: true,
      alerts: 1,
    });
  });

  it('renders markdown with the tables and the matching rule', () => {
    const markdown = renderEvaluationMarkdown(report);
    expect(markdown).toContain(
      '| fan-out | aml | 2 | 1 | 50.0% | 4 | 1 | 1 | 1 | 1 | 25.0% | 50.0% | 33.3% | 1/1 |',
    );
    expect(markdown).toContain('aml.cash-aggregation (reporting, not scored)');
    expect(markdown).toContain('An alert matches an instance when they share a movement');
    expect(markdown).toContain('- fan-out: fan-out-2');
  });
});
