import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import {
  DEFAULT_BOOSTING,
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  RISK_MODEL_FORMAT,
  RISK_MODEL_FORMAT_VERSION,
  serializeRiskModel,
} from '@app/risk-model';
import type { RiskModelFile } from '@app/risk-model';
import { appSettings, InvalidSettingsError, loadAllSettings, modelSettings } from '@app/settings';
import { ids } from '@app/vocabulary';
import type { AccountVertex, GraphEdge } from '@app/vocabulary';
import { personalAccount } from './accounts.fixture';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

// The learned risk model in the product: with RISK_MODEL_FILE, every scored movement gets the
// model's score and reasons, and alerts carry them; a bad file stops the start.
const ADMIN = { 'X-API-Key': 'dev-admin-key' };
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;
const RECEIVER = 'account:e2e:R';
const SENDERS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'].map((p) => `account:e2e:${p}`);

interface RiskView {
  modelVersion: string;
  score: number;
  threshold: number;
  reasons: { feature: string; effect: number; text: string }[];
}
interface ScoreView {
  id: string;
  decision: string;
  alerts: { ruleId: string; explanation: string; risk?: RiskView }[];
  risk?: RiskView;
}

/**
 * A hand-made model of one tree: a beneficiary that 4 or more distinct accounts paid in the
 * week before scores high (a fan-in), anything else low.
 */
function fanInModel(name = 'receiverInDistinct7d', threshold = 3.5): RiskModelFile {
  const feature = FEATURE_NAMES.indexOf(name);
  return {
    format: RISK_MODEL_FORMAT,
    formatVersion: RISK_MODEL_FORMAT_VERSION,
    modelVersion: 'risk-e2e',
    featureSet: { version: FEATURE_SET_VERSION, names: [...FEATURE_NAMES] },
    seed: 1,
    threshold: 0.5,
    training: {
      fingerprint: 'e2e',
      facts: {},
      split: { spanStart: '', validationFrom: '', testFrom: '', end: '' },
      rows: { train: 0, trainPositives: 0, negativeSampleRate: 1 },
      params: DEFAULT_BOOSTING,
    },
    metrics: {},
    model: {
      baseMargin: -3,
      trees: [
        [
          { feature, threshold, left: 1, right: 2, value: 0 },
          { feature: -1, threshold: 0, left: -1, right: -1, value: -1 },
          { feature: -1, threshold: 0, left: -1, right: -1, value: 6 },
        ],
      ],
    },
  };
}

const account = (uid: string): AccountVertex => personalAccount(uid, 'e2e');

const payment = (i: number) => ({
  movementId: `mv:e2e:${i}`,
  fromAccount: SENDERS[i],
  toAccount: RECEIVER,
  amount: `${2000 + i}.00`,
  currency: 'USD',
  timestamp: new Date(T0 + i * HOUR).toISOString(),
  channel: 'wire',
});

describe('Real-time scoring with a learned risk model (e2e, embedded store)', () => {
  const apps: INestApplication[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'risk-model-e2e-'));

  async function boot(
    riskModelFile: string | undefined,
    prepare?: (store: GraphStore) => Promise<unknown>,
  ): Promise<Server> {
    const defaults = loadAllSettings({});
    const store = new MemoryGraphStore();
    await store.upsertVertices([RECEIVER, ...SENDERS].map(account));
    await prepare?.(store);
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
      .overrideProvider(GraphStore)
      .useValue(store)
      .overrideProvider(appSettings.KEY)
      .useValue({ ...defaults.app, seedOnStart: false })
      .overrideProvider(modelSettings.KEY)
      .useValue({ riskModelFile })
      .compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureApi(app, defaults.app);
    await app.init();
    apps.push(app);
    return app.getHttpServer();
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores every movement, explains the score in words, and alerts carry it', async () => {
    const file = join(dir, 'model.json');
    writeFileSync(file, serializeRiskModel(fanInModel()));
    const server = await boot(file);
    const answers: ScoreView[] = [];
    for (let i = 0; i < SENDERS.length; i += 1) {
      const res = await request(server)
        .post('/api/v1/score/movement')
        .set(ADMIN)
        .send({ ...payment(i), record: true })
        .expect(200);
      answers.push(res.body as ScoreView);
    }
    for (const answer of answers) expect(answer.risk?.modelVersion).toBe('risk-e2e');
    // Before the fan-in builds up the model scores low; from the fifth payer on, high.
    expect(answers[0].risk?.score).toBeLessThan(0.5);
    expect(answers[5].risk?.score).toBeGreaterThan(0.9);
    expect(answers[5].risk?.reasons[0]).toEqual({
      feature: 'receiverInDistinct7d',
      effect: 6,
      text: '5 distinct accounts paid the beneficiary in the 7 days before',
    });
    const alerted = answers.find((a) => a.alerts.length > 0);
    expect(alerted).toBeDefined();
    for (const alert of alerted?.alerts ?? []) {
      expect(alert.risk?.modelVersion).toBe('risk-e2e');
      expect(alert.explanation).toContain('Model risk-e2e scores this payment');
    }

    // A what-if score (no record) sees the same history and leaves no trace.
    const probe = {
      ...payment(0),
      movementId: 'mv:e2e:probe',
      timestamp: new Date(T0 + 7 * HOUR).toISOString(),
    };
    const first = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(probe)
      .expect(200);
    const again = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(probe)
      .expect(200);
    expect((first.body as ScoreView).risk?.score).toBeGreaterThan(0.9);
    expect((again.body as ScoreView).risk).toEqual((first.body as ScoreView).risk);
  });

  it('reads identifier uses from the store: a payment between accounts on one device scores high, only after its first use', async () => {
    const file = join(dir, 'shared.json');
    writeFileSync(file, serializeRiskModel(fanInModel('partiesShareIdentifier', 0.5)));
    const device = 'device:e2e-phone';
    const uses = (from: string, firstSeen: number): GraphEdge => ({
      label: 'USES',
      eid: ids.structural('USES', from, device),
      from,
      to: device,
      props: { firstSeen, lastSeen: firstSeen },
    });
    const server = await boot(file, async (store) => {
      await store.upsertVertices([
        { label: 'Identifier', uid: device, props: { kind: 'device', value: 'e2e-phone' } },
      ]);
      // The receiver and P1 share the device from the start; P2 first uses it at T0 + 2 hours.
      await store.upsertEdges([
        uses(RECEIVER, T0 - HOUR),
        uses(SENDERS[1], T0 - HOUR),
        uses(SENDERS[2], T0 + 2 * HOUR),
      ]);
    });
    const score = async (i: number, at: number): Promise<ScoreView> =>
      (
        await request(server)
          .post('/api/v1/score/movement')
          .set(ANALYST)
          .send({ ...payment(i), timestamp: new Date(at).toISOString() })
          .expect(200)
      ).body as ScoreView;
    const unrelated = await score(0, T0 + HOUR);
    const sharing = await score(1, T0 + HOUR);
    const tooEarly = await score(2, T0 + HOUR);
    const later = await score(2, T0 + 3 * HOUR);
    expect(unrelated.risk?.score).toBeLessThan(0.5);
    expect(sharing.risk?.score).toBeGreaterThan(0.9);
    expect(sharing.risk?.reasons[0].text).toBe(
      'the sender and the beneficiary use the same device, IP address, phone, e-mail or address',
    );
    expect(tooEarly.risk?.score).toBeLessThan(0.5);
    expect(later.risk?.score).toBeGreaterThan(0.9);
  });

  it('without a model file the answers carry no risk, as before', async () => {
    const server = await boot(undefined);
    const res = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(payment(0))
      .expect(200);
    expect((res.body as ScoreView).risk).toBeUndefined();
  });

  it('a model file that is not valid stops the start, naming RISK_MODEL_FILE and the rule', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...fanInModel(), threshold: 2 }));
    const failure = boot(file);
    await expect(failure).rejects.toThrow(InvalidSettingsError);
    await expect(failure).rejects.toThrow(
      /RISK_MODEL_FILE.*threshold must be a number between 0 and 1/s,
    );
    await expect(boot(join(dir, 'missing.json'))).rejects.toThrow(/RISK_MODEL_FILE.*cannot read/s);
  });
});
