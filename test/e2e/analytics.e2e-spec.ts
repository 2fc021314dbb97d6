import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, seederSettings } from '@app/settings';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { scanToEnd } from './scan-job';

// The whole API over a seeded synthetic bank (tiny profile, seed 42): the analytics routes are
// wired, guarded by role, and answer in their documented shapes.
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };

describe('Analytics API over a seeded bank (e2e, embedded store)', () => {
  let app: INestApplication;
  let http: Server;

  beforeAll(async () => {
    const defaults = loadAllSettings({});
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
      .overrideProvider(GraphStore)
      .useValue(new MemoryGraphStore())
      .overrideProvider(appSettings.KEY)
      .useValue({ ...defaults.app, seedOnStart: true })
      .overrideProvider(seederSettings.KEY)
      .useValue({ ...defaults.seeder, profile: 'tiny' })
      .compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureApi(app as NestExpressApplication, defaults.app);
    await app.init();
    http = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers UBO for a company of the graph, 404 for an unknown one, 400 for a bad option', async () => {
    const companies = await request(http)
      .get('/api/v1/entities?label=Company&limit=1')
      .set(ANALYST)
      .expect(200);
    const uid = (companies.body as { items: { uid: string }[] }).items[0]?.uid ?? '';
    expect(uid).not.toBe('');
    const answer = await request(http)
      .get(`/api/v1/ubo/${encodeURIComponent(uid)}?regime=uk`)
      .set(ANALYST)
      .expect(200);
    expect((answer.body as { options: { regime: string } }).options.regime).toBe('uk');
    const missing = await request(http).get('/api/v1/ubo/company:none:1').set(ANALYST).expect(404);
    expect((missing.body as { error: string }).error).toBe('not_found');
    const bad = await request(http)
      .get(`/api/v1/ubo/${encodeURIComponent(uid)}?thresholdBp=20000`)
      .set(ANALYST)
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('thresholdBp');
    await request(http)
      .get(`/api/v1/ubo/${encodeURIComponent(uid)}`)
      .set({ 'X-API-Key': 'dev-viewer-key' })
      .expect(403);
  });

  it('evaluates a declared BODS structure without storing it, exactly (50% x 50% = 25% qualifies under eu)', async () => {
    const statement = (recordId: string, recordType: string, recordDetails: object): object => ({
      statementId: `e2e-statement-0000000000000000000000-${recordId}`,
      declarationSubject: 'target',
      statementDate: '2024-01-15',
      recordId,
      recordStatus: 'new',
      recordType,
      recordDetails,
    });
    const share = (subject: string, interestedParty: string): object => ({
      isComponent: false,
      subject,
      interestedParty,
      interests: [{ type: 'shareholding', directOrIndirect: 'direct', share: { exact: 50 } }],
    });
    const statements = [
      statement('target', 'entity', {
        isComponent: false,
        entityType: { type: 'registeredEntity' },
        name: 'Target Ltd',
        jurisdiction: { name: 'United Kingdom', code: 'GB' },
      }),
      statement('holdco', 'entity', {
        isComponent: true,
        entityType: { type: 'registeredEntity' },
        name: 'Holdco',
        jurisdiction: { name: 'Panama', code: 'PA' },
      }),
      statement('ada', 'person', {
        isComponent: false,
        personType: 'knownPerson',
        names: [{ type: 'legal', fullName: 'Ada Example' }],
      }),
      statement('r1', 'relationship', share('target', 'holdco')),
      statement('r2', 'relationship', share('holdco', 'ada')),
    ];
    const before = await request(http).get('/api/v1/graph/stats').set(ANALYST).expect(200);
    for (const [regime, qualifies] of [
      ['eu', 'yes'],
      ['uk', 'no'],
    ] as const) {
      const response = await request(http)
        .post('/api/v1/ubo/evaluate')
        .set(ANALYST)
        .send({ statements, options: { regime } });
      expect([200, 201]).toContain(response.status);
      const owners = (
        response.body as {
          owners: {
            name?: string;
            effectiveShare: { min: string; max: string };
            qualifies: string;
          }[];
        }
      ).owners;
      const ada = owners.find((o) => o.effectiveShare.min === '1/4');
      expect(ada).toMatchObject({ effectiveShare: { min: '1/4', max: '1/4' }, qualifies });
    }
    const after = await request(http).get('/api/v1/graph/stats').set(ANALYST).expect(200);
    // Counts of the embedded store are cheap, so each answer is a count of its own.
    expect(after.body).toEqual({
      ...(before.body as object),
      countedAt: expect.any(String) as unknown,
    });
  });

  it('draws the ownership network of a company', async () => {
    const companies = await request(http)
      .get('/api/v1/entities?label=Company&limit=1')
      .set(ANALYST)
      .expect(200);
    const uid = (companies.body as { items: { uid: string }[] }).items[0]?.uid ?? '';
    const network = await request(http)
      .get(`/api/v1/ubo/${encodeURIComponent(uid)}/network`)
      .set(ANALYST)
      .expect(200);
    const body = network.body as { nodes: { uid?: string; id?: string }[]; edges: unknown[] };
    expect(body.nodes.length).toBeGreaterThan(0);
    expect(JSON.stringify(body.nodes)).toContain(uid);
  });

  it('scans (admin only), lists alerts, shows one with evidence and changes its status', async () => {
    const window = { from: '2024-10-01T00:00:00Z', to: '2025-01-01T00:00:00Z' };
    await request(http).post('/api/v1/alerts/scan').set(ANALYST).send(window).expect(403);
    const scan = await scanToEnd(app, ADMIN, window);
    expect(scan.status).toBe('succeeded');
    expect(scan.report?.alerts.detected).toBeGreaterThan(0);

    const list = await request(http).get('/api/v1/alerts?limit=5').set(ANALYST).expect(200);
    const items = (list.body as { items: { alertId: string; explanation: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    const first = items[0];
    expect(first.explanation.length).toBeGreaterThan(10);

    const detail = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(first.alertId)}`)
      .set(ANALYST)
      .expect(200);
    const body = detail.body as {
      alertId: string;
      parties: unknown[];
      movements: { timestamp: number }[];
    };
    expect(body.alertId).toBe(first.alertId);
    expect(body.parties.length).toBeGreaterThan(0);
    const times = body.movements.map((m) => m.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Written for analysts: ISO times, amounts in major units, accounts with their holders.
    const movement = (detail.body as { movements: Record<string, unknown>[] }).movements[0];
    expect(movement).toMatchObject({
      timestampIso: new Date(times[0]).toISOString(),
      amount: expect.stringMatching(/^\d+(\.\d+)?$/) as unknown,
      currency: expect.any(String) as unknown,
      from: { holders: expect.any(Array) as unknown },
    });

    const changed = await request(http)
      .patch(`/api/v1/alerts/${encodeURIComponent(first.alertId)}`)
      .set(ANALYST)
      .send({ status: 'investigating', note: 'Looking at the counterparties.' })
      .expect(200);
    expect((changed.body as { status: string }).status).toBe('investigating');
  });

  it('lists fraud rings and an account risk summary', async () => {
    // The README's example.
    const rings = await request(http).get('/api/v1/fraud/rings?limit=5').set(ANALYST).expect(200);
    expect((rings.body as { rings: unknown[] }).rings.length).toBeLessThanOrEqual(5);
    expect(Array.isArray((rings.body as { rings: unknown[] }).rings)).toBe(true);
    const accounts = await request(http)
      .get('/api/v1/entities?label=Account&limit=1')
      .set(ANALYST)
      .expect(200);
    const account = (accounts.body as { items: { uid: string }[] }).items[0]?.uid ?? '';
    await request(http)
      .get(`/api/v1/accounts/${encodeURIComponent(account)}/risk`)
      .set(ANALYST)
      .expect(200);
    await request(http).get('/api/v1/accounts/account:none:1/risk').set(ANALYST).expect(404);
  });
});
