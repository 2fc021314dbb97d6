import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { ApiMetrics } from '../../apps/api/src/metrics/api-metrics';
import { sample } from '../support/prometheus-sample';
import { scanToEnd } from './scan-job';

const ANALYST = { 'X-API-Key': 'dev-analyst-key' };

describe('API metrics on /metrics (e2e, embedded store)', () => {
  let app: INestApplication;
  const server = (): Server => app.getHttpServer() as Server;
  const scrape = async (): Promise<string> =>
    (await request(server()).get('/metrics').expect(200)).text;

  beforeAll(async () => {
    const defaults = loadAllSettings({});
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
      .overrideProvider(GraphStore)
      .useValue(new MemoryGraphStore())
      .overrideProvider(appSettings.KEY)
      .useValue({ ...defaults.app, seedOnStart: false })
      .compile();
    const express = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureApi(express, defaults.app);
    await express.init();
    app = express;
  });

  afterAll(async () => {
    await app.close();
  });

  it('counts requests by route pattern and status, not by raw path', async () => {
    const route = '/api/v1/entities/:uid';
    const before = await scrape();
    const count = (text: string, status: string): number => {
      try {
        return sample(text, 'api_http_requests_total', { method: 'GET', route, status });
      } catch {
        return 0;
      }
    };
    await request(server()).get('/api/v1/entities/person:nobody-1').set(ANALYST).expect(404);
    await request(server()).get('/api/v1/entities/person:nobody-2').set(ANALYST).expect(404);
    await request(server()).get('/api/v1/entities/person:nobody-3').expect(401);
    const after = await scrape();
    expect(count(after, '404') - count(before, '404')).toBe(2);
    expect(after).not.toContain('nobody-1');
    expect(
      sample(after, 'api_http_request_duration_seconds_count', { method: 'GET', route }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('counts a path that matches no route under one label', async () => {
    await request(server()).get('/api/v1/no-such-thing-42').set(ANALYST).expect(404);
    const text = await scrape();
    expect(text).not.toContain('no-such-thing-42');
    expect(
      sample(text, 'api_http_requests_total', { route: '(no route)', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts a finished scan job by outcome', async () => {
    const count = (text: string): number => {
      try {
        return sample(text, 'api_scans_total', { outcome: 'succeeded' });
      } catch {
        return 0;
      }
    };
    const before = count(await scrape());
    const scan = await scanToEnd(
      app,
      { 'X-API-Key': 'dev-admin-key' },
      { from: '2024-10-01T00:00:00Z', to: '2024-10-02T00:00:00Z' },
    );
    expect(scan.status).toBe('succeeded');
    expect(count(await scrape()) - before).toBe(1);
  });

  it('exposes scans, alerts raised and imports as the services report them', async () => {
    const metrics = app.get(ApiMetrics);
    metrics.scanFinished('succeeded');
    metrics.alertsRaised('score', 'aml.structuring');
    metrics.alertsRaised('score', 'aml.structuring');
    metrics.alertsRaised('scan', 'aml.fan-in', 3);
    metrics.importFinished('failed', 0);
    metrics.importFinished('succeeded', 120);
    const text = await scrape();
    expect(sample(text, 'api_scans_total', { outcome: 'succeeded' })).toBe(2);
    expect(
      sample(text, 'api_alerts_raised_total', { source: 'score', rule: 'aml.structuring' }),
    ).toBe(2);
    expect(sample(text, 'api_alerts_raised_total', { source: 'scan', rule: 'aml.fan-in' })).toBe(3);
    expect(sample(text, 'api_imports_total', { outcome: 'failed' })).toBe(1);
    expect(sample(text, 'api_imported_records_total')).toBe(120);
  });
});
