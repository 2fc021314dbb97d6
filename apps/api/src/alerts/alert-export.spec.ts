import { parse } from 'csv-parse/sync';
import type { AlertRisk } from '@app/detectors';
import { SingleCurrencyMoney } from '@app/vocabulary';
import { alertDetailView } from './alert.view';
import type { AlertDetailView } from './alert.view';
import { ALERT_CSV_COLUMNS, alertCsv } from './alert-export';

const BASE = new SingleCurrencyMoney('USD');

/** An alert with no evidence left in the graph (one CSV row), with or without a model's risk. */
function detail(risk: AlertRisk | undefined): AlertDetailView {
  return alertDetailView(
    {
      alertId: 'alert:aml.fan-in:1',
      ruleId: 'aml.fan-in',
      ruleVersion: '1.0.0',
      typology: 'fan-in',
      score: 0.8,
      severity: 'high',
      status: 'open',
      explanation: 'Twelve accounts paid one beneficiary.',
      fingerprint: 'f',
      createdAt: 0,
      updatedAt: 0,
      windowStart: 0,
      windowEnd: 0,
      movementIds: [],
      ...(risk ? { risk } : {}),
      parties: [],
      movements: [],
      history: [],
    },
    new Map(),
    BASE,
  );
}

function rows(csv: string): Record<string, string>[] {
  return parse(csv, { columns: true }) as Record<string, string>[];
}

describe('alertCsv: the learned model risk columns', () => {
  it('names the four risk columns after the explanation', () => {
    const at = ALERT_CSV_COLUMNS.indexOf('explanation');
    expect(ALERT_CSV_COLUMNS.slice(at + 1, at + 5)).toEqual([
      'riskScore',
      'riskThreshold',
      'riskModelVersion',
      'riskReasons',
    ]);
  });

  it('writes score, threshold, version and the reasons strongest first, joined by "; "', () => {
    const [row] = rows(
      alertCsv(
        detail({
          modelVersion: 'risk-0d4c2379d300',
          score: 0.9123,
          threshold: 0.2562,
          reasons: [
            { feature: 'a', effect: 2.1, text: '12 distinct accounts paid the beneficiary' },
            { feature: 'b', effect: 0.4, text: 'the receiving account is 3 days old' },
          ],
        }),
      ),
    );
    expect(row).toMatchObject({
      riskScore: '0.9123',
      riskThreshold: '0.2562',
      riskModelVersion: 'risk-0d4c2379d300',
      riskReasons: '12 distinct accounts paid the beneficiary; the receiving account is 3 days old',
    });
  });

  it('leaves the four cells empty when no model scored the alert', () => {
    const [row] = rows(alertCsv(detail(undefined)));
    expect(row.explanation).toBe('Twelve accounts paid one beneficiary.');
    expect([row.riskScore, row.riskThreshold, row.riskModelVersion, row.riskReasons]).toEqual([
      '',
      '',
      '',
      '',
    ]);
  });

  it('neutralises a model version or reason a spreadsheet would run as a formula', () => {
    const [row] = rows(
      alertCsv(
        detail({
          modelVersion: '=HYPERLINK("http://x","y")',
          score: 0.5,
          threshold: 0.5,
          reasons: [{ feature: 'a', effect: 1, text: '@SUM(1)' }],
        }),
      ),
    );
    expect(row.riskModelVersion).toBe(`'=HYPERLINK("http://x","y")`);
    expect(row.riskReasons).toBe(`'@SUM(1)`);
  });
});
