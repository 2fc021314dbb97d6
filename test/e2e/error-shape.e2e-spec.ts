import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { bootApi } from './boot-api';

// One error shape everywhere (found by an outside review): routes under /health/ that do not
// exist answered Nest's bare 404 body, and a swapped alert window was answered with nothing.
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };

interface ErrorBody {
  error: string;
  message: string;
  correlationId: string;
  details?: { problems?: { field: string; rule: string }[] };
}

describe('One error shape under /health/ and for a swapped alert window (e2e)', () => {
  let app: INestApplication;
  let http: Server;

  beforeAll(async () => {
    app = await bootApi();
    http = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers an unknown route or method under /health/ in the one error shape', async () => {
    for (const call of [request(http).get('/health/nope'), request(http).post('/health/live')]) {
      const response = await call.expect(404);
      const body = response.body as ErrorBody;
      expect(body.error).toBe('not_found');
      expect(typeof body.message).toBe('string');
      expect(typeof body.correlationId).toBe('string');
    }
  });

  it('keeps the health checks own answer on /health/live', async () => {
    const live = await request(http).get('/health/live').expect(200);
    expect((live.body as { status: string }).status).toBe('ok');
  });

  it('refuses an alert listing whose from is after its to, naming from', async () => {
    const refused = await request(http)
      .get('/api/v1/alerts?from=2025-01-01T00:00:00Z&to=2024-01-01T00:00:00Z')
      .set(ANALYST)
      .expect(400);
    expect((refused.body as ErrorBody).details?.problems).toEqual([
      { field: 'from', rule: 'must not be after to (2024-01-01T00:00:00Z)' },
    ]);
    await request(http)
      .get('/api/v1/alerts?from=2024-01-01T00:00:00Z&to=2024-01-01T00:00:00Z')
      .set(ANALYST)
      .expect(200);
  });
});
