import type { GroundTruthRecord } from '@app/vocabulary';
import { cashAggregationDetector } from '../aml/cash-aggregation.detector';
import { cycleDetector } from '../aml/cycle.detector';
import { fanOutDetector } from '../aml/fan.detector';
import type { AccountEvent } from '../core/activity';
import type { AlertDraft, AlertParty } from '../core/detector';
import { accountTakeoverDetector } from '../fraud/account-takeover.detector';
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

function draft(
  subject: string,
  movements = [m1],
  fingerprint = subject,
  extra: Partial<AlertDraft> = {},
): AlertDraft {
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
    ...extra,
  };
}

function ring(members: string[]): AlertParty[] {
  return members.map((uid, i) => ({ uid, role: i === 0 ? 'subject' : 'member' }));
}

const login: AccountEvent = {
  eventId: 'event:e1',
  accountId: 'acc:V',
  kind: 'login',
  timestamp: T0,
};

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
  record('ato-1', 'account-takeover', {
    entities: ['acc:V', 'acc:Mule', 'event:e1'],
    movements: ['mv:20'],
    window: { from: T0, to: T0 + DAY },
  }),
  record('ubo-1', 'ubo-cycle', { entities: ['company:x'] }),
];

describe('evaluateAlerts', () => {
  const alerts = [
    toDetectedAlert(fanOutDetector, draft('acc:A', [m1])), // true positive by movement
    toDetectedAlert(fanOutDetector, draft('acc:C', [m2])), // cross-typology: a real cycle
    toDetectedAlert(fanOutDetector, draft('acc:Payroll', [m3])), // decoy hit
    toDetectedAlert(fanOutDetector, draft('acc:Q', [mv('acc:Q', 'acc:W', 1, T0, { id: 'mv:8' })])), // unmatched
    // The key account of fan-out-1 in its window, but not one of its movements: lenient only.
    toDetectedAlert(
      fanOutDetector,
      draft('acc:A', [mv('acc:A', 'acc:K', 1, T0 + DAY / 2, { id: 'mv:7' })], 'acc:A#2'),
    ),
    // The key account of fan-out-2 (which has no window), another movement: lenient only.
    toDetectedAlert(fanOutDetector, draft('acc:Z', [mv('acc:Z', 'acc:Y', 1, T0, { id: 'mv:10' })])),
    // Two member accounts of ring-1: strict match by shared parties.
    toDetectedAlert(
      fraudRingDetector,
      draft('acc:R1', [], 'ring:1', { parties: ring(['acc:R1', 'acc:R2']) }),
    ),
    // One member of ring-1 among strangers: matches neither way.
    toDetectedAlert(
      fraudRingDetector,
      draft('acc:X', [], 'ring:2', { parties: ring(['acc:X', 'acc:R2', 'acc:Y']) }),
    ),
    // Shares the takeover login (an event) but none of its movements: strict by event.
    toDetectedAlert(
      accountTakeoverDetector,
      draft('acc:V', [mv('acc:V', 'acc:M2', 1, T0, { id: 'mv:21' })], 'acc:V', { events: [login] }),
    ),
    toDetectedAlert(cashAggregationDetector, draft('acc:Q', [])), // reporting rule: not scored
  ];
  const report = evaluateAlerts(
    alerts,
    truth,
    { profile: 'hand-built' },
    { reportingRules: ['aml.cash-aggregation'] },
  );
  const score = (typology: string) => report.typologies.find((t) => t.typology === typology);

  it('scores strictly: an alert sharing no movement with an instance is unmatched', () => {
    expect(score('fan-out')).toMatchObject({
      instances: 2,
      alerts: 6,
      detected: 1,
      truePositives: 1,
      crossTypology: 1,
      decoyHits: 1,
      unmatched: 3,
      recall: 0.5,
      precision: 0.1667,
      // 2 * 0.1667 * 0.5 / (0.1667 + 0.5) = 0.25
      f1: 0.25,
      anyTypologyPrecision: 0.3333,
      decoys: 1,
      decoysAlerted: 1,
      missed: ['fan-out-2'],
    });
  });

  it('keeps the lenient view (key account + overlapping window) beside the strict one', () => {
    expect(score('fan-out')?.lenient).toEqual({
      detected: 2,
      truePositives: 3,
      crossTypology: 1,
      decoyHits: 1,
      unmatched: 1,
      recall: 1,
      precision: 0.5,
      f1: 0.6667,
      decoysAlerted: 1,
    });
    expect(report.totals).toMatchObject({ detected: 3, unmatched: 4, falseAlerts: 5 });
    expect(report.totals.lenient).toMatchObject({ detected: 4, unmatched: 2, falseAlerts: 3 });
    expect(report.rules.find((r) => r.ruleId === 'aml.fan-out')).toMatchObject({
      alerts: 6,
      truePositives: 1,
      unmatched: 3,
      lenient: { truePositives: 3, unmatched: 1 },
    });
  });

  it('matches a ring by two shared member accounts and a takeover by a shared event', () => {
    expect(score('fraud-ring')).toMatchObject({
      instances: 1,
      alerts: 2,
      detected: 1,
      truePositives: 1,
      unmatched: 1,
      recall: 1,
      precision: 0.5,
    });
    expect(score('fraud-ring')?.lenient).toMatchObject({ truePositives: 1, unmatched: 1 });
    expect(score('account-takeover')).toMatchObject({ detected: 1, truePositives: 1, recall: 1 });
    expect(score('cycle')).toMatchObject({ detected: 0, alerts: 0, precision: null });
  });

  it('leaves ownership typologies and reporting rules out of the scores but lists reporting rules', () => {
    expect(report.typologies.some((t) => t.typology === 'ubo-cycle')).toBe(false);
    expect(score('structuring')).toBeUndefined();
    expect(report.rules.find((r) => r.ruleId === 'aml.cash-aggregation')).toMatchObject({
      reporting: true,
      alerts: 1,
    });
  });

  it('renders markdown with strict and lenient columns and both matching rules', () => {
    const markdown = renderEvaluationMarkdown(report);
    expect(markdown).toContain(
      '| fan-out | aml | 2 | 6 | 1 | 50.0% | 1 | 1 | 1 | 3 | 16.7% | 25.0% | 33.3% | 1/1 | 2 | 100.0% | 50.0% | 66.7% |',
    );
    expect(markdown).toContain('aml.cash-aggregation (reporting, not scored)');
    expect(markdown).toContain(
      '- Strict (headline figures): an alert matches an instance only when',
    );
    expect(markdown).toContain('- Lenient (second column, for comparison)');
    expect(markdown).toContain('- fan-out: fan-out-2');
  });
});

describe('evaluateAlerts: recall per ground-truth source', () => {
  it('keeps instances of an injected source apart from the generator own', () => {
    const report = evaluateAlerts(
      [
        toDetectedAlert(cycleDetector, draft('acc:C', [m2])),
        toDetectedAlert(fanOutDetector, draft('acc:A', [m1])),
      ],
      [
        record('amlworld:1', 'cycle', { source: 'amlworld', movements: ['mv:2'] }),
        record('amlworld:2', 'cycle', { source: 'amlworld', movements: ['mv:50'] }),
        record('amlworld:3', 'fan-out', { source: 'amlworld', movements: ['mv:51'] }),
        record('fan-out-1', 'fan-out', { movements: ['mv:1'] }),
      ],
    );
    // Over both sources fan-out recall is 50%; the generator's alone is 100%, AMLworld's 0%.
    expect(report.typologies.find((t) => t.typology === 'fan-out')?.recall).toBe(0.5);
    expect(report.sources).toEqual([
      {
        source: 'amlworld',
        instances: 3,
        detected: 1,
        recall: 0.3333,
        lenientDetected: 1,
        lenientRecall: 0.3333,
        typologies: [
          {
            typology: 'cycle',
            instances: 2,
            detected: 1,
            recall: 0.5,
            lenientDetected: 1,
            lenientRecall: 0.5,
          },
          {
            typology: 'fan-out',
            instances: 1,
            detected: 0,
            recall: 0,
            lenientDetected: 0,
            lenientRecall: 0,
          },
        ],
      },
      {
        source: 'generator',
        instances: 1,
        detected: 1,
        recall: 1,
        lenientDetected: 1,
        lenientRecall: 1,
        typologies: [
          {
            typology: 'fan-out',
            instances: 1,
            detected: 1,
            recall: 1,
            lenientDetected: 1,
            lenientRecall: 1,
          },
        ],
      },
    ]);
  });
});
