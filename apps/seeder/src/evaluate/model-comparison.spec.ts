import { ALL_DETECTORS, DetectorRegistry, evaluateDataset } from '@app/detectors';
import { trainRiskModel } from '@app/risk-model';
import type { RiskModelFile } from '@app/risk-model';
import { loadAllSettings } from '@app/settings';
import { shippedBaseMoney } from '@app/vocabulary';
import { fanBank } from '../testing/fan-bank';
import { compareAccounts } from './model-comparison';

describe('compareAccounts (evaluate --model)', () => {
  const settings = loadAllSettings({});
  const registry = new DetectorRegistry(ALL_DETECTORS, settings.detectors);
  const money = shippedBaseMoney('USD');
  const data = fanBank(21);
  let file: RiskModelFile;

  beforeAll(async () => {
    ({ file } = await trainRiskModel(registry, [data], {
      seed: 3,
      money,
      highRiskJurisdictions: [],
      observedSince: data.observedSince,
      params: { rounds: 5 },
    }));
  });

  const compare = (model: RiskModelFile) => {
    const run = evaluateDataset(registry, data, { observedSince: data.observedSince });
    return compareAccounts(registry, data, run.detection.alerts, model, {
      money,
      highRiskJurisdictions: [],
      observedSince: data.observedSince,
    });
  };

  it('flags every active account with a threshold near 0 and none near 1', async () => {
    const low = await compare({ ...file, threshold: 1e-9 });
    expect(low.all.model.predicted).toBe(low.all.model.accounts);
    expect(low.all.model.recall).toBe(1);
    const high = await compare({ ...file, threshold: 1 });
    expect(high.all.model.predicted).toBe(0);
    expect(high.all.rulesAndModel).toEqual(high.all.rules);
  });

  it('counts the test split apart, and rules + model flags at least what each flags', async () => {
    const c = await compare(file);
    expect(c.test.rules.accounts).toBeLessThan(c.all.rules.accounts);
    for (const part of [c.all, c.test]) {
      expect(part.rulesAndModel.truePositives).toBeGreaterThanOrEqual(
        Math.max(part.rules.truePositives, part.model.truePositives),
      );
      expect(part.rulesAndModel.predicted).toBeLessThanOrEqual(
        part.rules.predicted + part.model.predicted,
      );
    }
    // The fan-outs are found by the rules at defaults: labelled accounts are flagged.
    expect(c.all.rules.truePositives).toBeGreaterThan(0);
  });
});
