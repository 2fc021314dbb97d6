import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { parse } from 'csv-parse/sync';
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
import { appSettings, loadAllSettings, modelSettings } from '@app/settings';
import { movementEdge } from '@app/vocabulary';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { stepUpWithTotp } from './identity-step-up';
import { scanToEnd } from './scan-job';
import { personalAccount } from './accounts.fixture';

// The learned model's risk in the alert queue: scans score their alerts' movements with the
// model, alerts keep the risk in the store, GET /alerts returns it (null when no model scored
// the alert) and sorts by it with unscored alerts last in both directions.
const ADMIN = { 'X-API-Key': 'dev-admin-key' };
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Group "early" pays in the first week of January, group "late" in the third. */
const STARTS = { early: Date.UTC(2025, 0, 6, 10), late: Date.UTC(2025, 0, 20, 10) };
type Group = keyof typeof STARTS;

interface RiskView {
  modelVersion: string;
  score: number;
  threshold: number;
  reasons: { feature: string; effect: number; text: string }[];
}
interface AlertView {
  alertId: string;
  explanation: string;
  risk: RiskView | null;
}
interface Page {
  items: AlertView[];
  nextCursor?: string;
}

/** One tree: a beneficiary that 4 or more distinct accounts paid in the week before scores high. */
function fanInModel(): RiskModelFile {
  const feature = FEATURE_NAMES.indexOf('receiverInDistinct7d');
  return {
    format: RISK_MODEL_FORMAT,
    formatVersion: RISK_MODEL_FORMAT_VERSION,
    modelVersion: 'risk-e2e-queue',
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
          { feature, threshold: 3.5, left: 1, right: 2, value: 0 },
          { feature: -1, threshold: 0, left: -1, right: -1, value: -1 },
          { feature: -1, threshold: 0, left: -1, right: -1, value: 6 },
        ],
      ],
    },
  };
}

const account = (uid: string): AccountVertex => personalAccount(uid, 'e2e');

/** Twelve payers each paying one beneficiary of the group within twelve hours (a fan-in). */
function fanIn(group: Group): { accounts: AccountVertex[]; movements: Movement[] } {
  const receiver = `account:e2e:${group}:R`;
  const payers = Array.from({ length: 12 }, (_, i) => `account:e2e:${group}:P${i}`);
  return {
    accounts: [receiver, ...payers].map(account),
    movements: payers.map((payer, i) => ({
      movementId: `mv:e2e:${group}:${i}`,
      fromAccount: payer,
      toAccount: receiver,
      amountMinor: 2_000_00 + i * 37,
      currency: 'USD',
      timestamp: STARTS[group] + i * HOUR,
      channel: 'wire',
    })),
  };
}

async function bank(): Promise<MemoryGraphStore> {
  const store = new MemoryGraphStore();
  for (const group of ['early', 'late'] as const) {
    const { accounts, movements } = fanIn(group);
    await store.upsertVertices(accounts);
    await store.upsertEdges(movements.map(movementEdge));
  }
  return store;
}

describe('Alert queue with the learned risk model (e2e, embedded store)', () => {
  const apps: INestApplication[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'alerts-risk-e2e-'));

  async function boot(store: GraphStore, riskModelFile: string | undefined) {
    const defaults = loadAllSettings({});
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
    return app;
  }

  async function allPages(server: Server, query: string, limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 50; guard += 1) {
      const res = await request(server)
        .get(`/api/v1/alerts?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
        .set(ANALYST)
        .expect(200);
      const page = res.body as Page;
      pages.push(page.items.map((a) => a.alertId));
      cursor = page.nextCursor;
      if (cursor === undefined) return pages;
    }
    throw new Error('the cursor does not advance');
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scans score alerts with the model, keep the risk, and the queue sorts by it (unscored last)', async () => {
    const store = await bank();
    const window = (group: Group) => ({
      from: new Date(STARTS[group] - DAY).toISOString(),
      to: new Date(STARTS[group] + 2 * DAY).toISOString(),
    });

    // The early fan-in is scanned without a model: its alerts carry no risk.
    const plain = await boot(store, undefined);
    const first = await scanToEnd(plain, ADMIN, window('early'));
    expect(first.status).toBe('succeeded');
    const early = first.report?.alertIds ?? [];
    expect(early.length).toBeGreaterThan(0);
    await plain.close();

    // The API starts again with a model; the late fan-in is scanned with it.
    const file = join(dir, 'model.json');
    writeFileSync(file, serializeRiskModel(fanInModel()));
    const scored = await boot(store, file);
    const server: Server = scored.getHttpServer();
    const second = await scanToEnd(scored, ADMIN, window('late'));
    expect(second.status).toBe('succeeded');
    const late = second.report?.alertIds ?? [];
    expect(late.length).toBeGreaterThan(0);
    expect((second.report as unknown as { risk: unknown }).risk).toMatchObject({
      modelConfigured: true,
      modelVersion: 'risk-e2e-queue',
      alertsScored: late.length,
    });

    const listed = await request(server).get('/api/v1/alerts?limit=200').set(ANALYST).expect(200);
    const byId = new Map((listed.body as Page).items.map((a) => [a.alertId, a] as const));
    expect(byId.size).toBe(early.length + late.length);
    for (const id of early) expect(byId.get(id)?.risk).toBeNull();
    for (const id of late) {
      const alert = byId.get(id);
      expect(alert?.risk?.modelVersion).toBe('risk-e2e-queue');
      expect(alert?.risk?.reasons.length).toBeGreaterThan(0);
      expect(alert?.explanation).toContain('Model risk-e2e-queue scores this payment');
    }
    // The alert page reads the same risk from the store.
    const detail = await request(server).get(`/api/v1/alerts/${late[0]}`).set(ANALYST).expect(200);
    expect((detail.body as AlertView).risk).toEqual(byId.get(late[0])?.risk);

    // The CSV export carries the same risk on every row of a scored alert, and empty risk
    // cells for an alert stored before the model.
    // (A download needs a recent second factor: the analyst steps up first.)
    const { header: stepUp } = await stepUpWithTotp(server, ANALYST);
    const exported = async (id: string) => {
      const csv = await request(server)
        .get(`/api/v1/alerts/${encodeURIComponent(id)}/export?format=csv`)
        .set(ANALYST)
        .set(stepUp)
        .expect(200);
      return parse(csv.text, { columns: true }) as Record<string, string>[];
    };
    const scoredRisk = byId.get(late[0])?.risk;
    const scoredRows = await exported(late[0]);
    expect(scoredRows.length).toBeGreaterThan(0);
    for (const row of scoredRows) {
      expect(Number(row.riskScore)).toBe(scoredRisk?.score);
      expect(Number(row.riskThreshold)).toBe(0.5);
      expect(row.riskModelVersion).toBe('risk-e2e-queue');
      expect(row.riskReasons).toBe(scoredRisk?.reasons.map((r) => r.text).join('; '));
      expect(row.riskReasons).toContain('distinct accounts paid the beneficiary');
    }
    for (const row of await exported(early[0])) {
      expect([row.riskScore, row.riskThreshold, row.riskModelVersion, row.riskReasons]).toEqual([
        '',
        '',
        '',
        '',
      ]);
    }

    // Sorted by risk, both directions, one alert a page: every scored alert before every
    // unscored one, scored ones in risk order (ties by id), unscored ones in id order.
    const riskOf = (id: string): number => byId.get(id)?.risk?.score ?? Number.NaN;
    const ids = (list: readonly string[]) => [...list].sort((a, b) => (a < b ? -1 : 1));
    for (const direction of ['desc', 'asc'] as const) {
      const sign = direction === 'asc' ? 1 : -1;
      const scoredOrder = ids(late).sort(
        (a, b) => (riskOf(a) - riskOf(b)) * sign || (a < b ? -1 : 1),
      );
      for (const limit of [1, late.length, 200]) {
        const pages = await allPages(server, `sort=risk&direction=${direction}`, limit);
        expect(pages.flat()).toEqual([...scoredOrder, ...ids(early)]);
      }
    }

    // A cursor of the risk order is refused by another order (as for sort=score).
    const page = await request(server)
      .get('/api/v1/alerts?sort=risk&direction=desc&limit=1')
      .set(ANALYST)
      .expect(200);
    const cursor = (page.body as Page).nextCursor ?? '';
    await request(server)
      .get(`/api/v1/alerts?sort=score&direction=desc&limit=1&cursor=${cursor}`)
      .set(ANALYST)
      .expect(400);
  });

  it('without a model file the scan and the queue work as before; every alert says it has no risk', async () => {
    const store = await bank();
    const app = await boot(store, undefined);
    const server: Server = app.getHttpServer();
    const scan = await scanToEnd(app, ADMIN, {
      from: new Date(STARTS.early - DAY).toISOString(),
      to: new Date(STARTS.late + 2 * DAY).toISOString(),
    });
    expect(scan.status).toBe('succeeded');
    expect((scan.report as unknown as { risk: unknown }).risk).toEqual({
      modelConfigured: false,
      modelVersion: null,
      alertsScored: 0,
      movementsFed: 0,
    });
    const listed = await request(server).get('/api/v1/alerts?limit=200').set(ANALYST).expect(200);
    const items = (listed.body as Page).items;
    expect(items.length).toBe(scan.report?.alertIds.length);
    for (const alert of items) {
      expect(alert.risk).toBeNull();
      expect(alert.explanation).not.toContain('Model ');
    }
    // Sorting by risk still answers: all alerts are unscored, so they come in id order.
    const pages = await allPages(server, 'sort=risk&direction=desc', 2);
    expect(pages.flat()).toEqual(items.map((a) => a.alertId).sort((a, b) => (a < b ? -1 : 1)));
  });
});
