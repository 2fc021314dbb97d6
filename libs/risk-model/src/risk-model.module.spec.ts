import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { AlertRepository, DetectorsModule, StreamDetectionService } from '@app/detectors';
import { GraphStore, GraphStoreModule } from '@app/graph-store';
import { InvalidSettingsError, modelSettings, SettingsModule } from '@app/settings';
import { movementEdge } from '@app/vocabulary';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from './features/feature-set';
import { DEFAULT_BOOSTING } from './model/boosted-trees';
import {
  RISK_MODEL_FORMAT,
  RISK_MODEL_FORMAT_VERSION,
  serializeRiskModel,
} from './model/risk-model-file';
import type { RiskModelFile } from './model/risk-model-file';
import { RiskModelModule, riskModelFromSettings } from './risk-model.module';
import { account, payment, T0 } from './testing/synthetic-bank';

const HOUR = 3_600_000;
const PAYEES = ['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => `account:b:${p}`);

/** One tree: a sender that paid 3 or more distinct accounts in the week before scores high. */
function fanOutModel(): RiskModelFile {
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
            feature: FEATURE_NAMES.indexOf('senderOutDistinct7d'),
            threshold: 2.5,
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

  it('on the stream, alerts carry the model score and reasons, also in the stored explanation; without a model they do not', async () => {
    const file = join(dir, 'model.json');
    writeFileSync(file, serializeRiskModel(fanOutModel()));
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
});
