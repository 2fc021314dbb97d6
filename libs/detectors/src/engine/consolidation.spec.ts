import { passThroughDetector } from '../aml/pass-through.detector';
import type { AlertDraft } from '../core/detector';
import { muleChainDetector } from '../fraud/mule-chain.detector';
import { fraudRingDetector } from '../fraud/fraud-ring.detector';
import { DAY, HOUR, MINUTE, mv, T0 } from '../testing/fixtures';
import { toDetectedAlert } from './alert-collector';
import { consolidateAlerts } from './consolidation';

const hop1 = mv('acc:S', 'acc:M1', 9_000_00, T0);
const hop2 = mv('acc:M1', 'acc:M2', 8_900_00, T0 + 10 * MINUTE);
const hop3 = mv('acc:M2', 'acc:M3', 8_800_00, T0 + 20 * MINUTE);

function draft(fingerprint: string, movements = [hop1, hop2]): AlertDraft {
  return {
    fingerprint,
    subject: 'acc:M1',
    score: 0.7,
    explanation: 'x',
    windowStart: T0,
    windowEnd: T0,
    movements,
    parties: [],
    facts: {},
  };
}

describe('consolidateAlerts', () => {
  it('folds an alert whose movements all belong to a larger alert into it', () => {
    const hop = toDetectedAlert(passThroughDetector, draft('a'));
    const chain = toDetectedAlert(muleChainDetector, draft('b', [hop1, hop2, hop3]));
    const { kept, coveredBy } = consolidateAlerts([hop, chain]);
    expect(kept.map((a) => a.alertId)).toEqual([chain.alertId]);
    expect(coveredBy.get(hop.alertId)).toBe(chain.alertId);
  });

  it('keeps the more specific rule when the evidence is the same, and keeps partial overlaps', () => {
    const hop = toDetectedAlert(passThroughDetector, draft('a'));
    const chain = toDetectedAlert(muleChainDetector, draft('b'));
    const specificity = (id: string): number => (id === 'fraud.mule-chain' ? 3 : 0);
    expect(consolidateAlerts([hop, chain], specificity).kept.map((a) => a.ruleId)).toEqual([
      'fraud.mule-chain',
    ]);
    const other = toDetectedAlert(passThroughDetector, draft('c', [hop2, hop3]));
    expect(consolidateAlerts([hop, other]).kept).toHaveLength(2);
  });

  it('lets a broad rule (negative specificity) cover only alerts of rules as broad', () => {
    const hop = toDetectedAlert(passThroughDetector, draft('a'));
    const broad = toDetectedAlert(muleChainDetector, draft('b', [hop1, hop2, hop3]));
    const broadChain = (id: string): number => (id === 'fraud.mule-chain' ? -1 : 0);
    const result = consolidateAlerts([hop, broad], broadChain);
    // The specific hop is not hidden; the broad alert, sharing 2 of its 3 movements, is shown in it.
    expect(result.kept.map((a) => a.alertId)).toEqual([hop.alertId]);
    expect(result.coveredBy.get(broad.alertId)).toBe(hop.alertId);
    // Equally broad, or a non-negative rule with more movements: folded as before.
    const bothBroad = (): number => -1;
    expect(consolidateAlerts([hop, broad], bothBroad).coveredBy.get(hop.alertId)).toBe(
      broad.alertId,
    );
    const lessSpecific = (id: string): number => (id === 'fraud.mule-chain' ? 0 : 2);
    expect(consolidateAlerts([hop, broad], lessSpecific).coveredBy.get(hop.alertId)).toBe(
      broad.alertId,
    );
  });

  it('keeps a broad alert that shares less than half of its movements with specific ones', () => {
    const hop4 = mv('acc:M3', 'acc:M4', 8_700_00, T0 + 30 * MINUTE);
    const single = toDetectedAlert(passThroughDetector, draft('a', [hop1]));
    const broad = toDetectedAlert(muleChainDetector, draft('b', [hop1, hop2, hop3, hop4]));
    const broadChain = (id: string): number => (id === 'fraud.mule-chain' ? -1 : 0);
    expect(consolidateAlerts([single, broad], broadChain).kept).toHaveLength(2);
    const half = toDetectedAlert(passThroughDetector, draft('c', [hop1, hop2]));
    expect(consolidateAlerts([half, broad], broadChain).coveredBy.get(broad.alertId)).toBe(
      half.alertId,
    );
  });

  it('never folds alerts without movements (rings)', () => {
    const ring = toDetectedAlert(fraudRingDetector, draft('r', []));
    expect(consolidateAlerts([ring]).kept).toHaveLength(1);
  });
  it('regression: shows an alert sharing three quarters of its movements with a larger, more specific one inside it', () => {
    // A stack: four senders pay two middle accounts, which pay four receivers. The middle account
    // M1 is also a gather-scatter hub, and its window takes in one ordinary transfer from 12 days
    // before (medium bank, seed 42: stack-0008).
    const layer = (from: string[], to: string[], start: number) =>
      from.flatMap((f, i) =>
        to.map((t, j) => mv(f, t, 2_000_00, start + (i * to.length + j) * MINUTE)),
      );
    const into = layer(['acc:S1', 'acc:S2', 'acc:S3', 'acc:S4'], ['acc:M1', 'acc:M2'], T0);
    const out = layer(['acc:M1', 'acc:M2'], ['acc:R1', 'acc:R2', 'acc:R3', 'acc:R4'], T0 + HOUR);
    const stack = toDetectedAlert(muleChainDetector, draft('stack', [...into, ...out]));
    const ordinary = mv('acc:X', 'acc:M1', 867_39, T0 - 12 * DAY, { channel: 'ach' });
    const hubOfM1 = [
      ordinary,
      ...[...into, ...out].filter((m) => m.toAccount === 'acc:M1' || m.fromAccount === 'acc:M1'),
    ];
    const hub = toDetectedAlert(passThroughDetector, draft('hub', hubOfM1));
    const specificity = (id: string): number => (id === 'fraud.mule-chain' ? 3 : 2);
    const result = consolidateAlerts([hub, stack], specificity);
    expect(result.kept.map((a) => a.alertId)).toEqual([stack.alertId]);
    expect(result.coveredBy.get(hub.alertId)).toBe(stack.alertId);
    // Not with a rule as specific, nor when half of its movements are its own.
    expect(consolidateAlerts([hub, stack], () => 2).kept).toHaveLength(2);
    const extra = [1, 2, 3, 4].map((k) => mv(`acc:Y${k}`, 'acc:M1', 900_00, T0 - k * DAY));
    const mostlyOwn = toDetectedAlert(passThroughDetector, draft('own', [...hubOfM1, ...extra]));
    expect(consolidateAlerts([mostlyOwn, stack], specificity).kept).toHaveLength(2);
  });
});
