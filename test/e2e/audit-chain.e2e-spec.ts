import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import { SystemClock } from '@app/vocabulary';
import type { GraphVertex } from '@app/vocabulary';
import { AuditLog } from '../../apps/api/src/audit/audit-log';
import { GraphAuditLog } from '../../apps/api/src/audit/graph.audit-log';
import { configureApi } from '../../apps/api/src/configure-api';
import { ApiModule } from '../../apps/api/src/api.module';

// The hash chain of the audit trail over HTTP: GET /api/v1/audit/verify after ordinary traffic
// (served, refused, unauthenticated requests) answers ok, on the embedded default and on the
// graph adapter; a stored entry changed behind the API's back is named by its seq.

const ADMIN = { 'X-API-Key': 'dev-admin-key' };
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };

interface VerifyBody {
  ok: boolean;
  checked: number;
  chains: { chainId: string; entries: number; lastSeq: number }[];
  broken?: { chainId: string; seq: number; problem: string; expected: string; found: string };
}

async function boot(store: GraphStore, audit?: AuditLog): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  let builder = Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false });
  if (audit !== undefined) builder = builder.overrideProvider(AuditLog).useValue(audit);
  const app = (await builder.compile()).createNestApplication<NestExpressApplication>({
    logger: false,
  });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

/**
 * A little of everything: served, not found, refused for the role, no key at all, and an admin
 * reading the trail without the step-up it needs (refused).
 */
async function traffic(http: Server): Promise<void> {
  await request(http).get('/api/v1/graph/stats').set(ANALYST).expect(200);
  await request(http).get('/api/v1/entities/person:chain:1').set(ANALYST).expect(404);
  await request(http).get('/api/v1/audit').set(ANALYST).expect(403);
  await request(http).get('/api/v1/graph/stats').expect(401);
  await request(http).get('/api/v1/audit?limit=5').set(ADMIN).expect(403);
}

describe('Audit chain verification (e2e)', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('answers ok after some requests on the embedded default, for admins only', async () => {
    app = await boot(new MemoryGraphStore());
    const http = app.getHttpServer() as Server;
    await traffic(http);
    await request(http).get('/api/v1/audit/verify').set(ANALYST).expect(403);
    const verify = await request(http).get('/api/v1/audit/verify').set(ADMIN).expect(200);
    const body = verify.body as VerifyBody;
    expect(body.ok).toBe(true);
    expect(body.broken).toBeUndefined();
    // The five requests and the refused verification; the verification itself is recorded after.
    expect(body.checked).toBe(6);
    expect(body.chains).toEqual([expect.objectContaining({ entries: 6, lastSeq: 6 })]);
  });

  it('answers ok on the graph adapter, and names the seq of an entry changed in the store', async () => {
    const store = new MemoryGraphStore();
    const audit = new GraphAuditLog(store, new SystemClock(), { writer: 'e2echain' });
    app = await boot(store, audit);
    const http = app.getHttpServer() as Server;
    await traffic(http);
    const verify = await request(http).get('/api/v1/audit/verify').set(ADMIN).expect(200);
    expect(verify.body).toMatchObject({ ok: true, checked: 5 });

    await audit.flush();
    const page = await store.listVertices({ label: 'AuditEntry', limit: 100 });
    const seqOf = (v: GraphVertex): number | undefined =>
      v.label === 'AuditEntry' ? v.props.seq : undefined;
    const second = page.items.find((v) => seqOf(v) === 2);
    if (second?.label !== 'AuditEntry') throw new Error('the second audit entry was not stored');
    // Someone with access to the graph turns a 404 into a 200.
    await store.upsertVertices([{ ...second, props: { ...second.props, httpStatus: 200 } }]);
    const broken = await request(http).get('/api/v1/audit/verify').set(ADMIN).expect(200);
    expect(broken.body).toMatchObject({
      ok: false,
      broken: { chainId: 'e2echain', seq: 2, problem: 'hash', found: second.props.hash },
    });
  });
});
