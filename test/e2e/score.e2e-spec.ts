import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { ALL_DETECTORS, DetectorRegistry, StoreBatchDetection } from '@app/detectors';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import { formatMinorUnits, movementEdge } from '@app/vocabulary';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { personalAccount } from './accounts.fixture';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

// Real-time scoring over HTTP on the embedded store: the same alerts as the batch scan, no trace
// of a movement scored without record, clear 400/403/409 answers.
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const ADMIN = { 'X-API-Key': 'dev-admin-key' };

const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;
const RECEIVER = 'account:e2e:R';
const SENDERS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'].map((p) => `account:e2e:${p}`);

interface AlertView {
  alertId: string;
  ruleId: string;
  explanation: string;
  score: number;
  severity: string;
  movementIds: string[];
  movementCount?: number;
}

interface ScoreView {
  id: string;
  decision: 'alert' | 'pass';
  evaluatedRules: number;
  recorded: boolean;
  alerts: AlertView[];
}

interface ErrorView {
  error: string;
  message: string;
  details?: { problems?: { field: string; rule: string }[] };
}

const account = (uid: string): AccountVertex => personalAccount(uid, 'e2e');

/** Six accounts paying one account in an afternoon: a fan-in pattern. */
const FAN_IN: Movement[] = SENDERS.map((from, i) => ({
  movementId: `mv:e2e:${i}`,
  fromAccount: from,
  toAccount: RECEIVER,
  amountMinor: 2_000_00 + i * 100,
  currency: 'USD',
  timestamp: T0 + i * HOUR,
  channel: 'wire',
}));

/** The movement as the endpoint takes it (amount as decimal text in major units). */
function body(m: Movement): Record<string, unknown> {
  return {
    movementId: m.movementId,
    fromAccount: m.fromAccount,
    toAccount: m.toAccount,
    amount: formatMinorUnits(m.amountMinor, m.currency).split(' ')[0],
    currency: m.currency,
    timestamp: new Date(m.timestamp).toISOString(),
    channel: m.channel,
  };
}

async function bankWith(movements: readonly Movement[]): Promise<MemoryGraphStore> {
  const store = new MemoryGraphStore();
  await store.upsertVertices([RECEIVER, ...SENDERS].map(account));
  if (movements.length > 0) await store.upsertEdges(movements.map(movementEdge));
  return store;
}

/** What the batch scan behind POST /api/v1/alerts/scan raises on these movements. */
async function batchAlerts(movements: readonly Movement[]): Promise<AlertView[]> {
  const store = await bankWith(movements);
  const registry = new DetectorRegistry(ALL_DETECTORS, loadAllSettings({}).detectors);
  const result = await new StoreBatchDetection(store).scan(registry.instantiate(), {
    from: Date.UTC(2025, 0, 1),
    to: Date.UTC(2025, 1, 1),
    now: Date.UTC(2025, 1, 1),
  });
  return result.alerts.map((a) => ({
    alertId: a.alertId,
    ruleId: a.ruleId,
    explanation: a.explanation,
    score: a.score,
    severity: a.severity,
    movementIds: a.movements.map((m) => m.movementId),
  }));
}

const essentials = (alerts: readonly AlertView[]) =>
  alerts
    .map(({ alertId, ruleId, explanation, score, severity, movementIds }) => ({
      alertId,
      ruleId,
      explanation,
      score,
      severity,
      movementIds,
    }))
    .sort((a, b) => (a.alertId < b.alertId ? -1 : 1));

/** The latest version of every alert raised along a sequence of answers. */
function latest(results: readonly ScoreView[]): AlertView[] {
  const byId = new Map<string, AlertView>();
  for (const result of results) for (const alert of result.alerts) byId.set(alert.alertId, alert);
  return [...byId.values()];
}

describe('Real-time scoring (e2e, embedded store)', () => {
  const apps: INestApplication[] = [];

  async function boot(store: GraphStore): Promise<Server> {
    const defaults = loadAllSettings({});
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
      .overrideProvider(GraphStore)
      .useValue(store)
      .overrideProvider(appSettings.KEY)
      .useValue({ ...defaults.app, seedOnStart: false })
      .compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureApi(app, defaults.app);
    await app.init();
    apps.push(app);
    return app.getHttpServer();
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('recorded movement by movement, a fan-in raises the alert the batch scan raises, saved in the store', async () => {
    const store = await bankWith([]);
    const server = await boot(store);
    const answers: ScoreView[] = [];
    for (const m of FAN_IN) {
      const res = await request(server)
        .post('/api/v1/score/movement')
        .set(ADMIN)
        .send({ ...body(m), record: true })
        .expect(200);
      answers.push(res.body as ScoreView);
    }
    expect(answers[0]).toMatchObject({ id: 'mv:e2e:0', decision: 'pass', recorded: true });
    expect(answers[0].evaluatedRules).toBeGreaterThan(10);
    const expected = await batchAlerts(FAN_IN);
    expect(expected.map((a) => a.ruleId)).toContain('aml.fan-in');
    expect(essentials(latest(answers))).toEqual(essentials(expected));
    expect(answers.some((a) => a.decision === 'alert')).toBe(true);

    const counts = await store.counts();
    expect(counts.edges.TRANSFERRED).toBe(FAN_IN.length);
    expect(counts.vertices.Alert).toBe(expected.length);
  });

  it('refuses to record a movementId that is booked with other values (409), leaving the booked movement as it was', async () => {
    const store = await bankWith([]);
    const server = await boot(store);
    const [first, second] = FAN_IN;
    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...body(first), record: true })
      .expect(200);
    // The same id, a later time (so not refused for its order) and another amount.
    const rewritten = {
      ...first,
      amountMinor: first.amountMinor * 100,
      timestamp: second.timestamp,
    };
    const res = await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...body(rewritten), record: true })
      .expect(409);
    expect(res.body).toMatchObject({
      error: 'conflict',
      details: {
        problems: [
          {
            field: 'movementId',
            rule: `names a movement stored already with other values (${first.movementId}); a booked movement is not changed: send a correction under a movementId of its own`,
          },
        ],
      },
    });
    expect((await store.getEdge(first.movementId))?.props).toMatchObject({
      amountMinor: first.amountMinor,
      timestamp: first.timestamp,
    });
    // Under its own id the same payment is recorded.
    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...body({ ...rewritten, movementId: 'mv:e2e:correction' }), record: true })
      .expect(200);
  });

  it('refuses to record an id not written as a bank import stores it (400), recording nothing, and scores it without record', async () => {
    const store = await bankWith([]);
    const server = await boot(store);
    const [first, second] = FAN_IN;
    const res = await request(server)
      .post('/api/v1/score/movements')
      .set(ADMIN)
      .send({
        movements: [body(first), body({ ...second, movementId: 'M-2' })],
        record: true,
      })
      .expect(400);
    expect((res.body as { details: { problems: unknown[] } }).details.problems).toEqual([
      {
        field: 'movements.1.movementId',
        rule: expect.stringContaining('must be written mv:<bankId>:<id> to be recorded') as string,
      },
    ]);
    expect((await store.counts()).edges.TRANSFERRED ?? 0).toBe(0);
    const event = await request(server)
      .post('/api/v1/score/event')
      .set(ADMIN)
      .send({
        eventId: 'login-1',
        accountId: first.fromAccount,
        kind: 'login',
        timestamp: new Date(first.timestamp).toISOString(),
        record: true,
      })
      .expect(400);
    expect((event.body as { details: { problems: unknown[] } }).details.problems).toEqual([
      {
        field: 'eventId',
        rule: expect.stringContaining('must be written event:<bankId>:<id>') as string,
      },
    ]);
    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send(body({ ...second, movementId: 'M-2' }))
      .expect(200);
  });

  it('without record, the answer matches the batch scan and leaves the store and later answers unchanged', async () => {
    const history = FAN_IN.slice(0, 5);
    const store = await bankWith(history);
    const server = await boot(store);
    const before = await store.counts();
    const last = FAN_IN[5];

    const first = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(body(last))
      .expect(200);
    const scored = first.body as ScoreView;
    expect(scored).toMatchObject({ id: last.movementId, decision: 'alert', recorded: false });
    // What the batch scan finds on the stored history plus this movement, raised by this one.
    const withLast = await batchAlerts(FAN_IN);
    const withoutLast = await batchAlerts(history);
    const raisedByLast = withLast.filter(
      (a) => !withoutLast.some((b) => b.alertId === a.alertId && b.explanation === a.explanation),
    );
    expect(essentials(scored.alerts)).toEqual(essentials(raisedByLast));

    // Nothing was written, and the same request gets the same answer (no trace in the windows).
    expect(await store.counts()).toEqual(before);
    const again = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(body(last))
      .expect(200);
    expect(again.body).toEqual(first.body);

    // A different later movement is scored as if the unrecorded one had never happened.
    const other: Movement = { ...last, movementId: 'mv:e2e:other', timestamp: last.timestamp + 1 };
    const otherAnswer = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(body(other))
      .expect(200);
    const batchOther = await batchAlerts([...history, other]);
    const raisedByOther = batchOther.filter(
      (a) => !withoutLast.some((b) => b.alertId === a.alertId && b.explanation === a.explanation),
    );
    expect(essentials((otherAnswer.body as ScoreView).alerts)).toEqual(essentials(raisedByOther));
  });

  it('parallel requests are served one at a time through the engine and agree', async () => {
    const server = await boot(await bankWith(FAN_IN.slice(0, 5)));
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(server).post('/api/v1/score/movement').set(ANALYST).send(body(FAN_IN[5])),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 200));
    for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
  });

  it('the batch form answers per item, in order, each item seeing the ones before it', async () => {
    const server = await boot(await bankWith([]));
    const res = await request(server)
      .post('/api/v1/score/movements')
      .set(ANALYST)
      .send({ movements: FAN_IN.map(body) })
      .expect(200);
    const { results } = res.body as { results: ScoreView[] };
    expect(results.map((r) => r.id)).toEqual(FAN_IN.map((m) => m.movementId));
    expect(results[0].decision).toBe('pass');
    expect(essentials(latest(results))).toEqual(essentials(await batchAlerts(FAN_IN)));
    // Not recorded: a second identical batch gets the identical answer.
    const again = await request(server)
      .post('/api/v1/score/movements')
      .set(ANALYST)
      .send({ movements: FAN_IN.map(body) })
      .expect(200);
    expect(again.body).toEqual(res.body);
  });

  it('refuses a movement older than what the engine has read with 409', async () => {
    const server = await boot(await bankWith([]));
    await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send({ ...body(FAN_IN[1]), record: true })
      .expect(200);
    const res = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send(body(FAN_IN[0]))
      .expect(409);
    const error = res.body as ErrorView;
    expect(error.error).toBe('conflict');
    expect(error.message).toContain('mv:e2e:1');
    expect(error.message).toContain('/api/v1/alerts/scan');
  });

  it('answers a retried recording (same movement, same values) with 409 saying it was recorded already', async () => {
    const store = await bankWith([]);
    const server = await boot(store);
    const sent = { ...body(FAN_IN[0]), record: true };
    await request(server).post('/api/v1/score/movement').set(ADMIN).send(sent).expect(200);
    const retried = await request(server)
      .post('/api/v1/score/movement')
      .set(ADMIN)
      .send(sent)
      .expect(409);
    expect(retried.body).toMatchObject({
      error: 'conflict',
      message: expect.stringContaining('recorded already with these same values') as unknown,
      details: { problems: [{ field: 'movementId' }] },
    });
    expect((await store.counts()).edges.TRANSFERRED).toBe(1);
  });

  it('answers bad bodies with 400 naming the field and the rule, and record: true for analysts with 403', async () => {
    const server = await boot(await bankWith([]));
    const problems = async (payload: object, path = 'movement'): Promise<string[]> => {
      const res = await request(server)
        .post(`/api/v1/score/${path}`)
        .set(ANALYST)
        .send(payload)
        .expect(400);
      return ((res.body as ErrorView).details?.problems ?? []).map((p) => p.field);
    };
    const good = body(FAN_IN[0]);
    const { amount: _amount, ...noAmount } = good;
    expect(await problems(noAmount)).toContain('amount');
    expect(await problems({ ...good, amountMinor: 100 })).toContain('amountMinor');
    expect(await problems({ ...good, amount: '12.345' })).toEqual(['amount']);
    expect(await problems({ ...good, amount: '0.00' })).toEqual(['amount']);
    // Long forms are read exactly: trailing zeros are fine, a significant digit too many or an
    // amount beyond the largest exact one is named as such.
    const rules = async (payload: object): Promise<string[]> => {
      const res = await request(server).post('/api/v1/score/movement').set(ANALYST).send(payload);
      return ((res.body as ErrorView).details?.problems ?? []).map((p) => p.rule);
    };
    await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send({ ...good, amount: '10.000000000000000000' })
      .expect(200);
    expect(await rules({ ...good, amount: '10.0000000000000000001' })).toEqual([
      '"10.0000000000000000001" has more than 2 decimals for USD',
    ]);
    expect(await rules({ ...good, amount: '99999999999999999999999.00' })).toEqual([
      '"99999999999999999999999.00" is too large: at most 90071992547409.91 USD',
    ]);
    expect(await problems({ ...good, currency: 'usd' })).toEqual(['currency']);
    expect(await problems({ ...good, timestamp: 'yesterday' })).toEqual(['timestamp']);
    expect(await problems({ ...good, channel: 'pigeon' })).toEqual(['channel']);
    // What a stored movement may not hold, refused with or without record.
    expect(await problems({ ...good, currency: 'ZZZ' })).toEqual(['currency']);
    expect(await problems({ ...good, timestamp: '2025-01-06T10:15:00' })).toEqual(['timestamp']);
    expect(await problems({ ...good, latitude: 40.7 })).toEqual(['longitude']);
    expect(await rules({ ...good, latitude: 'NaN', longitude: 1 })).toEqual([
      'must be a JSON number in degrees, such as 40.7128 (not text)',
    ]);
    expect(await problems({ ...good, reference: 'pay\u202Etxt' })).toEqual(['reference']);
    expect(await problems({ ...good, receivedCurrency: 'EUR' })).toEqual(['receivedAmount']);
    expect(await problems({ ...good, toAccount: 'account:e2e:nobody' })).toEqual(['toAccount']);
    expect(
      await problems({ movements: [good, { ...body(FAN_IN[1]), currency: 'EURO' }] }, 'movements'),
    ).toEqual(['movements.1.currency']);
    expect(
      await problems(
        { movements: [good, { ...body(FAN_IN[1]), movementId: good.movementId }] },
        'movements',
      ),
    ).toEqual(['movements.1.movementId']);
    expect(await problems({ movements: [body(FAN_IN[1]), body(FAN_IN[0])] }, 'movements')).toEqual([
      'movements.1.timestamp',
    ]);
    expect(
      await problems(
        {
          eventId: 'event:e2e:1',
          accountId: FAN_IN[0].toAccount,
          kind: 'login',
          timestamp: good.timestamp,
          latitude: 48.85,
        },
        'event',
      ),
    ).toEqual(['longitude']);
    expect(await problems({ ...good, kind: 'login' }, 'event')).toEqual(
      expect.arrayContaining(['eventId', 'accountId']),
    );

    const forbidden = await request(server)
      .post('/api/v1/score/movement')
      .set(ANALYST)
      .send({ ...good, record: true })
      .expect(403);
    expect((forbidden.body as ErrorView).message).toContain('admin');
    await request(server).post('/api/v1/score/movement').send(good).expect(401);
  });

  it('scores and records an account event', async () => {
    const store = await bankWith([]);
    const server = await boot(store);
    const res = await request(server)
      .post('/api/v1/score/event')
      .set(ADMIN)
      .send({
        eventId: 'event:e2e:login-1',
        accountId: RECEIVER,
        kind: 'login',
        timestamp: new Date(T0).toISOString(),
        country: 'US',
        record: true,
      })
      .expect(200);
    expect(res.body).toMatchObject({ id: 'event:e2e:login-1', decision: 'pass', recorded: true });
    const events = await store.getAccountEvents({ accountIds: [RECEIVER], from: 0, to: T0 + 1 });
    expect(events.map((e) => e.event.uid)).toEqual(['event:e2e:login-1']);
  });

  it('lists at most the latest 50 evidence ids per alert, with the full count, so a batch answer grows with the batch', async () => {
    const store = await bankWith([]);
    const server = await boot(store);
    // One account paying 120 times in 10 hours: velocity fires at the 100th and grows after.
    const burst: Movement[] = Array.from({ length: 120 }, (_, i) => ({
      movementId: `mv:e2e:v${String(i).padStart(3, '0')}`,
      fromAccount: RECEIVER,
      toAccount: SENDERS[i % SENDERS.length],
      amountMinor: 90_00,
      currency: 'USD',
      timestamp: T0 + i * 5 * 60_000,
      channel: 'ach',
    }));
    const res = await request(server)
      .post('/api/v1/score/movements')
      .set(ANALYST)
      .send({ movements: burst.map(body) })
      .expect(200);
    const { results } = res.body as { results: ScoreView[] };
    const velocity = results[119].alerts.find((a) => a.ruleId === 'aml.velocity');
    expect(velocity?.movementCount).toBe(120);
    expect(velocity?.movementIds).toEqual(burst.slice(70).map((m) => m.movementId));
    const first = results[99].alerts.find((a) => a.ruleId === 'aml.velocity');
    expect(first?.movementCount).toBe(100);
    expect(first?.movementIds).toHaveLength(50);
    expect(results.every((r) => r.alerts.every((a) => a.movementIds.length <= 50))).toBe(true);
  });
});
