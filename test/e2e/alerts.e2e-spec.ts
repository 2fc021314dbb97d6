import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import { movementEdge } from '@app/vocabulary';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { principalIdOf } from '../../apps/api/src/auth/principal';
import { configureApi } from '../../apps/api/src/configure-api';
import { scanToEnd } from './scan-job';
import { stepUpWithTotp } from './identity-step-up';
import { personalAccount } from './accounts.fixture';

// Alert status histories over HTTP: an analyst's status change is listed in the alert detail,
// and is still there after the API is started again over the same graph store.
const ANALYST_KEY = 'dev-analyst-key';
const ANALYST = { 'X-API-Key': ANALYST_KEY };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };

const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;
const PAYER = 'account:e2e:S';
const PAYEES = ['account:e2e:P1', 'account:e2e:P2', 'account:e2e:P3', 'account:e2e:P4'];

const account = (uid: string): AccountVertex => personalAccount(uid, 'e2e');

/** One payer fanning out to five accounts in an afternoon: one fan-out alert. */
async function fanOutBank(): Promise<MemoryGraphStore> {
  const store = new MemoryGraphStore();
  await store.upsertVertices([PAYER, ...PAYEES, 'account:e2e:P5'].map(account));
  const movements: Movement[] = [...PAYEES, 'account:e2e:P5'].map((to, i) => ({
    movementId: `mv:e2e:${i}`,
    fromAccount: PAYER,
    toAccount: to,
    amountMinor: 2_000_00 + i * 100,
    currency: 'USD',
    timestamp: T0 + i * HOUR,
    channel: 'wire',
  }));
  await store.upsertEdges(movements.map(movementEdge));
  return store;
}

async function boot(store: GraphStore): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

interface HistoryEntry {
  alertId: string;
  from: string | null;
  to: string;
  at: number;
  note: string;
  actor: string;
}

async function historyOf(app: INestApplication, alertId: string): Promise<HistoryEntry[]> {
  const detail = await request(app.getHttpServer() as Server)
    .get(`/api/v1/alerts/${encodeURIComponent(alertId)}`)
    .set(ANALYST)
    .expect(200);
  return (detail.body as { history: HistoryEntry[] }).history;
}

describe('Alert status history (e2e, embedded store)', () => {
  const apps: INestApplication[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('lists a status change in the alert detail, and keeps it when the API starts again', async () => {
    const store = await fanOutBank();
    const first = await boot(store);
    apps.push(first);
    const scan = await scanToEnd(first, ADMIN, {
      rules: ['aml.fan-out'],
      from: '2025-01-01T00:00:00Z',
      to: '2025-02-01T00:00:00Z',
    });
    expect(scan.status).toBe('succeeded');
    const [alertId] = scan.report?.alertIds ?? [];
    expect(alertId).toMatch(/^alert:aml\.fan-out:/);

    await request(first.getHttpServer() as Server)
      .patch(`/api/v1/alerts/${encodeURIComponent(alertId)}`)
      .set(ANALYST)
      .send({ status: 'investigating', note: 'Calling the customer.' })
      .expect(200);
    const before = await historyOf(first, alertId);
    expect(before.map((h) => [h.from, h.to, h.actor])).toEqual([
      [null, 'open', 'detector'],
      ['open', 'investigating', principalIdOf(ANALYST_KEY)],
    ]);
    expect(before[1].note).toBe('Calling the customer.');
    expect(before[1].at).toBeGreaterThanOrEqual(before[0].at);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    // A new API over the same store: the history was in the graph, not in the old process.
    const second = await boot(store);
    apps.push(second);
    expect(await historyOf(second, alertId)).toEqual(before);
    const { header: stepUp } = await stepUpWithTotp(second.getHttpServer() as Server, ANALYST);
    await request(second.getHttpServer() as Server)
      .patch(`/api/v1/alerts/${encodeURIComponent(alertId)}`)
      .set(ANALYST)
      .set(stepUp)
      .send({ status: 'closed-false-positive', note: 'Payroll run, known business.' })
      .expect(200);
    const after = await historyOf(second, alertId);
    expect(after.slice(0, 2)).toEqual(before);
    expect(after[2]).toMatchObject({ from: 'investigating', to: 'closed-false-positive' });

    const stats = await request(second.getHttpServer() as Server)
      .get('/api/v1/graph/stats')
      .set(ANALYST)
      .expect(200);
    const counts = stats.body as {
      vertices: Record<string, number>;
      edges: Record<string, number>;
    };
    expect(counts.vertices.StatusChange).toBe(3);
    expect(counts.edges.HAS_STATUS_CHANGE).toBe(3);
  });
});
