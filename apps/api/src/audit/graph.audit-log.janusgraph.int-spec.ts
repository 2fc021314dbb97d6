import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { appSettings, graphSettings, loadAllSettings } from '@app/settings';
import { describeWithJanusGraph, openJanusGraphStore } from '@app/testing';
import type { JanusGraphEndpoint, OpenedJanusGraphStore } from '@app/testing';
import { SystemClock } from '@app/vocabulary';
import { ApiModule } from '../api.module';
import { configureApi } from '../configure-api';
import type { AuditEntry } from './audit-log';
import { stepUpWithTotp } from '../../../../test/e2e/identity-step-up';
import { describeAuditLogContract } from './audit-log.contract';
import { GraphAuditLog } from './graph.audit-log';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** The API as `npm start` builds it, on the real JanusGraph (no seeding). */
async function bootApi(endpoint: JanusGraphEndpoint): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(graphSettings.KEY)
    .useValue({
      ...loadAllSettings().graph,
      backend: 'janusgraph',
      host: endpoint.host,
      port: endpoint.port,
      schemaBootstrap: true,
    })
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

// The audit trail on a real JanusGraph: AuditEntry vertices of the bootstrapped schema, listed
// through the auditEntrySearch index, read back by a new connection (a restart of the API).
describeWithJanusGraph('GraphAuditLog on real JanusGraph', (endpoint) => {
  describeAuditLogContract('GraphAuditLog on JanusGraph', async () => {
    const first = await openJanusGraphStore(endpoint);
    await first.store.clear();
    const opened: OpenedJanusGraphStore[] = [first];
    const logs: GraphAuditLog[] = [];
    const open = (connection: OpenedJanusGraphStore, writer: string): GraphAuditLog => {
      const log = new GraphAuditLog(connection.store, new SystemClock(), {
        writer,
        refusedQueueLimit: 20,
        logger: quiet,
      });
      logs.push(log);
      return log;
    };
    const log = open(first, 'first');
    return {
      log,
      restart: async () => {
        await log.beforeApplicationShutdown();
        await log.onApplicationShutdown();
        const again = await openJanusGraphStore(endpoint);
        opened.push(again);
        return open(again, 'second');
      },
      floodSize: 100,
      close: async () => {
        for (const one of logs) await one.onApplicationShutdown();
        await first.store.clear();
        for (const connection of opened) await connection.close();
      },
    };
  });

  describe('through the API', () => {
    let apps: INestApplication[] = [];

    afterEach(async () => {
      for (const app of apps) await app.close();
      apps = [];
    });

    it('keeps the trail across a restart of the API: entries written on shutdown are listed by the next process', async () => {
      const first = await bootApi(endpoint);
      apps.push(first);
      const server = first.getHttpServer() as Server;
      await request(server).get('/health/ready').expect(200);
      await request(server)
        .get('/api/v1/entities/person:audit-restart:1')
        .set('X-API-Key', 'dev-analyst-key')
        .expect(404);
      await request(server).get('/api/v1/graph/stats').expect(401);
      // app.close() runs the shutdown hooks: the audit queue is written before the connection closes.
      await first.close();
      apps = [];

      const second = await bootApi(endpoint);
      apps.push(second);
      // Reading the trail needs a second factor: the admin steps up with the built-in TOTP.
      const admin = { 'X-API-Key': 'dev-admin-key' };
      const { header } = await stepUpWithTotp(second.getHttpServer() as Server, admin);
      const listed = await request(second.getHttpServer() as Server)
        .get('/api/v1/audit?resource=person:audit-restart:1')
        .set({ ...admin, ...header })
        .expect(200);
      expect(listed.body).toEqual([
        expect.objectContaining({
          role: 'analyst',
          path: '/api/v1/entities/person:audit-restart:1',
          resources: { uid: 'person:audit-restart:1' },
          status: 404,
        }),
      ]);
      const refused = await request(second.getHttpServer() as Server)
        .get('/api/v1/audit?principal=unauthenticated&limit=1000')
        .set({ ...admin, ...header })
        .expect(200);
      expect((refused.body as AuditEntry[]).map((e) => e.path)).toContain('/api/v1/graph/stats');
      const ready = await request(second.getHttpServer() as Server)
        .get('/health/ready')
        .expect(200);
      expect(ready.body).toMatchObject({
        info: {
          graph: { status: 'up', backend: 'janusgraph' },
          audit: { status: 'up', storage: 'graph:janusgraph' },
        },
      });
    });
  });
});
