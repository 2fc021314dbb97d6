import { ALL_DETECTORS, DetectorRegistry, evaluateDataset } from '@app/detectors';
import { seededRandom, trainRiskModel } from '@app/risk-model';
import { loadAllSettings } from '@app/settings';
import { movementEdge, shippedBaseMoney } from '@app/vocabulary';
import type { GraphVertex, GroundTruthRecord, Movement } from '@app/vocabulary';
import { RuleTuner } from './rule-tuner';
import type { TuningDataset } from './rule-tuner';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 6, 0, 0, 0);

function account(uid: string, openedDaysBefore: number): GraphVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: T0 - openedDaysBefore * DAY,
      status: 'active',
      bankId: 'TUNE',
      country: 'US',
    },
  };
}

/**
 * A seeded bank of `normal` accounts paying each other small sums at random, and every third
 * day a labelled fan-out: a fresh account pays 6 fresh accounts USD 3,000 each within an hour.
 */
function fanBank(seed: number, days = 45, normal = 25): TuningDataset {
  const random = seededRandom(seed);
  const vertices: GraphVertex[] = [];
  const movements: Movement[] = [];
  const groundTruth: GroundTruthRecord[] = [];
  for (let a = 0; a < normal; a += 1) vertices.push(account(`account:TUNE:n${a}`, 400));
  let id = 0;
  const pay = (from: string, to: string, major: number, at: number): Movement => {
    id += 1;
    const movement: Movement = {
      movementId: `mv:tune:${String(id).padStart(6, '0')}`,
      fromAccount: from,
      toAccount: to,
      amountMinor: Math.round(major * 100),
      currency: 'USD',
      timestamp: at,
      channel: 'wire',
    };
    movements.push(movement);
    return movement;
  };
  for (let d = 0; d < days; d += 1) {
    for (let k = 0; k < normal; k += 1) {
      const from = Math.floor(random() * normal);
      const to = (from + 1 + Math.floor(random() * (normal - 1))) % normal;
      pay(
        `account:TUNE:n${from}`,
        `account:TUNE:n${to}`,
        20 + Math.round(random() * 400),
        T0 + d * DAY + Math.floor(random() * DAY),
      );
    }
    if (d % 3 === 1) {
      const hub = `account:TUNE:hub${d}`;
      vertices.push(account(hub, 10));
      const ids: string[] = [];
      for (let m = 0; m < 6; m += 1) {
        const mule = `account:TUNE:mule${d}-${m}`;
        vertices.push(account(mule, 10));
        ids.push(pay(hub, mule, 3000 + m, T0 + d * DAY + 36_000_000 + m * 300_000).movementId);
      }
      groundTruth.push({
        instanceId: `tune:${d}`,
        typology: 'fan-out',
        source: 'generator',
        decoy: false,
        entities: [hub],
        movements: ids,
        window: { from: T0 + d * DAY, to: T0 + (d + 1) * DAY },
        parameters: {},
      });
    }
  }
  movements.sort((a, b) => a.timestamp - b.timestamp || (a.movementId < b.movementId ? -1 : 1));
  return { vertices, edges: movements.map(movementEdge), groundTruth, observedSince: T0 };
}

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
