import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, securitySettings } from '@app/settings';
import type { SecuritySettings } from '@app/settings';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

// Security headers, the Swagger UI under its Content-Security-Policy, keys refused in the query
// string, and rate limits (429 in the one error shape with Retry-After; health and /metrics
// never limited).

const VIEWER = { 'X-API-Key': 'dev-viewer-key' };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };

async function boot(security: Partial<SecuritySettings> = {}): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(new MemoryGraphStore())
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .overrideProvider(securitySettings.KEY)
    .useValue({ ...defaults.security, ...security })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

function server(app: INestApplication): Server {
  return app.getHttpServer() as Server;
}

describe('API security headers and keys (e2e)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await boot();
  });

  afterAll(async () => {
    await app.close();
  });

  it('sends security headers and no X-Powered-By, on answers and errors alike', async () => {
    for (const call of [
      request(server(app)).get('/api/v1/graph/stats').set(VIEWER),
      request(server(app)).get('/api/v1/graph/stats'),
      request(server(app)).get('/health/live'),
    ]) {
      const response = await call;
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toContain('max-age=');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('still serves the Swagger UI, whose scripts all come from its own origin', async () => {
    const page = await request(server(app)).get('/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('swagger-ui');
    // The policy allows scripts from this origin only: every script tag must load a file.
    const scripts = page.text.split('<script').slice(1);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag.trimStart().startsWith('src=')).toBe(true);
    const init = await request(server(app)).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('Graph banking analytics API');
  });

  it('refuses a key in the query string with 400 naming the parameter, on public routes too', async () => {
    const refused = await request(server(app))
      .get('/api/v1/graph/stats?api_key=dev-admin-key')
      .expect(400);
    expect(refused.body).toMatchObject({
      error: 'invalid_input',
      details: { problems: [{ field: 'api_key' }] },
    });
    expect(JSON.stringify(refused.body)).not.toContain('dev-admin-key');
    await request(server(app)).get('/api/v1/graph/stats?Token=x').set(ADMIN).expect(400);
    await request(server(app)).get('/health/live?apikey=x').expect(400);
  });
});

describe('API rate limits (e2e)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await boot({ rateLimitPerPrincipal: 5, rateLimitPerIp: 8, rateLimitWindowSeconds: 60 });
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers a burst beyond the limit of one key with 429, Retry-After and the error shape', async () => {
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 7; i += 1) {
      last = await request(server(app)).get('/api/v1/graph/stats').set(VIEWER);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    // The limit that refused it, as accepted requests carry it (security.md promises both).
    expect(last?.headers['x-ratelimit-limit-principal']).toBe('5');
    expect(last?.headers['x-ratelimit-remaining-principal']).toBe('0');
    expect(Number(last?.headers['x-ratelimit-reset-principal'])).toBeGreaterThan(0);
    expect(last?.body).toEqual({
      error: 'too_many_requests',
      message: expect.stringContaining('API key') as unknown,
      correlationId: expect.any(String) as unknown,
    });
  });

  it('counts another key apart, but one address over all keys, and never limits health or metrics', async () => {
    // Five requests from this address got through so far (the two refused by the key's limit
    // stopped there); the analyst key has its own count of 5, but the address limit (8) stops
    // it after three more.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push(
        (await request(server(app)).get('/api/v1/graph/stats').set('X-API-Key', 'dev-analyst-key'))
          .status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    for (let i = 0; i < 20; i += 1) {
      await request(server(app)).get('/health/live').expect(200);
    }
    await request(server(app)).get('/metrics').expect(200);
  });

  it('limits guesses without a valid key by address before they reach the key check', async () => {
    const response = await request(server(app))
      .get('/api/v1/graph/stats')
      .set('X-API-Key', 'not-a-key-000000')
      .expect(429);
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.headers['x-ratelimit-remaining-ip']).toBe('0');
  });
});
