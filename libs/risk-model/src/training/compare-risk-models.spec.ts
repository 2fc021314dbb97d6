import { ALL_DETECTORS, DetectorRegistry } from '@app/detectors';
import { DetectorsSettings, loadSettings } from '@app/settings';
import { InvalidInputError, SingleCurrencyMoney } from '@app/vocabulary';
import { syntheticBank } from '../testing/synthetic-bank';
import { compareRiskModels } from './compare-risk-models';
import { trainRiskModel } from './train-risk-model';

const money = new SingleCurrencyMoney('USD');
const registry = (): DetectorRegistry =>
  new DetectorRegistry(ALL_DETECTORS, loadSettings(DetectorsSettings, {}), money);
const replay = { money, highRiskJurisdictions: ['KP'] };
const bank = syntheticBank(3, 21, 20);

let weak: Awaited<ReturnType<typeof trainRiskModel>>['file'];
let strong: Awaited<ReturnType<typeof trainRiskModel>>['file'];
beforeAll(async () => {
  const train = (rounds: number, seed: number) =>
    trainRiskModel(
      registry(),
      [bank],
      { ...replay, seed, params: { rounds, maxDepth: 2 } },
      () => 0,
    );
  weak = (await train(1, 1)).file;
  strong = (await train(30, 2)).file;
});

describe('compareRiskModels', () => {
  it('scores each model on the same test split as training: the figures are the ones its file reports', async () => {
    const c = await compareRiskModels(
      registry(),
      [bank],
      { current: weak, candidate: strong },
      replay,
    );
    expect(c.test.from).toBe(strong.training.split.testFrom);
    expect(c.current.model).toEqual(weak.metrics.test.model);
    expect(c.candidate.model).toEqual(strong.metrics.test.model);
    expect(c.candidate.rulesAndModel).toEqual(strong.metrics.test.rulesAndModel);
    expect(c.rules).toEqual(strong.metrics.test.rules);
    expect(c.test.labelled).toBe(strong.metrics.test.model.labelled);
  });

  it('gives the verdict by the sign of the F1 difference, and the opposite when swapped', async () => {
    // The same trees with a threshold so low that every movement is flagged: a worse model.
    const loose = { ...strong, modelVersion: 'risk-loose', threshold: 1e-6 };
    const ab = await compareRiskModels(
      registry(),
      [bank],
      { current: loose, candidate: strong },
      replay,
    );
    const ba = await compareRiskModels(
      registry(),
      [bank],
      { current: strong, candidate: loose },
      replay,
    );
    expect(ab.current.model.predicted).toBe(ab.test.movements);
    const { labelled, movements } = ab.test;
    const looseF1 = Math.round(((2 * labelled) / (movements + labelled)) * 10_000) / 10_000;
    expect(ab.current.model.f1).toBe(looseF1);
    const points = Math.round(((strong.metrics.test.model.f1 ?? 0) - looseF1) * 10_000) / 100;
    expect(points).toBeGreaterThan(0);
    expect(ab.f1Points).toBe(points);
    expect(ab.verdict).toBe('better');
    expect(ba.f1Points).toBe(-points);
    expect(ba.verdict).toBe('worse');
    const same = await compareRiskModels(
      registry(),
      [bank],
      { current: weak, candidate: weak },
      replay,
    );
    expect(same.verdict).toBe('equal');
    expect(same.f1Points).toBe(0);
  });

  it('flags a model whose training part reaches into the test split', async () => {
    const longer = syntheticBank(3, 40, 20);
    const later = (
      await trainRiskModel(
        registry(),
        [longer],
        { ...replay, seed: 3, params: { rounds: 2 } },
        () => 0,
      )
    ).file;
    const c = await compareRiskModels(
      registry(),
      [bank],
      { current: weak, candidate: later },
      replay,
    );
    expect(c.current.trainedIntoTest).toBe(false);
    expect(c.candidate.trainedIntoTest).toBe(true);
  });

  it('refuses data whose test split has no labelled laundering', async () => {
    await expect(
      compareRiskModels(
        registry(),
        [{ ...bank, groundTruth: [] }],
        { current: weak, candidate: strong },
        replay,
      ),
    ).rejects.toThrow(InvalidInputError);
  });
});
