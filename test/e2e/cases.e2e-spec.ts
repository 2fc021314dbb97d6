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

// Investigation cases over HTTP: a case gathers alerts of a real scan, gets notes and moves
// through its workflow; reporting and closing need a step-up; every change is audited; cases
// are in the graph store, so a new API over the same store still has them.
const ANALYST_KEY = 'dev-analyst-key';
const ANALYST = { 'X-API-Key': ANALYST_KEY };
const VIEWER = { 'X-API-Key': 'dev-viewer-key' };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };

const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;

const account = (uid: string): AccountVertex => personalAccount(uid, 'e2e');

/** Two payers, each fanning out to five accounts in an afternoon: two fan-out alerts. */
async function twoFanOuts(): Promise<MemoryGraphStore> {
  const store = new MemoryGraphStore();
  const movements: Movement[] = [];
  for (const payer of ['A', 'B']) {
    const payees = [1, 2, 3, 4, 5].map((n) => `account:e2e:${payer}${n}`);
    await store.upsertVertices([`account:e2e:${payer}`, ...payees].map(account));
    payees.forEach((to, i) =>
      movements.push({
        movementId: `mv:e2e:${payer}${i}`,
        fromAccount: `account:e2e:${payer}`,
        toAccount: to,
        amountMinor: 2_000_00 + i * 100,
        currency: 'USD',
        timestamp: T0 + i * HOUR,
        channel: 'wire',
      }),
    );
  }
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

interface CaseBody {
  caseId: string;
  title: string;
  status: string;
  closeReason?: string;
  assignee?: string;
  alertIds: string[];
  alerts: { alertId: string }[];
  notes: { text: string; author: string; attachments: { name: string }[] }[];
  attachments: { name: string; noteId: string; sha256?: string }[];
  history: { from: string | null; to: string; closeReason?: string; actor: string }[];
}

interface ErrorBody {
  error: string;
  message: string;
  details?: { problems?: { field: string; rule: string }[] };
}

const path = (caseId: string): string => `/api/v1/cases/${encodeURIComponent(caseId)}`;

describe('Cases (e2e, embedded store)', () => {
  let store: MemoryGraphStore;
  let app: INestApplication;
  let http: Server;
  let alertA: string;
  let alertB: string;

  beforeAll(async () => {
    store = await twoFanOuts();
    app = await boot(store);
    http = app.getHttpServer() as Server;
    const scan = await scanToEnd(app, ADMIN, {
      rules: ['aml.fan-out'],
      from: '2025-01-01T00:00:00Z',
      to: '2025-02-01T00:00:00Z',
    });
    expect(scan.status).toBe('succeeded');
    const alertIds = [...(scan.report?.alertIds ?? [])].sort();
    expect(alertIds).toHaveLength(2);
    [alertA, alertB] = alertIds as [string, string];
  });

  afterAll(async () => {
    await app.close();
  });

  it('opens a case from alerts, lists and filters it, and keeps notes with attachment references', async () => {
    const created = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title: 'Fan-out from A', alertIds: [alertA], assignee: 'user:alice' })
      .expect(201);
    const body = created.body as CaseBody;
    expect(body).toMatchObject({ status: 'open', assignee: 'user:alice', alertIds: [alertA] });
    expect(body.alerts.map((a) => a.alertId)).toEqual([alertA]);
    expect(body.history).toEqual([
      expect.objectContaining({ from: null, to: 'open', actor: principalIdOf(ANALYST_KEY) }),
    ]);
    expect(created.headers.location).toBe(path(body.caseId));

    const byAlice = await request(http)
      .get('/api/v1/cases?assignee=user:alice&status=open')
      .set(VIEWER)
      .expect(200);
    expect((byAlice.body as { items: CaseBody[] }).items.map((c) => c.caseId)).toEqual([
      body.caseId,
    ]);
    const byBob = await request(http)
      .get('/api/v1/cases?assignee=user:bob')
      .set(VIEWER)
      .expect(200);
    expect((byBob.body as { items: CaseBody[] }).items).toEqual([]);

    const sha256 = 'ab'.repeat(32);
    await request(http)
      .post(`${path(body.caseId)}/notes`)
      .set(ANALYST)
      .send({
        text: 'Invoice received.',
        attachments: [{ name: 'invoice.pdf', uri: 'https://dms.example.org/117', sha256 }],
      })
      .expect(201);
    const bad = await request(http)
      .post(`${path(body.caseId)}/notes`)
      .set(ANALYST)
      .send({ text: 'x', attachments: [{ name: 'no-place.pdf' }] })
      .expect(400);
    expect((bad.body as ErrorBody).message).toContain('uri');

    const detail = await request(http).get(path(body.caseId)).set(VIEWER).expect(200);
    const read = detail.body as CaseBody;
    expect(read.notes).toEqual([
      expect.objectContaining({ text: 'Invoice received.', author: principalIdOf(ANALYST_KEY) }),
    ]);
    expect(read.attachments).toEqual([expect.objectContaining({ name: 'invoice.pdf', sha256 })]);
  });

  it('refuses unknown alerts (404 naming them) and alerts of another open case (409)', async () => {
    const unknown = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title: 'Bad', alertIds: [alertB, 'alert:nope:1'] })
      .expect(404);
    expect((unknown.body as ErrorBody).message).toContain('alert:nope:1');

    const first = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title: 'Fan-out from B' })
      .expect(201);
    const caseId = (first.body as CaseBody).caseId;
    await request(http)
      .post(`${path(caseId)}/alerts`)
      .set(ANALYST)
      .send({ alertIds: [alertB] })
      .expect(201);
    const taken = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title: 'Again B', alertIds: [alertB] })
      .expect(409);
    expect((taken.body as ErrorBody).message).toContain(alertB);
    expect((taken.body as ErrorBody).message).toContain(caseId);

    const removed = await request(http)
      .delete(`${path(caseId)}/alerts/${encodeURIComponent(alertB)}`)
      .set(ANALYST)
      .expect(200);
    expect((removed.body as CaseBody).alertIds).toEqual([]);
    await request(http)
      .delete(`${path(caseId)}/alerts/${encodeURIComponent(alertB)}`)
      .set(ANALYST)
      .expect(404);
  });

  it('moves a case through its workflow: 409 on a bad move, closing needs a reason and a step-up', async () => {
    const created = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title: 'Workflow', alertIds: [alertB] })
      .expect(201);
    const caseId = (created.body as CaseBody).caseId;
    const patch = (body: object, headers: Record<string, string> = {}): request.Test =>
      request(http).patch(path(caseId)).set(ANALYST).set(headers).send(body);

    // Without a step-up the guard answers first: reporting needs one.
    const skip = await patch({ status: 'reported' }).expect(403);
    expect((skip.body as ErrorBody).error).toBe('step_up_required');
    const early = await patch({ status: 'escalated' }).expect(409);
    expect((early.body as ErrorBody).message).toBe(
      `Case ${caseId} is open; it cannot move to escalated (allowed next: investigating, closed)`,
    );
    await patch({ status: 'investigating', note: 'Calling the customer.' }).expect(200);
    await patch({ status: 'escalated' }).expect(200);

    const noStepUp = await patch({ status: 'closed', closeReason: 'false-positive' }).expect(403);
    expect((noStepUp.body as ErrorBody).error).toBe('step_up_required');
    const { header: stepUp } = await stepUpWithTotp(http, ANALYST);
    const noReason = await patch({ status: 'closed' }, stepUp).expect(400);
    expect((noReason.body as ErrorBody).details?.problems?.[0]?.field).toBe('closeReason');

    await patch({ status: 'reported', note: 'SAR filed' }, stepUp).expect(200);
    const closed = await patch({ status: 'closed', closeReason: 'reported' }, stepUp).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', closeReason: 'reported' });
    // Its alert closed with it, the change naming the case.
    const alert = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(alertB)}`)
      .set(ANALYST)
      .expect(200);
    const shown = alert.body as { status: string; history: { to: string; note: string }[] };
    expect(shown.status).toBe('closed-reported');
    expect(shown.history.at(-1)).toMatchObject({
      to: 'closed-reported',
      note: `Closed together with case ${caseId} (reported)`,
    });
    await request(http)
      .post(`${path(caseId)}/alerts`)
      .set(ANALYST)
      .send({ alertIds: [alertA] })
      .expect(409);

    const reopened = await patch({ status: 'investigating', note: 'New deposits.' }).expect(200);
    const body = reopened.body as CaseBody;
    expect(body.closeReason).toBeUndefined();
    expect(body.history.map((h) => [h.from, h.to, h.closeReason])).toEqual([
      [null, 'open', undefined],
      ['open', 'investigating', undefined],
      ['investigating', 'escalated', undefined],
      ['escalated', 'reported', undefined],
      ['reported', 'closed', 'reported'],
      ['closed', 'investigating', undefined],
    ]);
    await patch({}).expect(400);

    // Every change is in the audit trail, with what changed.
    const { header: adminStepUp } = await stepUpWithTotp(http, ADMIN);
    const audit = await request(http)
      .get(`/api/v1/audit?resource=${encodeURIComponent(caseId)}&limit=50`)
      .set(ADMIN)
      .set(adminStepUp)
      .expect(200);
    const notes = (audit.body as { method: string; status: number; note?: string }[])
      .filter((e) => e.method === 'PATCH' && e.status === 200)
      .map((e) => e.note);
    expect(notes).toEqual(
      expect.arrayContaining([
        'status escalated -> reported',
        'status reported -> closed (reported); its open alerts closed as closed-reported',
        'status closed -> investigating',
      ]),
    );
  });

  it('lets viewers read but not change cases', async () => {
    const refused = await request(http)
      .post('/api/v1/cases')
      .set(VIEWER)
      .send({ title: 'Viewer case' })
      .expect(403);
    expect((refused.body as ErrorBody).error).toBe('forbidden');
    await request(http).get('/api/v1/cases').set(VIEWER).expect(200);
  });

  it('assigns alerts one by one and in bulk (all or nothing), and filters the queue by assignee, severity and score', async () => {
    const one = await request(http)
      .patch(`/api/v1/alerts/${encodeURIComponent(alertA)}`)
      .set(ANALYST)
      .send({ assignee: 'user:carol' })
      .expect(200);
    expect(one.body).toMatchObject({ alertId: alertA, assignee: 'user:carol', status: 'open' });

    const refused = await request(http)
      .post('/api/v1/alerts/assign')
      .set(ANALYST)
      .send({ alertIds: [alertA, alertB, 'alert:nope:2'], assignee: 'user:dave' })
      .expect(404);
    expect((refused.body as ErrorBody).message).toContain('alert:nope:2');
    const unchanged = await request(http)
      .get('/api/v1/alerts?assignee=user:carol')
      .set(ANALYST)
      .expect(200);
    expect(
      (unchanged.body as { items: { alertId: string }[] }).items.map((a) => a.alertId),
    ).toEqual([alertA]);

    const bulk = await request(http)
      .post('/api/v1/alerts/assign')
      .set(ANALYST)
      .send({ alertIds: [alertA, alertB], assignee: 'user:dave' })
      .expect(200);
    expect((bulk.body as { assignee?: string }[]).map((a) => a.assignee)).toEqual([
      'user:dave',
      'user:dave',
    ]);
    const byDave = await request(http)
      .get('/api/v1/alerts?assignee=user:dave')
      .set(ANALYST)
      .expect(200);
    const daves = (byDave.body as { items: { alertId: string; score: number; severity: string }[] })
      .items;
    expect(daves.map((a) => a.alertId).sort()).toEqual([alertA, alertB]);
    await request(http)
      .post('/api/v1/alerts/assign')
      .set(VIEWER)
      .send({ alertIds: [alertA], assignee: '' })
      .expect(403);

    const [first] = daves;
    const bySeverity = await request(http)
      .get(`/api/v1/alerts?severity=${first?.severity ?? ''}`)
      .set(ANALYST)
      .expect(200);
    expect(
      (bySeverity.body as { items: { severity: string }[] }).items.every(
        (a) => a.severity === first?.severity,
      ),
    ).toBe(true);
    const top = Math.max(...daves.map((a) => a.score));
    const byScore = await request(http)
      .get(`/api/v1/alerts?minScore=${top}`)
      .set(ANALYST)
      .expect(200);
    const scored = (byScore.body as { items: { score: number }[] }).items;
    expect(scored.length).toBeGreaterThan(0);
    expect(scored.every((a) => a.score >= top)).toBe(true);
    await request(http).get('/api/v1/alerts?minScore=2').set(ANALYST).expect(400);

    const unassigned = await request(http)
      .patch(`/api/v1/alerts/${encodeURIComponent(alertB)}`)
      .set(ANALYST)
      .send({ assignee: '' })
      .expect(200);
    expect((unassigned.body as { assignee?: string }).assignee).toBeUndefined();
    await request(http)
      .patch(`/api/v1/alerts/${encodeURIComponent(alertB)}`)
      .set(ANALYST)
      .send({ status: 'investigating' })
      .expect(400);
  });

  it('keeps cases when the API starts again over the same graph store', async () => {
    const created = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title: 'Durable' })
      .expect(201);
    const { caseId } = created.body as CaseBody;
    const second = await boot(store);
    try {
      const read = await request(second.getHttpServer() as Server)
        .get(path(caseId))
        .set(VIEWER)
        .expect(200);
      expect(read.body).toMatchObject({ caseId, title: 'Durable', status: 'open' });
    } finally {
      await second.close();
    }
  });
});

interface ReportBody {
  kind: string;
  generatedBy: string;
  case?: { caseId: string; status: string; notes: { text: string }[]; history: { to: string }[] };
  alerts: {
    alertId: string;
    explanation: string;
    movements: { amount: string; currency: string; from: { account: string } }[];
  }[];
}

describe('Case and alert reports (e2e, embedded store)', () => {
  let app: INestApplication;
  let http: Server;
  let alertA: string;
  let caseId: string;
  let stepUp: Record<string, string>;
  const hostileNote = '<script>alert(1)</script> & "quotes"';

  beforeAll(async () => {
    app = await boot(await twoFanOuts());
    http = app.getHttpServer() as Server;
    const scan = await scanToEnd(app, ADMIN, {
      rules: ['aml.fan-out'],
      from: '2025-01-01T00:00:00Z',
      to: '2025-02-01T00:00:00Z',
    });
    [alertA] = [...(scan.report?.alertIds ?? [])].sort() as [string];
    const created = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title: 'Report <of> A', alertIds: [alertA] })
      .expect(201);
    caseId = (created.body as CaseBody).caseId;
    await request(http)
      .post(`${path(caseId)}/notes`)
      .set(ANALYST)
      .send({ text: hostileNote, attachments: [{ name: 'cctv.mp4', reference: 'TICKET-7' }] })
      .expect(201);
    await request(http)
      .patch(path(caseId))
      .set(ANALYST)
      .send({ status: 'investigating' })
      .expect(200);
    stepUp = { ...ANALYST, ...(await stepUpWithTotp(http, ANALYST)).header };
  });

  afterAll(async () => {
    await app.close();
  });

  it('needs a step-up (403 step_up_required) and the analyst role', async () => {
    const refused = await request(http)
      .get(`${path(caseId)}/report`)
      .set(ANALYST)
      .expect(403);
    expect((refused.body as ErrorBody).error).toBe('step_up_required');
    const alertRefused = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(alertA)}/report`)
      .set(ANALYST)
      .expect(403);
    expect((alertRefused.body as ErrorBody).error).toBe('step_up_required');
    await request(http)
      .get(`${path(caseId)}/report`)
      .set(VIEWER)
      .expect(403);
  });

  it('answers a self-contained HTML download with the explanation and every value escaped', async () => {
    const answer = await request(http)
      .get(`${path(caseId)}/report`)
      .set(stepUp)
      .expect(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename=".*\.html"$/);
    const page = answer.text;
    const alert = (
      await request(http)
        .get(`/api/v1/alerts/${encodeURIComponent(alertA)}`)
        .set(ANALYST)
    ).body as { explanation: string };
    expect(page).toContain(
      alert.explanation.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    );
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(page).not.toContain('<script');
    expect(page).toContain('Report &lt;of&gt; A');
    expect(page).toContain('TICKET-7');
    expect(page).toContain(`by ${principalIdOf(ANALYST_KEY)}`);
  });

  it('answers the same content as JSON, matching the case', async () => {
    const answer = await request(http)
      .get(`${path(caseId)}/report?format=json`)
      .set(stepUp)
      .expect(200);
    expect(answer.headers['content-disposition']).toMatch(/\.json"$/);
    const report = JSON.parse(answer.text) as ReportBody;
    const detail = (await request(http).get(path(caseId)).set(ANALYST).expect(200))
      .body as CaseBody;
    expect(report.kind).toBe('case');
    expect(report.generatedBy).toBe(principalIdOf(ANALYST_KEY));
    expect(report.case?.caseId).toBe(detail.caseId);
    expect(report.case?.status).toBe(detail.status);
    expect(report.case?.notes.map((n) => n.text)).toEqual(detail.notes.map((n) => n.text));
    expect(report.case?.history.map((h) => h.to)).toEqual(detail.history.map((h) => h.to));
    expect(report.alerts.map((a) => a.alertId)).toEqual(detail.alertIds);
    expect(report.alerts[0]?.movements).toHaveLength(5);
    const movements = report.alerts[0]?.movements ?? [];
    expect(movements[0]).toMatchObject({ amount: '2000.00', currency: 'USD' });
    expect(new Set(movements.map((m) => m.from.account)).size).toBe(1);
    expect(['A', 'B']).toContain(movements[0]?.from.account);
  });

  it('reports one alert, and refuses an unknown format naming the field', async () => {
    const answer = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(alertA)}/report?format=json`)
      .set(stepUp)
      .expect(200);
    const report = JSON.parse(answer.text) as ReportBody;
    expect(report.kind).toBe('alert');
    expect(report.alerts.map((a) => a.alertId)).toEqual([alertA]);
    const bad = await request(http)
      .get(`${path(caseId)}/report?format=pdf`)
      .set(stepUp)
      .expect(400);
    expect((bad.body as ErrorBody).message).toContain('format');
  });
});
