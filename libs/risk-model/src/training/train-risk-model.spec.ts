import {
  ALL_DETECTORS,
  DetectorRegistry,
  MemoryAccountDirectory,
  StreamDetectionEngine,
  activitiesOf,
  identifierUsesOf,
} from '@app/detectors';
import { DetectorsSettings, loadSettings } from '@app/settings';
import { ids, InvalidInputError, SingleCurrencyMoney } from '@app/vocabulary';
import type { GraphEdge } from '@app/vocabulary';
import type { DetectionChunk } from '@app/detectors';
import { FEATURE_NAMES } from '../features/feature-set';
import { MovementFeatureExtractor } from '../features/feature-extractor';
import { parseRiskModel, serializeRiskModel } from '../model/risk-model-file';
import { RiskScorer } from '../model/risk-scorer';
import { DAY, syntheticBank, T0 } from '../testing/synthetic-bank';
import { extractFeatures, trainRiskModel } from './train-risk-model';

const money = new SingleCurrencyMoney('USD');
const registry = (): DetectorRegistry =>
  new DetectorRegistry(ALL_DETECTORS, loadSettings(DetectorsSettings, {}), money);
const HOUR = 3_600_000;
const options = { seed: 7, money, highRiskJurisdictions: ['KP'], params: { rounds: 20 } };

const bank = syntheticBank(3, 21, 20);
let trained: Awaited<ReturnType<typeof trainRiskModel>>;
beforeAll(async () => {
  trained = await trainRiskModel(registry(), [bank], options, () => 0);
});

describe('trainRiskModel', () => {
  it('gives the same model file twice from the same seed and data, and another from another seed', async () => {
    const first = trained;
    const second = await trainRiskModel(registry(), [bank], options, () => 0);
    expect(serializeRiskModel(second.file)).toBe(serializeRiskModel(first.file));
    const other = await trainRiskModel(
      registry(),
      [bank],
      { ...options, seed: 8, maxTrainNegatives: 500 },
      () => 0,
    );
    expect(other.file.training.fingerprint).not.toBe(first.file.training.fingerprint);
  });

  it('splits by time, learns the planted laundering and reports model, rules and both on test', () => {
    const { file } = trained;
    const { split } = file.training;
    expect(Date.parse(split.validationFrom)).toBeLessThan(Date.parse(split.testFrom));
    expect(file.featureSet.names).toEqual(FEATURE_NAMES);
    expect(file.training.rows.trainPositives).toBeGreaterThan(0);
    const test = file.metrics.test;
    expect(test.model.labelled).toBeGreaterThan(0);
    expect(test.model.recall).toBeGreaterThan(0.5);
    expect(test.rulesAndModel.truePositives).toBeGreaterThanOrEqual(test.rules.truePositives);
    expect(test.rulesAndModel.truePositives).toBeGreaterThanOrEqual(test.model.truePositives);
    expect(parseRiskModel(JSON.parse(serializeRiskModel(file)))).toEqual(file);
  });

  it('refuses a dataset whose training part has no labelled movement', async () => {
    const unlabelled = { ...bank, groundTruth: [] };
    await expect(trainRiskModel(registry(), [unlabelled], options)).rejects.toThrow(
      InvalidInputError,
    );
  });
});

/**
 * USES edges for a bank: each laundering hub and its mules on one phone (first used an hour
 * before the hub's first payment out, so its earliest payments do not count it), and normal
 * accounts in pairs on a device first used on a day of the span.
 */
function usesOf(bank: DetectionChunk): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const use = (account: string, identifier: string, firstSeen: number): void => {
    edges.push({
      label: 'USES',
      eid: ids.structural('USES', account, identifier),
      from: account,
      to: identifier,
      props: { firstSeen, lastSeen: firstSeen + DAY },
    });
  };
  const firstOut = new Map<string, number>();
  for (const e of bank.edges)
    if (e.label === 'TRANSFERRED' && !firstOut.has(e.from)) firstOut.set(e.from, e.props.timestamp);
  for (const v of bank.vertices) {
    const hub = /:hub(\d+)$/.exec(v.uid);
    const mule = /:mule(\d+)-\d+$/.exec(v.uid);
    const normal = /:n(\d+)$/.exec(v.uid);
    if (hub) use(v.uid, `phone:hub${hub[1]}`, (firstOut.get(v.uid) ?? T0) + 60_000);
    if (mule) use(v.uid, `phone:hub${mule[1]}`, T0);
    if (normal)
      use(
        v.uid,
        `device:pair${Math.floor(Number(normal[1]) / 2)}`,
        T0 + Number(normal[1]) * 3 * HOUR,
      );
  }
  return edges;
}

describe('one feature definition in batch and per event (parity)', () => {
  it('batch extraction over chunks equals feeding the engine one movement at a time with trials in between', async () => {
    const parityBank = syntheticBank(5, 10, 15);
    const uses = usesOf(parityBank);
    // Batch: the dataset cut into chunks of 50 edges (accounts and identifier uses first).
    const chunks: DetectionChunk[] = [{ vertices: parityBank.vertices, edges: uses }];
    for (let i = 0; i < parityBank.edges.length; i += 50)
      chunks.push({ vertices: [], edges: parityBank.edges.slice(i, i + 50) });
    const batch = await extractFeatures(registry(), chunks, {
      money,
      highRiskJurisdictions: ['KP'],
    });

    // Per event: a live engine and extractor, as the stream and the real-time endpoint run them.
    const accounts = new MemoryAccountDirectory(parityBank.vertices);
    const reg = registry();
    const engine = new StreamDetectionEngine(reg.instantiate(), accounts);
    const extractor = new MovementFeatureExtractor({
      accounts,
      money,
      highRiskJurisdictions: ['KP'],
      reportingRules: reg.reportingRuleIds(),
    });
    const F = FEATURE_NAMES.length;
    let row = 0;
    // Per event, each identifier use comes in just before the first movement after its first
    // use (as the ingest worker would get a USES edge before the payments that follow it).
    const pending = identifierUsesOf(uses).sort((a, b) => a.firstSeen - b.firstSeen);
    let next = 0;
    for (const activity of activitiesOf(parityBank)) {
      if (activity.type !== 'movement') continue;
      const m = activity.movement;
      while (next < pending.length && pending[next].firstSeen < m.timestamp)
        extractor.onIdentifierUse(pending[next++]);
      // A what-if score of a made-up payment must leave no trace in either state.
      engine.trial((feed) =>
        extractor.trial(() => {
          const probe = { ...m, movementId: `${m.movementId}:probe`, amountMinor: 999_999 };
          extractor.onMovement(probe, feed.onMovement(probe));
        }),
      );
      const features = extractor.onMovement(m, engine.onMovement(m));
      expect(batch.ids[row]).toBe(m.movementId);
      expect([...features]).toEqual([...batch.features.subarray(row * F, row * F + F)]);
      row += 1;
    }
    expect(row).toBe(batch.ids.length);
    // The shared-identifier features took part: some movements between accounts on one phone.
    const shared = FEATURE_NAMES.indexOf('partiesShareIdentifier');
    let sharing = 0;
    for (let i = 0; i < row; i += 1) sharing += batch.features[i * F + shared];
    expect(sharing).toBeGreaterThan(10);
  });
});

describe('RiskScorer', () => {
  it('scores with the trained trees and explains the score by its strongest features', () => {
    const { file } = trained;
    const scorer = new RiskScorer(file, {
      accounts: new MemoryAccountDirectory(bank.vertices),
      money,
      highRiskJurisdictions: ['KP'],
    });
    const risks = activitiesOf(bank).flatMap((a) =>
      a.type === 'movement' ? [scorer.onMovement(a.movement)] : [],
    );
    const laundering = new Set(bank.groundTruth?.flatMap((r) => r.movements));
    const flagged = risks.filter((r) => r.suspicious);
    expect(flagged.length).toBeGreaterThan(0);
    expect(
      flagged.filter((r) => laundering.has(r.movementId)).length / flagged.length,
    ).toBeGreaterThan(0.5);
    for (const risk of flagged) {
      expect(risk.modelVersion).toBe(file.modelVersion);
      expect(risk.reasons.length).toBeGreaterThan(0);
      expect(risk.reasons[0].effect).toBeGreaterThan(0);
      expect(risk.reasons[0].text).toMatch(/\w+ \w+/);
    }
  });
});

describe('parseRiskModel', () => {
  const valid = (): Record<string, unknown> =>
    JSON.parse(serializeRiskModel(trained.file)) as Record<string, unknown>;

  it.each([
    [
      'another format',
      (f: Record<string, unknown>) => ({ ...f, format: 'onnx' }),
      /not a graph-banking-risk-model/,
    ],
    [
      'another format version',
      (f: Record<string, unknown>) => ({ ...f, formatVersion: 9 }),
      /format version 9/,
    ],
    [
      'another feature set',
      (f: Record<string, unknown>) => ({ ...f, featureSet: { version: 'old', names: ['x'] } }),
      /trained on feature set old/,
    ],
    [
      'a model of feature set 3 (before the shared-identifier features), asking to retrain',
      (f: Record<string, unknown>) => ({
        ...f,
        featureSet: {
          version: 'movement-features/3',
          names: FEATURE_NAMES.slice(0, FEATURE_NAMES.indexOf('senderSharedAccounts')),
        },
      }),
      /trained on feature set movement-features\/3, and this version computes movement-features\/4; train the model again/,
    ],
    ['a threshold of 1.5', (f: Record<string, unknown>) => ({ ...f, threshold: 1.5 }), /threshold/],
    [
      'a node pointing outside its tree',
      (f: Record<string, unknown>) => ({
        ...f,
        model: {
          baseMargin: 0,
          trees: [[{ feature: 0, threshold: 1, left: 5, right: 6, value: 0 }]],
        },
      }),
      /child outside the tree/,
    ],
    [
      'an unknown feature',
      (f: Record<string, unknown>) => ({
        ...f,
        model: {
          baseMargin: 0,
          trees: [[{ feature: 99, threshold: 1, left: 1, right: 2, value: 0 }]],
        },
      }),
      /unknown feature 99/,
    ],
  ])('refuses %s', (_name, change, message) => {
    expect(() => parseRiskModel(change(null as never))).toThrow(InvalidInputError);
    expect(() => parseRiskModel(change({}))).toThrow(InvalidInputError);
    const file = valid();
    expect(() => parseRiskModel(change(file))).toThrow(message);
  });
});
