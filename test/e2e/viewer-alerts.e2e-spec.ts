import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { MemoryGraphStore } from '@app/graph-store';
import type { AlertVertex, CompanyVertex, GraphEdge } from '@app/vocabulary';
import { bootApi } from './boot-api';

// A viewer "sees no alerts" (README, Security): not through /alerts, and not through entity
// browsing either (listing, one entity by uid, or an alert in another entity's neighbourhood).
const VIEWER = { 'X-API-Key': 'dev-viewer-key' };
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const T = Date.UTC(2025, 0, 1);
const ALERT_UID = 'alert:e2e.rule:01';
const COMPANY_UID = 'company:gb:00000001';

const ALERT: AlertVertex = {
  label: 'Alert',
  uid: ALERT_UID,
  props: {
    ruleId: 'e2e.rule',
    ruleVersion: '1.0.0',
    typology: 'fan-out',
    score: 0.9,
    severity: 'high',
    status: 'open',
    explanation: 'a confidential explanation',
    fingerprint: 'f1',
    createdAt: T,
    updatedAt: T,
    windowStart: T,
    windowEnd: T + 1,
    movementIds: [],
  },
};

const COMPANY: CompanyVertex = {
  label: 'Company',
  uid: COMPANY_UID,
  props: {
    name: 'Acme Holdings Ltd',
    jurisdiction: 'GB',
    companyType: 'company',
    isShell: false,
    isNominee: false,
    hasBearerShares: false,
    isSanctioned: false,
  },
};

const FLAG: GraphEdge = {
  label: 'FLAGS',
  eid: `FLAGS:${ALERT_UID}>${COMPANY_UID}`,
  from: ALERT_UID,
  to: COMPANY_UID,
  props: { role: 'subject' },
};

interface ErrorBody {
  error: string;
  message: string;
}
interface EntityAnswer {
  entity: { uid: string };
  neighbourhood?: { vertices: { uid: string }[]; edges: { label: string }[] };
}

describe('Alerts are kept from viewers in entity browsing (e2e)', () => {
  let app: INestApplication;
  let http: Server;

  beforeAll(async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices([ALERT, COMPANY]);
    await store.upsertEdges([FLAG]);
    app = await bootApi({ store });
    http = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses a viewer the listing of alerts and status changes with 403 naming the role, and lets an analyst list them', async () => {
    for (const label of ['Alert', 'StatusChange']) {
      const refused = await request(http)
        .get(`/api/v1/entities?label=${label}`)
        .set(VIEWER)
        .expect(403);
      const body = refused.body as ErrorBody;
      expect(body.error).toBe('forbidden');
      expect(body.message).toContain(`${label} entities`);
      expect(body.message).toContain('analyst role');
    }
    const listed = await request(http).get('/api/v1/entities?label=Alert').set(ANALYST).expect(200);
    expect((listed.body as { items: { uid: string }[] }).items.map((i) => i.uid)).toEqual([
      ALERT_UID,
    ]);
  });

  it('refuses a viewer an alert by uid, and shows it to an analyst', async () => {
    const refused = await request(http)
      .get(`/api/v1/entities/${encodeURIComponent(ALERT_UID)}`)
      .set(VIEWER)
      .expect(403);
    expect(JSON.stringify(refused.body)).not.toContain('confidential');
    await request(http)
      .get(`/api/v1/entities/${encodeURIComponent(ALERT_UID)}`)
      .set(ANALYST)
      .expect(200);
  });

  it("leaves the alert and its FLAGS edge out of a flagged company's neighbourhood for a viewer only", async () => {
    const url = `/api/v1/entities/${encodeURIComponent(COMPANY_UID)}?depth=1`;
    const viewer = (await request(http).get(url).set(VIEWER).expect(200)).body as EntityAnswer;
    expect(viewer.entity.uid).toBe(COMPANY_UID);
    expect(viewer.neighbourhood?.vertices.map((v) => v.uid)).not.toContain(ALERT_UID);
    expect(viewer.neighbourhood?.edges.map((e) => e.label)).not.toContain('FLAGS');
    expect(JSON.stringify(viewer)).not.toContain('confidential');
    const analyst = (await request(http).get(url).set(ANALYST).expect(200)).body as EntityAnswer;
    expect(analyst.neighbourhood?.vertices.map((v) => v.uid)).toContain(ALERT_UID);
    expect(analyst.neighbourhood?.edges.map((e) => e.label)).toContain('FLAGS');
  });
});
