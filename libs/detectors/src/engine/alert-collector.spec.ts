import { validateVertex } from '@app/vocabulary';
import { cashAggregationDetector } from '../aml/cash-aggregation.detector';
import type { AlertDraft } from '../core/detector';
import { MAX_EXPLANATION_CHARS } from '../core/explanation';
import { alertWithExplanation, deposit, MINUTE, runDetector, T0 } from '../testing/fixtures';
import { structuringDetector } from '../aml/structuring.detector';
import { toDetectedAlert } from './alert-collector';

function explanationProblems(explanation: string): ReturnType<typeof validateVertex> {
  return validateVertex(alertWithExplanation(explanation));
}

describe('toDetectedAlert', () => {
  it('raises a savable cash-aggregation alert for a day of 300 cash deposits', () => {
    // The outside review's case: 300 deposits of 900.00 USD into one account on one day.
    const movements = Array.from({ length: 300 }, (_, i) =>
      deposit('account:cashx:A', 900_00, T0 + i * MINUTE),
    );
    const { alerts } = runDetector(cashAggregationDetector, movements);
    expect(alerts).toHaveLength(1);
    const alert = toDetectedAlert(cashAggregationDetector, alerts[0]);
    expect(alert.movements).toHaveLength(300);
    expect(alert.explanation.length).toBeLessThanOrEqual(MAX_EXPLANATION_CHARS);
    expect(explanationProblems(alert.explanation)).toEqual([]);
    expect(alert.explanation).toContain('made 300 cash deposits');
    expect(alert.explanation).toContain('totalling 270000.00 USD');
    expect(alert.explanation).toContain('(250 more movements; see movementIds).');
  });

  it('bounds the explanation of any rule to what an Alert vertex holds', () => {
    const movements = Array.from({ length: 3 }, (_, i) =>
      deposit('account:b:A', 9_500_00 + i, T0 + i * MINUTE),
    );
    const draft: AlertDraft = runDetector(structuringDetector, movements).alerts[0];
    const long = `${draft.explanation} ${'and more words '.repeat(1_000)}`;
    const alert = toDetectedAlert(structuringDetector, { ...draft, explanation: long });
    expect(alert.explanation.length).toBeLessThanOrEqual(MAX_EXPLANATION_CHARS);
    expect(alert.explanation.startsWith(draft.explanation)).toBe(true);
    expect(alert.explanation).toMatch(/all 3 evidence movements are in movementIds\)$/);
    expect(explanationProblems(alert.explanation)).toEqual([]);
    expect(toDetectedAlert(structuringDetector, draft).explanation).toBe(draft.explanation);
  });
});
