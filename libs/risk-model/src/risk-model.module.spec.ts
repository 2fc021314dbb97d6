import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import {
  AlertRepository,
  DetectorsModule,
  MemoryAccountDirectory,
  StreamDetectionService,
} from '@app/detectors';
import { GraphStore, GraphStoreModule } from '@app/graph-store';
import { InvalidSettingsError, modelSettings, SettingsModule } from '@app/settings';
import { ids, movementEdge, shippedBaseMoney } from '@app/vocabulary';
import type { GraphEdge } from '@app/vocabulary';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from './features/feature-set';
import { DEFAULT_BOOSTING } from './model/boosted-trees';
import {
  RISK_MODEL_FORMAT,
  RISK_MODEL_FORMAT_VERSION,
  serializeRiskModel,
} from './model/risk-model-file';
import type { RiskModelFile } from './model/risk-model-file';
import { ModelRiskHookFactory, RiskModelModule, riskModelFromSettings } from './risk-model.module';
import { account, payment, T0 } from './testing/synthetic-bank';

const HOUR = 3_600_000;
const PAYEES = ['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => `account:b:${p}`);

/** One tree on one feature: at or above `threshold` it scores high (0.95), below it low. */
function oneSplitModel(feature: string, threshold: number): RiskModelFile {
  return {
    format: RISK_MODEL_FORMAT,
    formatVersion: RISK_MODEL_FORMAT_VERSION,
    modelVersion: 'risk-unit',
    featureSet: { version: FEATURE_SET_VERSION, names: [...FEATURE_NAMES] },
    seed: 1,
    threshold: 0.5,
    training: {
      fingerprint: 'unit',
      facts: {},
      split: { spanStart: '', validationFrom: '', testFrom: '', end: '' },
      rows: { train: 0, trainPositives: 0, negativeSampleRate: 1 },
      params: DEFAULT_BOOSTING,
    },
    metrics: {},
    model: {
      baseMargin: -2,
      trees: [
        [
          {
            feature: FEATURE_NAMES.indexOf(feature),
            threshold,
            left: 1,
            right: 2,
            value: 0,
          },
          { feature: -1, threshold: 0, left: -1, right: -1, value: -1 },
          { feature: -1, threshold: 0, left: -1, right: -1, value: 5 },
        ],
      ],
    },
  };
}

describe('RiskModelModule', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'risk-model-module-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads no model when RISK_MODEL_FILE is unset or blank, and names the variable for a bad file', () => {
    expect(riskModelFromSettings({})).toBeNull();
    expect(riskModelFromSettings({ riskModelFile: '  ' })).toBeNull();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"something-else"}');
    expect(() => riskModelFromSettings({ riskModelFile: bad })).toThrow(InvalidSettingsError);
    expect(() => riskModelFromSettings({ riskModelFile: bad })).toThrow(/RISK_MODEL_FILE/);
  });

  async function streamed(riskModelFile: string | undefined) {
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, GraphStoreModule, RiskModelModule, DetectorsModule],
    })
      .overrideProvider(modelSettings.KEY)
      .useValue({ riskModelFile })
      .compile();
    const store = moduleRef.get(GraphStore);
    await store.upsertVertices([account('account:b:S'), ...PAYEES.map((uid) => account(uid))]);
    const stream = moduleRef.get(StreamDetectionService);
    const raised = [];
    for (const [i, to] of PAYEES.entries()) {
      const m = payment(`mv:fan:${i}`, 'account:b:S', to, 2_000, T0 + i * HOUR);
      await store.upsertEdges([movementEdge(m)]);
      raised.push(...(await stream.onMovement(m)));
    }
    const stored = await moduleRef.get(AlertRepository).list({ ruleId: 'aml.fan-out' }, 10);
    await moduleRef.close();
    return { raised, stored: stored.items };
  }

  it('passes over a movement whose currency has no rate (undefined, nothing fed), as the rules do, and scores the next one', () => {
    const factory = new ModelRiskHookFactory(
      oneSplitModel('senderOutDistinct7d', 2.5),
      shippedBaseMoney('USD'),
      [],
    );
    const hook = factory.create(new MemoryAccountDirectory([account('A'), account('B')], []));
    const paid = (id: string, currency: string) =>
      Object.freeze({ ...payment(id, 'A', 'B', 1_000_00, T0), currency });
    // A stored CLP movement must not fail a scan or every real-time request (outside review).
    expect(hook.onMovement(paid('mv:clp', 'CLP'), [])).toBeUndefined();
    expect(hook.onMovement(paid('mv:usd', 'USD'), [])).toMatchObject({ modelVersion: 'risk-unit' });
  });

  it('on the stream, alerts carry the model score and reasons, also in the stored explanation; without a model they do not', async () => {
    const file = join(dir, 'model.json');
    writeFileSync(file, serializeRiskModel(oneSplitModel('senderOutDistinct7d', 2.5)));
    const withModel = await streamed(file);
    const fan = withModel.raised.filter((a) => a.ruleId === 'aml.fan-out');
    expect(fan.length).toBeGreaterThan(0);
    for (const alert of fan) {
      expect(alert.risk).toMatchObject({ modelVersion: 'risk-unit', threshold: 0.5 });
      expect(alert.risk?.score).toBeGreaterThan(0.9);
      expect(alert.risk?.reasons[0].text).toBe(
        'the sender paid 4 distinct accounts in the 7 days before',
      );
    }
    expect(withModel.stored[0].explanation).toContain('Model risk-unit scores this payment 0.95');

    const without = await streamed(undefined);
    expect(without.raised.map((a) => a.ruleId)).toEqual(withModel.raised.map((a) => a.ruleId));
    for (const alert of without.raised) expect(alert.risk).toBeUndefined();
    expect(without.stored[0].explanation).not.toContain('Model');
    expect(withModel.stored[0].explanation.startsWith(without.stored[0].explanation)).toBe(true);
  });

  it('on the stream, reads identifier uses from the store and from the ingest worker, counting only uses that began before the payment', async () => {
    const file = join(dir, 'shared.json');
    writeFileSync(file, serializeRiskModel(oneSplitModel('partiesShareIdentifier', 0.5)));
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, GraphStoreModule, RiskModelModule, DetectorsModule],
    })
      .overrideProvider(modelSettings.KEY)
      .useValue({ riskModelFile: file })
      .compile();
    const store = moduleRef.get(GraphStore);
    const phone = 'phone:+15550100';
    const uses = (account: string, firstSeen: number): GraphEdge => ({
      label: 'USES',
      eid: ids.structural('USES', account, phone),
      from: account,
      to: phone,
      props: { firstSeen, lastSeen: firstSeen },
    });
    // A fan of seven payees: the fan-out alert comes with the fifth and grows with each after.
    const payees = [1, 2, 3, 4, 5, 6, 7].map((p) => `account:c:P${p}`);
    await store.upsertVertices([
      account('account:c:S'),
      ...payees.map((uid) => account(uid)),
      { label: 'Identifier', uid: phone, props: { kind: 'phone', value: '+15550100' } },
    ]);
    // In the store before the stream starts: S and P7 on one phone; P6 first uses it only
    // after the payment to P6.
    await store.upsertEdges([
      uses('account:c:S', T0 - HOUR),
      uses(payees[6], T0 - HOUR),
      uses(payees[5], T0 + 5 * HOUR + 1),
    ]);
    const stream = moduleRef.get(StreamDetectionService);
    // P5's use reaches the model only through the ingest worker (not in the store).
    stream.onIdentifierUses([{ accountId: payees[4], identifierUid: phone, firstSeen: T0 - HOUR }]);
    const scores = new Map<string, number | undefined>();
    for (const [i, to] of payees.entries()) {
      const m = payment(`mv:fan:${i}`, 'account:c:S', to, 2_000, T0 + i * HOUR);
      await store.upsertEdges([movementEdge(m)]);
      for (const alert of await stream.onMovement(m)) scores.set(m.movementId, alert.risk?.score);
    }
    await moduleRef.close();
    // P5 shared through the worker, P6 not (its use began after the payment), P7 in the store.
    expect([...scores.keys()]).toEqual(['mv:fan:4', 'mv:fan:5', 'mv:fan:6']);
    expect(scores.get('mv:fan:4')).toBeGreaterThan(0.9);
    expect(scores.get('mv:fan:5')).toBeLessThan(0.5);
    expect(scores.get('mv:fan:6')).toBeGreaterThan(0.9);
  });
});
