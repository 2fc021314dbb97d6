import { Global, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { detectorsSettings, loadAllSettings, moneySettings } from '@app/settings';
import { Clock, FixedClock, movementEdge } from '@app/vocabulary';
import type { AccountVertex, GraphEdge, GraphVertex, Movement } from '@app/vocabulary';
import type { Movement as ScannedMovement } from '@app/vocabulary';
import type { MovementWindowQuery } from '@app/graph-store';
import { ROLES_KEY } from '../auth/roles.decorator';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { createValidationPipe } from '../common/validation';
import { AccountsController } from '../accounts/accounts.controller';
import { AccountsHttpModule } from '../accounts/accounts-http.module';
import { FraudController } from '../fraud/fraud.controller';
import { FraudHttpModule } from '../fraud/fraud-http.module';
import { AlertsHttpModule } from './alerts-http.module';
import { AlertsController } from './alerts.controller';
import { ScanJobs } from './scan-jobs.service';

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
/** A customer name with every character XML and CSV must escape. */
const TRICKY_NAME = `Ann & <Bob> "O'Neil", Ltd`;

function fixture(): { vertices: GraphVertex[]; edges: GraphEdge[] } {
  const vertices: GraphVertex[] = [
    account('account:b:S'),
    ...PAYEES.map((uid) => account(uid)),
    ...RING.map((uid) => account(uid)),
    { label: 'Identifier', uid: 'device:ring', props: { kind: 'device', value: 'ring' } },
    { label: 'Identifier', uid: 'phone:+15550001', props: { kind: 'phone', value: '+15550001' } },
    {
      label: 'Person',
      uid: 'person:b:ann',
      props: { name: TRICKY_NAME, isPep: false, isSanctioned: false },
    },
    {
      label: 'Company',
      uid: 'company:b:acme',
      props: {
        name: '=Acme Trading',
        jurisdiction: 'GB',
        registrationNumber: '01234567',
        companyType: 'company',
        isShell: false,
        isNominee: false,
        hasBearerShares: false,
        isSanctioned: false,
      },
    },
  ];
  const holds: GraphEdge[] = [
    ['person:b:ann', 'account:b:S'],
    ['company:b:acme', PAYEES[0]],
  ].map(([from, to]) => ({
    label: 'HOLDS',
    eid: `HOLDS:${from}>${to}`,
    from,
    to,
    props: { role: 'holder' },
  }));
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
  return { vertices, edges: [...movements.map(movementEdge), ...uses, ...holds] };
}

/**
 * The memory store, with a gate on the movement scan: while `gate` is pending, a scan waits at
 * its first page (and says so through `entered`), so that a test can cancel it mid-run.
 */
class GatedStore extends MemoryGraphStore {
  gate: Promise<void> | undefined;
  entered: (() => void) | undefined;

  override async scanMovements(query: MovementWindowQuery): Promise<ScannedMovement[]> {
    this.entered?.();
    if (this.gate) await this.gate;
    return super.scanMovements(query);
  }
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
  let jobs: ScanJobs;
  let store: GatedStore;

  /** Starts a scan over HTTP and waits for its job to finish; answers the finished job. */
  async function scanToEnd(body: Json): Promise<Json> {
    const started = await request(http).post('/api/v1/alerts/scan').send(body).expect(202);
    const jobId = (started.body as { jobId: string }).jobId;
    await jobs.settled(jobId);
    const done = await request(http).get(`/api/v1/alerts/scan/${jobId}`).expect(200);
    return done.body as Json;
  }

  beforeAll(async () => {
    store = new GatedStore();
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
    jobs = app.get(ScanJobs);
  });

  afterAll(async () => {
    await app.close();
  });

  it('needs the analyst role, and admin for scans', () => {
    expect(Reflect.getMetadata(ROLES_KEY, AlertsController)).toBe('analyst');
    for (const handler of ['scan', 'scanJobs', 'scanJob', 'cancelScan'] as const)
      expect(Reflect.getMetadata(ROLES_KEY, AlertsController.prototype[handler])).toBe('admin');
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
    const job = await scanToEnd({
      rules: ['aml.fan-out'],
      from: '2025-01-01T00:00:00Z',
      to: '2025-02-01T00:00:00Z',
    });
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { rulesDone: 1, rulesTotal: 1, movementsScanned: 5 },
      createdAtIso: new Date(NOW).toISOString(),
      startedAtIso: new Date(NOW).toISOString(),
      finishedAtIso: new Date(NOW).toISOString(),
      request: { rules: ['aml.fan-out'], fromIso: '2025-01-01T00:00:00.000Z', persist: true },
    });
    const scan = job.report as Json;
    expect(scan.alerts).toEqual({
      detected: 1,
      created: 1,
      updated: 0,
      unchanged: 0,
    });
    const [alertId] = (scan as { alertIds: string[] }).alertIds;

    const list = await request(http)
      .get('/api/v1/alerts?status=open&typology=fan-out&account=account:b:S')
      .expect(200);
    expect((list.body as { items: Json[] }).items.map((a) => a.alertId)).toEqual([alertId]);
    expect((list.body as { items: Json[] }).items[0]).toMatchObject({
      createdAt: NOW,
      createdAtIso: '2025-03-01T00:00:00.000Z',
      windowStartIso: new Date(T0).toISOString(),
    });

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
    expect(body.parties[0]).toMatchObject({
      uid: 'account:b:S',
      role: 'subject',
      name: 'S',
      holders: [{ uid: 'person:b:ann', label: 'Person', name: TRICKY_NAME }],
    });
    expect(body.movements[1]).toMatchObject({
      amountMinor: 2_001_00,
      amount: '2001.00',
      currency: 'USD',
      base: { amount: '2001.00', amountMinor: 2_001_00, currency: 'USD' },
      timestamp: T0 + HOUR,
      timestampIso: '2025-01-06T11:00:00.000Z',
      from: { uid: 'account:b:S', holders: [{ name: TRICKY_NAME }] },
      to: { uid: PAYEES[1], holders: [] },
    });
    expect(body.movements[0]).toMatchObject({
      to: { holders: [{ name: '=Acme Trading', businessId: '01234567', country: 'GB' }] },
    });
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
    expect((again.body as { history: Json[] }).history[1]).toMatchObject({
      at: NOW,
      atIso: '2025-03-01T00:00:00.000Z',
    });
  });

  it('exports an alert with its evidence as CSV and as JSON, as downloads', async () => {
    const list = await request(http).get('/api/v1/alerts?rule=aml.fan-out').expect(200);
    const id = ((list.body as { items: Json[] }).items[0] as { alertId: string }).alertId;
    const csv = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(id)}/export?format=csv`)
      .expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="${id.replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`,
    );
    const lines = csv.text.trimEnd().split('\n');
    expect(lines).toHaveLength(6); // header + 5 evidence movements
    expect(lines[0]).toBe(
      'alertId,ruleId,typology,severity,score,status,windowStart,windowEnd,subject,subjectCustomers,explanation,riskScore,riskThreshold,riskModelVersion,riskReasons,movementId,time,fromAccount,fromCustomers,toAccount,toCustomers,amount,currency,baseAmount,baseCurrency,channel,reference',
    );
    // No learned model is configured: the four risk cells are empty on every row.
    const records = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.movementId)).toEqual([
      'mv:t:0',
      'mv:t:1',
      'mv:t:2',
      'mv:t:3',
      'mv:t:4',
    ]);
    for (const record of records) {
      expect([
        record.riskScore,
        record.riskThreshold,
        record.riskModelVersion,
        record.riskReasons,
      ]).toEqual(['', '', '', '']);
    }
    // Quotes doubled inside a quoted cell; a leading "=" is neutralised for spreadsheets.
    expect(lines[1]).toContain('"Ann & <Bob> ""O\'Neil"", Ltd"');
    expect(lines[1]).toContain(`'=Acme Trading (01234567)`);
    expect(lines[1]).toContain(',mv:t:0,2025-01-06T10:00:00.000Z,S,');
    expect(lines[1]).toContain(',2000.00,USD,2000.00,USD,wire,');

    const json = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(id)}/export`)
      .expect(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-disposition']).toContain('.json"');
    const exported = JSON.parse(json.text) as { alertId: string; movements: Json[] };
    expect(exported.alertId).toBe(id);
    expect(exported.movements).toHaveLength(5);
    await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(id)}/export?format=xlsx`)
      .expect(400);
    await request(http).get('/api/v1/alerts/alert%3Anope%3Anope/export?format=csv').expect(404);
  });

  it('runs one scan at a time, cancels a running scan (nothing stored) and refuses to cancel a finished one', async () => {
    let release: () => void = () => undefined;
    store.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entered = new Promise<void>((resolve) => {
      store.entered = resolve;
    });
    const window = { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' };
    const before = (await store.counts()).vertices.Alert;
    const started = await request(http)
      .post('/api/v1/alerts/scan')
      .send({ ...window, rules: ['aml.cycle'] })
      .expect(202);
    const jobId = (started.body as { jobId: string }).jobId;
    expect(started.headers.location).toBe(`/api/v1/alerts/scan/${jobId}`);
    expect(started.body).toMatchObject({ status: 'queued', progress: { rulesDone: 0 } });
    await entered;
    const running = await request(http).get(`/api/v1/alerts/scan/${jobId}`).expect(200);
    expect((running.body as Json).status).toBe('running');

    const second = await request(http).post('/api/v1/alerts/scan').send(window).expect(409);
    expect((second.body as Json).error).toBe('conflict');
    expect((second.body as { details: Json }).details).toMatchObject({ runningJobIds: [jobId] });

    const cancelling = await request(http).delete(`/api/v1/alerts/scan/${jobId}`).expect(200);
    expect(cancelling.body).toMatchObject({ status: 'running', cancelRequested: true });
    release();
    store.gate = undefined;
    store.entered = undefined;
    await jobs.settled(jobId);
    const cancelled = await request(http).get(`/api/v1/alerts/scan/${jobId}`).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelRequested: true });
    expect((cancelled.body as Json).report).toBeUndefined();
    expect((cancelled.body as Json).finishedAtIso).toBe(new Date(NOW).toISOString());
    expect((await store.counts()).vertices.Alert).toBe(before);

    const again = await request(http).delete(`/api/v1/alerts/scan/${jobId}`).expect(409);
    expect((again.body as Json).message).toContain('cancelled');
    await request(http).get('/api/v1/alerts/scan/scan-nope').expect(404);
    await request(http).delete('/api/v1/alerts/scan/scan-nope').expect(404);
    const listed = await request(http).get('/api/v1/alerts/scan').expect(200);
    expect((listed.body as Json[]).map((j) => j.jobId)).toContain(jobId);
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
    expect((rings[0] as { parties: Json[] }).parties.map((p) => [p.uid, p.name])).toEqual(
      RING.map((uid) => [uid, uid.split(':')[2]]),
    );
    expect(response.body).toMatchObject({ total: 1, truncated: false });
    // The README's example: limit is accepted and cuts the list.
    const limited = await request(http).get('/api/v1/fraud/rings?limit=5').expect(200);
    expect((limited.body as { rings: Json[] }).rings).toHaveLength(1);
    await request(http).get('/api/v1/fraud/rings?limit=0').expect(400);
    await request(http).get('/api/v1/fraud/rings?limit=many').expect(400);
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
      account: { uid: 'account:b:S', name: 'S', holders: [{ name: TRICKY_NAME }] },
    });
    const recent = (response.body as { recentAlerts: Json[] }).recentAlerts[0];
    expect(recent).toMatchObject({ createdAt: NOW, createdAtIso: '2025-03-01T00:00:00.000Z' });
    const ring = await request(http).get('/api/v1/accounts/account%3Ab%3AR1/risk').expect(200);
    expect((ring.body as { rings: Json[] }).rings).toHaveLength(1);
    await request(http).get('/api/v1/accounts/account%3Ab%3Anobody/risk').expect(404);
  });
});
