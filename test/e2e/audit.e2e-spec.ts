import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import type { UpsertResult } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import { FixedClock, GraphUnavailableError } from '@app/vocabulary';
import type { GraphVertex } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { AuditEntry, AuditLog } from '../../apps/api/src/audit/audit-log';
import { GraphAuditLog, GraphAuditLogOptions } from '../../apps/api/src/audit/graph.audit-log';
import { configureApi } from '../../apps/api/src/configure-api';
import { stepUpWithTotp } from './identity-step-up';

/** A memory store that stops taking vertex writes on demand (reads still answer). */
class WritesFailStore extends MemoryGraphStore {
  writesDown = false;

  override upsertVertices(batch: readonly GraphVertex[]): Promise<UpsertResult> {
    if (this.writesDown) {
      return Promise.reject(new GraphUnavailableError('the graph store refuses writes'));
    }
    return super.upsertVertices(batch);
  }
}

/** Audit log messages; an error (an entry the store refused) fails the test. */
const errors: unknown[] = [];
const logger = {
  log: () => undefined,
  warn: () => undefined,
  error: (message: unknown) => errors.push(message),
};

/** The API on a memory store, with the graph audit adapter the JanusGraph backend uses. */
async function boot(
  store: GraphStore,
  audit: GraphAuditLog,
  env: Record<string, string> = {},
): Promise<INestApplication> {
  const defaults = loadAllSettings(env);
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(AuditLog)
    .useValue(audit)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

describe('Audit trail (e2e, graph adapter on the embedded store)', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
    expect(errors).toEqual([]);
  });

  function start(options: GraphAuditLogOptions = {}) {
    const store = new WritesFailStore();
    const clock = new FixedClock(Date.UTC(2025, 1, 3, 9));
    const audit = new GraphAuditLog(store, clock, { logger, ...options });
    return { store, clock, audit };
  }

  it('stores entries as AuditEntry vertices that admins list and analysts can neither list nor open as entities', async () => {
    const { store, audit } = start();
    app = await boot(store, audit);
    const server = app.getHttpServer() as Server;
    await request(server)
      .get('/api/v1/entities/person:audit:1')
      .set('X-API-Key', 'dev-analyst-key')
      .expect(404);
    await audit.flush();
    const stored = await store.listVertices({ label: 'AuditEntry', limit: 10 });
    expect(stored.items).toHaveLength(1);
    const auditUid = stored.items[0]?.uid ?? '';

    await request(server)
      .get('/api/v1/entities?label=AuditEntry')
      .set('X-API-Key', 'dev-analyst-key')
      .expect(400);
    await request(server)
      .get(`/api/v1/entities/${encodeURIComponent(auditUid)}`)
      .set('X-API-Key', 'dev-admin-key')
      .expect(404);

    const { header: stepUp } = await stepUpWithTotp(server, { 'X-API-Key': 'dev-admin-key' });
    const listed = await request(server)
      .get('/api/v1/audit?resource=person:audit:1')
      .set('X-API-Key', 'dev-admin-key')
      .set(stepUp)
      .expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({
        role: 'analyst',
        route: '/api/v1/entities/:uid',
        path: '/api/v1/entities/person:audit:1',
        resources: { uid: 'person:audit:1' },
        status: 404,
      }),
    ]);
    const ready = await request(server).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      info: { audit: { status: 'up', storage: 'graph:memory' } },
    });
  });

  it('pages the trail through the X-Next-Cursor header: every entry once, newest first; a cursor it did not give answers 400 naming it', async () => {
    const { store, audit } = start();
    app = await boot(store, audit, { CORS_ORIGINS: 'https://bank.example' });
    const server = app.getHttpServer() as Server;
    for (const n of [1, 2, 3]) {
      await request(server)
        .get(`/api/v1/entities/person:paged:${n}`)
        .set('X-API-Key', 'dev-analyst-key')
        .expect(404);
    }
    await audit.flush();
    const { header: stepUp } = await stepUpWithTotp(server, { 'X-API-Key': 'dev-admin-key' });
    const admin = { 'X-API-Key': 'dev-admin-key', ...stepUp };
    const paths: string[] = [];
    const correlationIds: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const query = new URLSearchParams({ limit: '2' });
      if (cursor !== undefined) query.set('cursor', cursor);
      const page = await request(server)
        .get(`/api/v1/audit?${query.toString()}`)
        .set(admin)
        .expect(200);
      const entries = page.body as { path: string; correlationId: string }[];
      paths.push(...entries.map((entry) => entry.path));
      correlationIds.push(...entries.map((entry) => entry.correlationId));
      cursor = page.headers['x-next-cursor'];
      if (cursor === undefined) break;
    }
    expect(paths.filter((path) => path.startsWith('/api/v1/entities/person:paged:'))).toEqual([
      '/api/v1/entities/person:paged:3',
      '/api/v1/entities/person:paged:2',
      '/api/v1/entities/person:paged:1',
    ]);
    expect(new Set(correlationIds).size).toBe(correlationIds.length);
    // A browser on an allowed origin may read the header.
    const fromBrowser = await request(server)
      .get('/api/v1/audit?limit=1')
      .set(admin)
      .set('Origin', 'https://bank.example')
      .expect(200);
    expect(fromBrowser.headers['access-control-expose-headers']).toBe('X-Next-Cursor');

    const bad = await request(server)
      .get('/api/v1/audit?cursor=not-a-cursor')
      .set(admin)
      .expect(400);
    expect(
      (bad.body as { details?: { problems?: { field: string }[] } }).details?.problems,
    ).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it('answers 503 on readiness while entries wait too long, and refuses requests once its queue is full', async () => {
    const { store, clock, audit } = start({ servedQueueLimit: 2, backlogLimitMs: 30_000 });
    app = await boot(store, audit);
    const server = app.getHttpServer() as Server;
    const { header: stepUp } = await stepUpWithTotp(server, { 'X-API-Key': 'dev-admin-key' }, () =>
      audit.flush(),
    );
    store.writesDown = true;
    // Served requests fill the queue (refused ones, 4xx, queue apart and never fill it).
    for (const n of [1, 2]) {
      await request(server)
        .get(`/api/v1/entities?label=Person&limit=${n}`)
        .set('X-API-Key', 'dev-analyst-key')
        .expect(200);
    }
    await expect(audit.flush()).rejects.toThrow('the graph store refuses writes');

    const refused = await request(server)
      .get('/api/v1/entities/person:audit:3')
      .set('X-API-Key', 'dev-analyst-key')
      .expect(503);
    expect(refused.body).toMatchObject({ error: 'audit_unavailable' });
    clock.advance(30_000);
    const notReady = await request(server).get('/health/ready').expect(503);
    const body = notReady.body as { error: { audit: { status: string; message: string } } };
    expect(body.error.audit.status).toBe('down');
    expect(body.error.audit.message).toContain('refuses requests until the graph store takes them');

    store.writesDown = false;
    await audit.flush();
    await request(server).get('/health/ready').expect(200);
    const listed = await request(server)
      .get('/api/v1/audit?limit=10')
      .set('X-API-Key', 'dev-admin-key')
      .set(stepUp)
      .expect(200);
    const paths = (listed.body as AuditEntry[]).map((e) => `${e.path} ${e.status}`);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/entities 200', '/api/v1/entities/person:audit:3 503']),
    );
    const refusedEntry = (listed.body as AuditEntry[]).find((e) => e.status === 503);
    expect(refusedEntry).toMatchObject({ route: '(no route)', resources: {} });
  });
});
