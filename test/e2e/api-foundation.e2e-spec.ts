import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, processEnv, seederSettings } from '@app/settings';
import { GraphUnavailableError } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { stepUpWithTotp } from './identity-step-up';

class DownGraphStore extends MemoryGraphStore {
  override ping(): Promise<void> {
    return Promise.reject(new GraphUnavailableError('JanusGraph at 127.0.0.1:1 does not answer'));
  }
}

interface Body {
  error?: unknown;
  status?: unknown;
  correlationId?: unknown;
  details?: { problems: { field: string }[] };
  paths?: object;
}

function server(app: INestApplication): Server {
  return app.getHttpServer() as Server;
}

function bodyOf(response: { body: unknown }): Body {
  return response.body as Body;
}

async function boot(store: GraphStore, seed = false): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: seed })
    .overrideProvider(seederSettings.KEY)
    .useValue({ ...defaults.seeder, profile: 'tiny' })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, loadAllSettings({}).app);
  await app.init();
  return app;
}

describe('API foundation (e2e, embedded store)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await boot(new MemoryGraphStore());
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers liveness and readiness with 200 when the graph store is up', async () => {
    await request(server(app)).get('/health/live').expect(200);
    const ready = await request(server(app)).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { graph: { status: 'up', backend: 'memory' } },
    });
  });

  it('refuses API calls without a key, in the one error shape, with a correlation id', async () => {
    const response = await request(server(app)).get('/api/v1/graph/stats').expect(401);
    expect(response.body).toEqual({
      error: 'unauthenticated',
      message: expect.stringContaining('X-API-Key') as unknown,
      correlationId: expect.any(String) as unknown,
    });
    expect(response.headers['x-correlation-id']).toBe(bodyOf(response).correlationId);
  });

  it('keeps a caller-given correlation id', async () => {
    const response = await request(server(app))
      .get('/api/v1/graph/stats')
      .set('X-Correlation-Id', 'case-4711')
      .expect(401);
    expect(bodyOf(response).correlationId).toBe('case-4711');
  });

  it('enforces roles: a viewer cannot read the audit trail, an admin can', async () => {
    await request(server(app)).get('/api/v1/audit').set('X-API-Key', 'dev-viewer-key').expect(403);
    await request(server(app))
      .get('/api/v1/entities/person:x:1')
      .set('X-API-Key', 'dev-analyst-key')
      .expect(404);
    const { header: stepUp } = await stepUpWithTotp(server(app), { 'X-API-Key': 'dev-admin-key' });
    const audit = await request(server(app))
      .get('/api/v1/audit?limit=50')
      .set('X-API-Key', 'dev-admin-key')
      .set(stepUp)
      .expect(200);
    const entries = audit.body as {
      path: string;
      status: number;
      resources: Record<string, string>;
    }[];
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: '/api/v1/entities/person:x:1',
          status: 404,
          resources: { uid: 'person:x:1' },
        }),
        expect.objectContaining({ path: '/api/v1/audit', status: 403 }),
      ]),
    );
  });

  it('rejects bad query parameters with 400 naming the field and the rule', async () => {
    const response = await request(server(app))
      .get('/api/v1/entities?label=Person&limit=0&colour=red')
      .set('X-API-Key', 'dev-viewer-key')
      .expect(400);
    expect(bodyOf(response).error).toBe('invalid_input');
    const fields = (bodyOf(response).details?.problems ?? []).map((p) => p.field).sort();
    expect(fields).toEqual(['colour', 'limit']);
  });

  it('serves the OpenAPI document', async () => {
    const response = await request(server(app)).get('/docs/openapi.json').expect(200);
    expect(Object.keys(bodyOf(response).paths ?? {})).toEqual(
      expect.arrayContaining(['/health/ready', '/api/v1/entities/{uid}']),
    );
  });

  it('exposes Prometheus metrics without a key', async () => {
    const response = await request(server(app)).get('/metrics').expect(200);
    expect(response.text).toContain('process_cpu_user_seconds_total');
  });
});

describe('API seeding on start (e2e, embedded store)', () => {
  it('seeds the memory store before serving when APP_SEED_ON_START is true', async () => {
    const store = new MemoryGraphStore();
    const app = await boot(store, true);
    try {
      const response = await request(server(app))
        .get('/api/v1/graph/stats')
        .set('X-API-Key', 'dev-viewer-key')
        .expect(200);
      const stats = response.body as {
        vertices: Record<string, number>;
        edges: Record<string, number>;
      };
      expect(stats.vertices.Person).toBeGreaterThan(0);
      expect(stats.vertices.Account).toBeGreaterThan(0);
      expect(stats.edges.TRANSFERRED).toBeGreaterThan(0);
      expect(stats).toEqual({
        ...(await store.counts()),
        countedAt: expect.any(String) as unknown,
      });
    } finally {
      await app.close();
    }
  });
});

describe('API readiness when the graph store is down (e2e)', () => {
  it('answers /health/ready with 503 and names the failing dependency', async () => {
    const app = await boot(new DownGraphStore());
    try {
      const response = await request(server(app)).get('/health/ready').expect(503);
      expect(bodyOf(response).status).toBe('error');
      expect(JSON.stringify(bodyOf(response).error)).toContain('does not answer');
      await request(server(app)).get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });
});

describe('API start-up with invalid settings', () => {
  it('stops with a non-zero exit code and a message naming the variable', () => {
    const main = join(__dirname, '..', '..', 'apps', 'api', 'src', 'main.ts');
    const result = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', main],
      {
        env: { ...processEnv(), JANUSGRAPH_PORT: 'abc', APP_PORT: '0' },
        encoding: 'utf8',
        timeout: 60000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('JANUSGRAPH_PORT="abc": must be a whole number');
  });
});
