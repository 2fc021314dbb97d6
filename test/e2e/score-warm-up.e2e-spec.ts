import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { MemoryGraphStore } from '@app/graph-store';
import { Clock, FixedClock, movementEdge } from '@app/vocabulary';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { personalAccount } from './accounts.fixture';
import { bootApi } from './boot-api';

// The real-time engine reads the stored history on its first use (the warm-up). On a large
// store that takes seconds or more; the rest of the API must be served meanwhile, and a
// shutdown must not wait for it (outside load review: a warm-up that never let the event loop
// turn held /health/live for 20 s on the medium bank and ignored SIGTERM for 18 minutes).
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const NOW = Date.UTC(2025, 0, 13, 12);
const MINUTE = 60_000;
const ACCOUNTS = 40;
const STORED = 8_000;

const uid = (i: number): string => `account:warm:${String(i).padStart(2, '0')}`;

const account = (i: number): AccountVertex => personalAccount(uid(i), 'warm');

/** Movements among the accounts over the 10 days before NOW, oldest first. */
function history(): Movement[] {
  return Array.from({ length: STORED }, (_, n) => ({
    movementId: `mv:warm:${String(n).padStart(5, '0')}`,
    fromAccount: uid(n % ACCOUNTS),
    toAccount: uid(
      (n * 7 + 1) % ACCOUNTS === n % ACCOUNTS ? (n + 1) % ACCOUNTS : (n * 7 + 1) % ACCOUNTS,
    ),
    amountMinor: 10_000 + (n % 89) * 137,
    currency: 'USD',
    timestamp: NOW - 10 * 24 * 60 * MINUTE + n * MINUTE,
    channel: 'wire',
  }));
}

describe('Real-time scoring warm-up on a large store (e2e, embedded store)', () => {
  let app: NestExpressApplication | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it('serves /health/live while the engine reads the stored history, and a shutdown stops that read with 503', async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices(Array.from({ length: ACCOUNTS }, (_, i) => account(i)));
    await store.upsertEdges(history().map(movementEdge));
    app = await bootApi({
      store,
      override: (builder) => builder.overrideProvider(Clock).useValue(new FixedClock(NOW)),
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;

    let answered = false;
    const scoring = request(base)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send({
        movementId: 'mv:warm:scored',
        fromAccount: uid(1),
        toAccount: uid(2),
        amount: '10.00',
        currency: 'USD',
        timestamp: new Date(NOW).toISOString(),
        channel: 'wire',
      })
      .then((response) => {
        answered = true;
        return response;
      });

    // Health checks answered while the first scoring is still running: the warm-up turns the
    // event loop. (Without that, at most the first one, sent before the warm-up began, answers.)
    let healthWhileWarming = 0;
    while (!answered && healthWhileWarming < 5) {
      await request(base).get('/health/live').expect(200);
      if (!answered) healthWhileWarming += 1;
    }
    expect(answered).toBe(false);
    expect(healthWhileWarming).toBe(5);

    // A shutdown now stops the warm-up at its next turn instead of waiting for it.
    const closing = app.close();
    const response = await scoring;
    await closing;
    app = undefined;
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      error: 'stream_unavailable',
      message: expect.stringContaining('shutting down') as unknown,
    });
  }, 120_000);
});
