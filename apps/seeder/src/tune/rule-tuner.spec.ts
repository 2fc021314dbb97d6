import { ALL_DETECTORS, DetectorRegistry, evaluateDataset } from '@app/detectors';
import { trainRiskModel } from '@app/risk-model';
import { loadAllSettings } from '@app/settings';
import { shippedBaseMoney } from '@app/vocabulary';
import { fanBank } from '../testing/fan-bank';
import { RuleTuner } from './rule-tuner';

describe('RuleTuner', () => {
  const settings = loadAllSettings({});
  const registry = (): DetectorRegistry => new DetectorRegistry(ALL_DETECTORS, settings.detectors);
  // Fans of 6 payees are invisible to a fan-out rule that wants 10 counterparties.
  const badStart = { 'aml.fan-out': { minCounterparties: 10, minSmallFanCounterparties: 10 } };

  it('raises validation F1 above a deliberately bad starting parameter, and says what it changed', () => {
    const result = new RuleTuner(registry(), fanBank(7)).tune({
      rules: ['aml.fan-out'],
      start: badStart,
      maxEvaluations: 40,
    });
    expect(result.validation.before.labelled).toBeGreaterThan(0);
    expect(result.validation.before.truePositives).toBe(0);
    expect(result.validation.after.f1).toBeGreaterThan(0.5);
    expect(result.validation.after.f1).toBeGreaterThan(result.validation.before.f1 ?? 0);
    // The test split is only measured: the search never saw it, yet the better values carry over.
    expect(result.test.after.truePositives).toBeGreaterThan(result.test.before.truePositives);
    expect(result.changes[0]).toMatchObject({
      ruleId: 'aml.fan-out',
      parameter: 'minCounterparties',
      from: 10,
    });
    const tuned = result.parameters['aml.fan-out']?.minCounterparties;
    expect(tuned).toBeLessThanOrEqual(6);
    expect(result.evaluations).toBeLessThanOrEqual(40);
  });

  it('gives the same parameters and figures when run twice on the same data', () => {
    const run = () =>
      new RuleTuner(registry(), fanBank(11)).tune({
        rules: ['aml.fan-out'],
        start: badStart,
        maxEvaluations: 25,
      });
    expect(run()).toEqual(run());
  });

  it('stops at the budget and reports it', () => {
    const steps: number[] = [];
    const result = new RuleTuner(registry(), fanBank(3)).tune({
      rules: ['aml.fan-out'],
      start: badStart,
      maxEvaluations: 2,
      onProgress: (step) => steps.push(step.evaluations),
    });
    expect(result.budgetExhausted).toBe(true);
    expect(result.evaluations).toBe(2);
    expect(steps).toEqual([1, 2]);
  });

  it('splits by time exactly as `seeder train` does', async () => {
    const data = fanBank(5);
    const tuner = new RuleTuner(registry(), data);
    const { file } = await trainRiskModel(registry(), [data], {
      seed: 1,
      money: shippedBaseMoney('USD'),
      highRiskJurisdictions: [],
      observedSince: data.observedSince,
      params: { rounds: 1 },
    });
    expect(new Date(tuner.split.validationFrom).toISOString()).toBe(
      file.training.split.validationFrom,
    );
    expect(new Date(tuner.split.testFrom).toISOString()).toBe(file.training.split.testFrom);
  });

  it('scores the test split as `seeder evaluate` does with the same parameters', () => {
    const data = fanBank(9);
    const aml = registry()
      .list()
      .filter((d) => d.family === 'aml')
      .map((d) => d.id);
    const result = new RuleTuner(registry(), data).tune({
      rules: ['aml.fan-out'],
      start: badStart,
      maxEvaluations: 10,
    });
    const evaluated = evaluateDataset(registry(), data, {
      rules: aml,
      // The written parameters alone (differences from the defaults) reproduce the tuned rules.
      parameters: result.parameters,
      observedSince: data.observedSince,
    });
    const test = evaluated.summary.transactions.aml.test;
    expect(test).not.toBeNull();
    expect(result.test.after).toMatchObject({
      labelled: test?.labelled,
      predicted: test?.predicted,
      truePositives: test?.truePositives,
      movements: test?.movements,
    });
  });

  it('refuses rules without a grid and starting values for rules it does not score', () => {
    const tuner = new RuleTuner(registry(), fanBank(2, 10));
    expect(() => tuner.tune({ rules: ['fraud.ring'], maxEvaluations: 1 })).toThrow(
      /only AML rules with a declared grid/,
    );
    expect(() => tuner.tune({ start: { 'fraud.ring': { hubCap: 3 } }, maxEvaluations: 1 })).toThrow(
      /not tuned AML rules/,
    );
  });
});
