import { Global, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { detectorsSettings, loadAllSettings, moneySettings } from '@app/settings';
import { Clock, FixedClock, movementEdge } from '@app/vocabulary';
import type { AccountVertex, GraphEdge, GraphVertex, Movement } from '@app/vocabulary';
import { ROLES_KEY } from '../auth/roles.decorator';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { createValidationPipe } from '../common/validation';
import { AccountsController } from '../accounts/accounts.controller';
import { AccountsHttpModule } from '../accounts/accounts-http.module';
import { FraudController } from '../fraud/fraud.controller';
import { FraudHttpModule } from '../fraud/fraud-http.module';
import { AlertsHttpModule } from './alerts-http.module';
import { AlertsController } from './alerts.controller';

type Json = Record<string, unknown>;

const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;
const NOW = Date.UTC(2025, 2, 1);

function account(uid: string, extra: Partial<AccountVertex['props']> = {}): AccountVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'b',
      country: 'US',
      ...extra,
    },
  };
}

const PAYEES = ['account:b:P1', 'account:b:P2', 'account:b:P3', 'account:b:P4', 'account:b:P5'];
const RING = ['account:b:R1', 'account:b:R2', 'account:b:R3'];

function fixture(): { vertices: GraphVertex[]; edges: GraphEdge[] } {
  const vertices: GraphVertex[] = [
    account('account:b:S'),
    ...PAYEES.map((uid) => account(uid)),
    ...RING.map((uid) => account(uid)),
    { label: 'Identifier', uid: 'device:ring', props: { kind: 'device', value: 'ring' } },
    { label: 'Identifier', uid: 'phone:+15550001', props: { kind: 'phone', value: '+15550001' } },
  ];
  const movements: Movement[] = PAYEES.map((to, i) => ({
    movementId: `mv:t:${i}`,
    fromAccount: 'account:b:S',
    toAccount: to,
    amountMinor: 2_000_00 + i * 100,
    currency: 'USD',
    timestamp: T0 + i * HOUR,
    channel: 'wire',
  }));
  const uses: GraphEdge[] = RING.flatMap((acc) =>
    ['device:ring', 'phone:+15550001'].map((id): GraphEdge => ({
      label: 'USES',
      eid: `USES:${acc}>${id}`,
      from: acc,
      to: id,
      props: { firstSeen: T0, lastSeen: T0 },
    })),
  );
  return { vertices, edges: [...movements.map(movementEdge), ...uses] };
}

/** What ApiModule provides globally (store and settings), as test doubles. */
function globalsWith(store: GraphStore): new () => unknown {
  @Global()
  @Module({
    providers: [
      { provide: GraphStore, useValue: store },
      { provide: detectorsSettings.KEY, useValue: loadAllSettings({}).detectors },
      { provide: moneySettings.KEY, useValue: loadAllSettings({}).money },
    ],
    exports: [GraphStore, detectorsSettings.KEY, moneySettings.KEY],
  })
  class TestGlobals {}
  return TestGlobals;
}

describe('Alerts, fraud and accounts endpoints (HTTP, memory store)', () => {
  let app: INestApplication;
  let http: Parameters<typeof request>[0];

  beforeAll(async () => {
    const store = new MemoryGraphStore();
    const { vertices, edges } = fixture();
    await store.upsertVertices(vertices);
    await store.upsertEdges(edges);
    const moduleRef = await Test.createTestingModule({
      imports: [globalsWith(store), AlertsHttpModule, FraudHttpModule, AccountsHttpModule],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
      ],
    })
      .overrideProvider(Clock)
      .useValue(new FixedClock(NOW))
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    http = app.getHttpServer() as Parameters<typeof request>[0];
  });

  afterAll(async () => {
    await app.close();
  });

  it('needs the analyst role, and admin for scans', () => {
    expect(Reflect.getMetadata(ROLES_KEY, AlertsController)).toBe('analyst');
    expect(Reflect.getMetadata(ROLES_KEY, AlertsController.prototype.scan)).toBe('admin');
    expect(Reflect.getMetadata(ROLES_KEY, FraudController)).toBe('analyst');
    expect(Reflect.getMetadata(ROLES_KEY, AccountsController)).toBe('analyst');
  });

  it('lists the rules with their defaults', async () => {
    const response = await request(http).get('/api/v1/alerts/rules').expect(200);
    const rules = response.body as Json[];
    expect(rules.find((r) => r.id === 'aml.fan-out')).toMatchObject({
      typology: 'fan-out',
      family: 'aml',
    });
  });

  it('scans, lists, shows with evidence, and changes status with a note', async () => {
    const scan = await request(http)
      .post('/api/v1/alerts/scan')
      .send({ rules: ['aml.fan-out'], from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' })
      .expect(200);
    expect((scan.body as Json).alerts).toEqual({
      detected: 1,
      created: 1,
      updated: 0,
      unchanged: 0,
    });
    const [alertId] = (scan.body as { alertIds: string[] }).alertIds;

    const list = await request(http)
      .get('/api/v1/alerts?status=open&typology=fan-out&account=account:b:S')
      .expect(200);
    expect((list.body as { items: Json[] }).items.map((a) => a.alertId)).toEqual([alertId]);

    const detail = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(alertId)}`)
      .expect(200);
    const body = detail.body as { movements: Json[]; parties: Json[]; explanation: string };
    expect(body.movements.map((m) => m.movementId)).toEqual([
      'mv:t:0',
      'mv:t:1',
      'mv:t:2',
      'mv:t:3',
      'mv:t:4',
    ]);
    expect(body.parties[0]).toMatchObject({ uid: 'account:b:S', role: 'subject' });
    expect(body.explanation).toContain('to 5 counterparties it had not paid');

    const patched = await request(http)
      .patch(`/api/v1/alerts/${encodeURIComponent(alertId)}`)
      .send({ status: 'investigating', note: 'calling the customer' })
      .expect(200);
    expect((patched.body as Json).status).toBe('investigating');
    const again = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(alertId)}`)
      .expect(200);
    expect((again.body as { history: Json[] }).history.map((h) => h.to)).toEqual([
      'open',
      'investigating',
    ]);
  });

  it('answers 400 naming the field for bad input, 404 and 409 with the one error shape', async () => {
    const bad = await request(http)
      .post('/api/v1/alerts/scan')
      .send({ from: 'yesterday', to: '2025-02-01T00:00:00Z' })
      .expect(400);
    expect((bad.body as Json).error).toBe('invalid_input');
    expect(JSON.stringify(bad.body)).toContain('from');
    const badRule = await request(http)
      .post('/api/v1/alerts/scan')
      .send({ rules: ['aml.nope'], from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' })
      .expect(400);
    expect(JSON.stringify(badRule.body)).toContain('rules[0]');
    const badParameter = await request(http)
      .post('/api/v1/alerts/scan')
      .send({
        rules: ['aml.fan-out'],
        from: '2025-01-01T00:00:00Z',
        to: '2025-02-01T00:00:00Z',
        parameters: { 'aml.fan-out': { minCounterparties: 'many' } },
      })
      .expect(400);
    expect(JSON.stringify(badParameter.body)).toContain('parameters.aml.fan-out.minCounterparties');
    await request(http).get('/api/v1/alerts?status=maybe').expect(400);
    await request(http).get('/api/v1/alerts/alert%3Anope%3Anope').expect(404);
    await request(http)
      .patch('/api/v1/alerts/alert%3Anope%3Anope')
      .send({ status: 'open', note: 'x' })
      .expect(404);
    const list = await request(http).get('/api/v1/alerts?rule=aml.fan-out').expect(200);
    const id = ((list.body as { items: Json[] }).items[0] as { alertId: string }).alertId;
    await request(http)
      .patch(`/api/v1/alerts/${encodeURIComponent(id)}`)
      .send({ status: 'investigating', note: 'again' })
      .expect(409);
  });

  it('GET /fraud/rings answers members and shared identifiers', async () => {
    const response = await request(http).get('/api/v1/fraud/rings').expect(200);
    const rings = (response.body as { rings: Json[] }).rings;
    expect(rings).toHaveLength(1);
    expect(rings[0]).toMatchObject({ members: RING, customers: 3 });
    const none = await request(http).get('/api/v1/fraud/rings?minShared=3').expect(200);
    expect((none.body as { rings: Json[] }).rings).toHaveLength(0);
    await request(http).get('/api/v1/fraud/rings?kinds=device,nonsense').expect(400);
  });

  it('GET /accounts/:accountId/risk summarises alerts, country and rings', async () => {
    const response = await request(http).get('/api/v1/accounts/account%3Ab%3AS/risk').expect(200);
    expect(response.body).toMatchObject({
      accountId: 'account:b:S',
      totalAlerts: 1,
      byTypology: { 'fan-out': 1 },
      highRiskCountry: false,
    });
    const ring = await request(http).get('/api/v1/accounts/account%3Ab%3AR1/risk').expect(200);
    expect((ring.body as { rings: Json[] }).rings).toHaveLength(1);
    await request(http).get('/api/v1/accounts/account%3Ab%3Anobody/risk').expect(404);
  });
});
