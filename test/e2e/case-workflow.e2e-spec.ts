import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { movementEdge } from '@app/vocabulary';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { scanToEnd } from './scan-job';
import { stepUpWithTotp } from './identity-step-up';
import { bootApi } from './boot-api';
import { personalAccount } from './accounts.fixture';

// What a case lets through at each point of its workflow: a viewer reads a case without the
// contents of its alerts, a reported case keeps the alerts it was filed with, and a closed case
// keeps its title, assignee and notes until it is reopened; a title change names old and new.
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const VIEWER = { 'X-API-Key': 'dev-viewer-key' };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };

const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;

const account = (uid: string): AccountVertex => personalAccount(uid, 'e2e');

/** Four payers, each fanning out to five accounts in an afternoon: four fan-out alerts. */
async function fourFanOuts(): Promise<MemoryGraphStore> {
  const store = new MemoryGraphStore();
  const movements: Movement[] = [];
  for (const payer of ['A', 'B', 'C', 'D']) {
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

function boot(store: GraphStore): Promise<INestApplication> {
  return bootApi({ store });
}

interface CaseBody {
  caseId: string;
  title: string;
  status: string;
  assignee?: string;
  alertIds: string[];
  alerts: { alertId: string }[];
  notes: { text: string }[];
  history: { from: string | null; to: string }[];
}

interface ErrorBody {
  error: string;
  message: string;
}

const path = (caseId: string): string => `/api/v1/cases/${encodeURIComponent(caseId)}`;

describe('Case workflow guards (e2e, embedded store)', () => {
  let app: INestApplication;
  let http: Server;
  let alertIds: [string, string, string, string];
  let analystStepUp: Record<string, string>;

  beforeAll(async () => {
    app = await boot(await fourFanOuts());
    http = app.getHttpServer() as Server;
    const scan = await scanToEnd(app, ADMIN, {
      rules: ['aml.fan-out'],
      from: '2025-01-01T00:00:00Z',
      to: '2025-02-01T00:00:00Z',
    });
    expect(scan.status).toBe('succeeded');
    const ids = [...(scan.report?.alertIds ?? [])].sort();
    expect(ids).toHaveLength(4);
    alertIds = ids as [string, string, string, string];
    ({ header: analystStepUp } = await stepUpWithTotp(http, ANALYST));
  });

  afterAll(async () => {
    await app.close();
  });

  async function openCase(title: string, alerts: string[]): Promise<string> {
    const created = await request(http)
      .post('/api/v1/cases')
      .set(ANALYST)
      .send({ title, alertIds: alerts, assignee: 'user:alice' })
      .expect(201);
    return (created.body as CaseBody).caseId;
  }

  function patch(caseId: string, body: object, headers: Record<string, string> = {}): request.Test {
    return request(http).patch(path(caseId)).set(ANALYST).set(headers).send(body);
  }

  it('shows a viewer the case with its alert ids but not the alerts; an analyst sees them', async () => {
    const [, , , fourth] = alertIds;
    const caseId = await openCase('Seen by a viewer', [fourth]);

    const byViewer = await request(http).get(path(caseId)).set(VIEWER).expect(200);
    const seen = byViewer.body as CaseBody;
    expect(seen.alertIds).toEqual([fourth]);
    expect(seen.alerts).toEqual([]);
    expect(JSON.stringify(seen)).not.toMatch(/explanation|movementIds|severity|windowStart/);
    await request(http).get('/api/v1/alerts').set(VIEWER).expect(403);

    const byAnalyst = await request(http).get(path(caseId)).set(ANALYST).expect(200);
    expect((byAnalyst.body as CaseBody).alerts.map((a) => a.alertId)).toEqual([fourth]);
  });

  it('keeps the alerts of a reported case as filed (409 naming the status and the way back)', async () => {
    const [first, second, third] = alertIds;
    const caseId = await openCase('Reported with two alerts', [first, second]);
    await patch(caseId, { status: 'investigating' }).expect(200);
    await patch(caseId, { status: 'escalated' }).expect(200);
    await patch(caseId, { status: 'reported', note: 'SAR filed' }, analystStepUp).expect(200);

    const removed = await request(http)
      .delete(`${path(caseId)}/alerts/${encodeURIComponent(second)}`)
      .set(ANALYST)
      .expect(409);
    expect((removed.body as ErrorBody).message).toContain(`Case ${caseId} is reported`);
    expect((removed.body as ErrorBody).message).toContain('allowed next: closed');
    await request(http)
      .post(`${path(caseId)}/alerts`)
      .set(ANALYST)
      .send({ alertIds: [third] })
      .expect(409);

    const read = await request(http).get(path(caseId)).set(ANALYST).expect(200);
    expect((read.body as CaseBody).alertIds).toEqual([first, second]);
    const report = await request(http)
      .get(`${path(caseId)}/report?format=json`)
      .set(ANALYST)
      .set(analystStepUp)
      .expect(200);
    const filed = JSON.parse(report.text) as { alerts: { alertId: string }[] };
    expect(filed.alerts.map((a) => a.alertId)).toEqual([first, second]);

    await patch(caseId, { status: 'closed', closeReason: 'reported' }, analystStepUp).expect(200);
  });

  it('refuses title, assignee and notes on a closed case until reopened, and audits old and new title', async () => {
    const caseId = await openCase('Closed for good', []);
    await patch(caseId, { title: 'Renamed while open' }).expect(200);
    await patch(caseId, { status: 'closed', closeReason: 'false-positive' }, analystStepUp).expect(
      200,
    );

    const changed = await patch(caseId, {
      title: 'changed after close',
      assignee: 'user:mallory',
    }).expect(409);
    expect((changed.body as ErrorBody).message).toBe(
      `Case ${caseId} is closed; reopen it (status investigating) before changing its title or assignee`,
    );
    await patch(caseId, { assignee: '' }).expect(409);
    const noted = await request(http)
      .post(`${path(caseId)}/notes`)
      .set(ANALYST)
      .send({ text: 'A later remark.' })
      .expect(409);
    expect((noted.body as ErrorBody).message).toContain(`Case ${caseId} is closed; reopen it`);
    const kept = (await request(http).get(path(caseId)).set(ANALYST).expect(200)).body as CaseBody;
    expect(kept).toMatchObject({ title: 'Renamed while open', assignee: 'user:alice', notes: [] });

    await patch(caseId, { status: 'investigating', note: 'New deposits.' }).expect(200);
    await request(http)
      .post(`${path(caseId)}/notes`)
      .set(ANALYST)
      .send({ text: 'A later remark.' })
      .expect(201);

    const { header: adminStepUp } = await stepUpWithTotp(http, ADMIN);
    const audit = await request(http)
      .get(`/api/v1/audit?resource=${encodeURIComponent(caseId)}&limit=50`)
      .set(ADMIN)
      .set(adminStepUp)
      .expect(200);
    const notes = (audit.body as { method: string; status: number; note?: string }[])
      .filter((e) => e.method === 'PATCH' && e.status === 200)
      .map((e) => e.note);
    expect(notes).toContain('title "Closed for good" -> "Renamed while open"');
  });
});
