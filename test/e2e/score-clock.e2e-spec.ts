import { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import request from 'supertest';
import { MemoryGraphStore } from '@app/graph-store';
import { Clock, FixedClock } from '@app/vocabulary';
import type { AccountVertex } from '@app/vocabulary';
import { personalAccount } from './accounts.fixture';
import { bootApi } from './boot-api';

// Real-time scoring against the server's (injected) clock: an activity dated more than the
// allowed clock skew (5 minutes) ahead is refused with 400 naming the field, so that it cannot
// hold back every later ordinary activity; a past one holds back nothing.
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };

const NOW = Date.UTC(2025, 0, 13, 12);
const MINUTE = 60_000;
const FROM = 'account:clock:A';
const TO = 'account:clock:B';

interface ErrorView {
  error: string;
  message: string;
  details?: { problems?: { field: string; rule: string }[] };
}

const account = (uid: string): AccountVertex => personalAccount(uid, 'clock');

function movement(id: string, timestamp: string | number): Record<string, unknown> {
  return {
    movementId: `mv:clock:${id}`,
    fromAccount: FROM,
    toAccount: TO,
    amount: '10.00',
    currency: 'USD',
    timestamp: typeof timestamp === 'number' ? new Date(timestamp).toISOString() : timestamp,
    channel: 'wire',
  };
}

function event(id: string, timestamp: string | number): Record<string, unknown> {
  return {
    eventId: `event:clock:${id}`,
    accountId: FROM,
    kind: 'login',
    timestamp: typeof timestamp === 'number' ? new Date(timestamp).toISOString() : timestamp,
  };
}

const fieldsOf = (body: unknown): string[] =>
  ((body as ErrorView).details?.problems ?? []).map((p) => p.field);

describe('Real-time scoring and the server clock (e2e, embedded store)', () => {
  const apps: NestExpressApplication[] = [];

  async function boot(): Promise<Server> {
    const store = new MemoryGraphStore();
    await store.upsertVertices([FROM, TO].map(account));
    const app = await bootApi({
      store,
      override: (builder) => builder.overrideProvider(Clock).useValue(new FixedClock(NOW)),
    });
    apps.push(app);
    return app.getHttpServer();
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('refuses a recorded movement dated far ahead with 400 naming timestamp, and keeps scoring ordinary ones', async () => {
    const server = await boot();
    const refused = await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...movement('future', '9999-12-31T00:00:00Z'), record: true })
      .expect(400);
    const error = refused.body as ErrorView;
    expect(error.error).toBe('invalid_input');
    expect(error.message).toContain('5 minutes');
    expect(error.details?.problems).toEqual([
      { field: 'timestamp', rule: expect.stringContaining('5 minutes ahead') as unknown },
    ]);

    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...movement('now', NOW - MINUTE), record: true })
      .expect(200);
    await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(movement('later', NOW))
      .expect(200);
  });

  it('takes a movement up to 5 minutes ahead (clock skew) and refuses one just beyond', async () => {
    const server = await boot();
    await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(movement('skewed', NOW + 5 * MINUTE))
      .expect(200);
    const refused = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(movement('beyond', NOW + 5 * MINUTE + 1))
      .expect(400);
    expect(fieldsOf(refused.body)).toEqual(['timestamp']);
  });

  it('refuses future account events and batch items, naming each item, and records nothing of the batch', async () => {
    const server = await boot();
    const single = await request(server)
      .post('/api/v1/score/event')
      .set(ADMIN)
      .send({ ...event('future', '9999-12-31T00:00:00Z'), record: true })
      .expect(400);
    expect(fieldsOf(single.body)).toEqual(['timestamp']);

    const batch = await request(server)
      .post('/api/v1/score/events')
      .set(ADMIN)
      .send({
        events: [event('ok', NOW - MINUTE), event('future', '9999-12-31T00:00:00Z')],
        record: true,
      })
      .expect(400);
    expect(fieldsOf(batch.body)).toEqual(['events.1.timestamp']);

    const movements = await request(server)
      .post('/api/v1/score/movements')
      .set(ADMIN)
      .send({
        movements: [movement('ok', NOW - MINUTE), movement('future', NOW + 60 * MINUTE)],
        record: true,
      })
      .expect(400);
    expect(fieldsOf(movements.body)).toEqual(['movements.1.timestamp']);

    // Nothing of the refused batches was fed: an activity before them is still in order.
    await request(server)
      .post('/api/v1/score/event')
      .set(ADMIN)
      .send({ ...event('first', NOW - 2 * MINUTE), record: true })
      .expect(200);
  });

  it('refuses a timestamp the server cannot read with 400 naming the field', async () => {
    const server = await boot();
    const res = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(movement('week', '2025-W01'))
      .expect(400);
    expect(fieldsOf(res.body)).toEqual(['timestamp']);
  });

  it('answers a past movement with 409 naming timestamp in details.problems, and holds back nothing after it', async () => {
    const server = await boot();
    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...movement('recent', NOW - MINUTE), record: true })
      .expect(200);
    const conflict = await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...movement('old', '1971-01-01T00:00:00Z'), record: true })
      .expect(409);
    const error = conflict.body as ErrorView;
    expect(error.error).toBe('conflict');
    expect(error.details?.problems).toEqual([
      { field: 'timestamp', rule: expect.stringContaining('mv:clock:recent') as unknown },
    ]);
    await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(movement('next', NOW))
      .expect(200);
  });

  it('records a far-past movement as the first activity without holding back the present', async () => {
    const server = await boot();
    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...movement('ancient', '1971-01-01T00:00:00Z'), record: true })
      .expect(200);
    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...movement('present', NOW), record: true })
      .expect(200);
  });
});
