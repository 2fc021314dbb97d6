import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import {
  appSettings,
  InvalidSettingsError,
  loadAllSettings,
  securitySettings,
} from '@app/settings';
import type { SecuritySettings } from '@app/settings';
import { describeWithRedis } from '@app/testing';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { RATE_LIMIT_KEY_PREFIX } from '../../apps/api/src/auth/rate-limit.storage';
import { freePort, TcpProxy, waitFor } from '../support/faults';

// Issue 13, item 4: several API replicas enforce ONE rate limit through a shared Redis, and a
// Redis that does not answer refuses requests with 503 (fail closed), never 500 or a hang.
// The tests delete the rate-limit keys (prefix `rate-limit:`) of the Redis they are given.

jest.setTimeout(60_000);

const VIEWER = { 'X-API-Key': 'dev-viewer-key' };
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const STATS = '/api/v1/graph/stats';
const LIMITS = { rateLimitPerPrincipal: 5, rateLimitPerIp: 8, rateLimitWindowSeconds: 60 };

interface ErrorBody {
  error: string;
  message: string;
  correlationId: string;
}

/** One API replica whose rate-limit counters are in the Redis at `redisUrl`. */
async function boot(redisUrl: string): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const security: SecuritySettings = {
    ...defaults.security,
    ...LIMITS,
    rateLimitStore: 'redis',
    rateLimitRedisUrl: redisUrl,
  };
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(new MemoryGraphStore())
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .overrideProvider(securitySettings.KEY)
    .useValue(security)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

function server(app: INestApplication): Server {
  return app.getHttpServer() as Server;
}

/** The same Redis as `url` (password, database), reached through 127.0.0.1:`port`. */
function through(url: string, port: number): string {
  const via = new URL(url);
  via.hostname = '127.0.0.1';
  via.port = String(port);
  return via.toString();
}

async function rateLimitKeys(redis: Redis): Promise<string[]> {
  return (await redis.keys(`${RATE_LIMIT_KEY_PREFIX}*`)).sort();
}

describeWithRedis('API rate limits shared through Redis (integration)', (endpoint) => {
  let redis: Redis;
  let first: INestApplication;
  let second: INestApplication;

  beforeAll(async () => {
    redis = new Redis(endpoint.url, { maxRetriesPerRequest: 1 });
    first = await boot(endpoint.url);
    second = await boot(endpoint.url);
  });

  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
    await redis.quit();
  });

  beforeEach(async () => {
    const keys = await rateLimitKeys(redis);
    if (keys.length > 0) await redis.del(...keys);
  });

  /** `count` requests of `headers`, alternating between the two replicas, first one first. */
  async function alternate(
    count: number,
    headers: Record<string, string>,
  ): Promise<request.Response[]> {
    const responses: request.Response[] = [];
    for (let i = 0; i < count; i += 1) {
      const replica = i % 2 === 0 ? first : second;
      responses.push(await request(server(replica)).get(STATS).set(headers));
    }
    return responses;
  }

  it('counts one API key once over both replicas: the request past the limit gets 429 with Retry-After, wherever it lands', async () => {
    const responses = await alternate(7, VIEWER);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // The 6th request went to the second replica, the 7th to the first: both refuse.
    for (const refused of responses.slice(5)) {
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toEqual({
        error: 'too_many_requests',
        message: expect.stringContaining('one API key') as unknown,
        correlationId: expect.any(String) as unknown,
      });
    }
    // The counters are in Redis, under the guard's keys: one per principal and one per address.
    const keys = await rateLimitKeys(redis);
    expect(keys.some((key) => key.startsWith(`${RATE_LIMIT_KEY_PREFIX}{principal:key-`))).toBe(
      true,
    );
    expect(keys.some((key) => key.startsWith(`${RATE_LIMIT_KEY_PREFIX}{ip:ip-`))).toBe(true);
  });

  it('counts one client address once over both replicas, whatever keys it uses', async () => {
    const viewer = await alternate(5, VIEWER);
    expect(viewer.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // The analyst key has its own count of 5, but the address has used 5 of its 8.
    const analyst = await alternate(4, ANALYST);
    expect(analyst.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect((analyst[3]?.body as ErrorBody).message).toContain('one client address');
    expect(Number(analyst[3]?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts callers without a valid key by address, before the key check, over both replicas', async () => {
    const responses = await alternate(6, { 'X-API-Key': 'not-a-key-000000' });
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('never limits health checks, on either replica', async () => {
    await alternate(6, VIEWER);
    for (const replica of [first, second]) {
      await request(server(replica)).get(STATS).set(VIEWER).expect(429);
      await request(server(replica)).get('/health/live').expect(200);
    }
  });
});

describeWithRedis('API rate limits when Redis does not answer (integration)', (endpoint) => {
  let proxy: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    const target = new URL(endpoint.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: endpoint.port });
    app = await boot(through(endpoint.url, proxy.port));
  });

  afterAll(async () => {
    await app.close();
    await proxy.close();
  });

  it('answers 503 rate_limit_unavailable in the error shape while Redis is unreachable, then serves again', async () => {
    await request(server(app)).get(STATS).set(ANALYST).expect(200);

    await proxy.cut();
    for (let i = 0; i < 3; i += 1) {
      const refused = await request(server(app)).get(STATS).set(ANALYST);
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({
        error: 'rate_limit_unavailable',
        message: expect.stringContaining('RATE_LIMIT_REDIS_URL') as unknown,
        correlationId: expect.any(String) as unknown,
      });
    }
    // Liveness does not depend on Redis: the process is fine, its store is not.
    await request(server(app)).get('/health/live').expect(200);

    await proxy.restore();
    await waitFor(
      async () => (await request(server(app)).get(STATS).set(ANALYST)).status === 200,
      'the API to serve again once Redis answers',
      20_000,
    );
  });

  it('refuses to start when Redis does not answer, naming RATE_LIMIT_REDIS_URL and hiding its password', async () => {
    const closed = await freePort();
    const start = boot(`redis://:start-pw-secret@127.0.0.1:${closed}`);
    await expect(start).rejects.toBeInstanceOf(InvalidSettingsError);
    const error = (await start.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('RATE_LIMIT_REDIS_URL');
    expect(error.message).toContain(`127.0.0.1:${closed}`);
    expect(error.message).toContain('does not fall back to counting in memory');
    expect(error.message).not.toContain('start-pw-secret');
  });
});
