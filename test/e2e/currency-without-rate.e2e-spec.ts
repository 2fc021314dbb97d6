import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { MemoryGraphStore } from '@app/graph-store';
import { Clock, FixedClock, movementEdge } from '@app/vocabulary';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { personalAccount } from './accounts.fixture';
import { bootApi } from './boot-api';
import { scanToEnd } from './scan-job';

// A movement stored in a currency the rate table does not have (written before the table lost
// it, or by a writer that did not check) must not stop every scan over it and every real-time
// decision afterwards (outside review: one CLP movement did both until a restart). The rules
// pass it over, the scan says so, and a movement sent for scoring in such a currency is refused
// with 400 naming its field.
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };
const NOW = Date.UTC(2025, 2, 3, 12);
const MINUTE = 60_000;

const account = (uid: string): AccountVertex => personalAccount(uid, 'fx');

const A = 'account:fx:A';
const B = 'account:fx:B';
const stored = (id: string, currency: string, at: number): Movement => ({
  movementId: `mv:fx:${id}`,
  fromAccount: A,
  toAccount: B,
  amountMinor: 500_000,
  currency,
  timestamp: at,
  channel: 'wire',
});

const scored = (id: string, currency: string): Record<string, unknown> => ({
  movementId: `mv:fx:${id}`,
  fromAccount: A,
  toAccount: B,
  amount: '10.00',
  currency,
  timestamp: new Date(NOW).toISOString(),
  channel: 'wire',
});

describe('A stored movement in a currency without a rate (e2e, embedded store)', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices([account(A), account(B)]);
    await store.upsertEdges(
      [stored('usd-1', 'USD', NOW - 60 * MINUTE), stored('clp-1', 'CLP', NOW - 30 * MINUTE)].map(
        movementEdge,
      ),
    );
    app = await bootApi({
      store,
      override: (builder) => builder.overrideProvider(Clock).useValue(new FixedClock(NOW)),
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('scores other movements as usual, and refuses one in that currency naming the field', async () => {
    const server = app.getHttpServer();
    for (const id of ['usd-2', 'usd-3']) {
      const res = await request(server)
        .post('/api/v1/score/movement')
        .set(ANALYST)
        .send(scored(id, 'USD'));
      expect(res.status).toBe(200);
    }
    const refused = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(scored('clp-2', 'CLP'))
      .expect(400);
    expect(refused.body).toMatchObject({
      error: 'invalid_input',
      details: {
        problems: [{ field: 'currency', rule: expect.stringContaining('rate to USD') as unknown }],
      },
    });
  });

  it('scans the window to the end, passing the movement over and saying so', async () => {
    const finished = (await scanToEnd(app, ADMIN, {
      from: new Date(NOW - 24 * 60 * MINUTE).toISOString(),
      to: new Date(NOW).toISOString(),
    })) as { status: string; report?: Record<string, unknown> };
    expect(finished.status).toBe('succeeded');
    expect(finished.report).toMatchObject({
      movementsScanned: 1,
      movementsNotConverted: 1,
      currenciesWithoutRate: ['CLP'],
    });
  });
});
