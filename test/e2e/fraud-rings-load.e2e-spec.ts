import { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import request from 'supertest';
import type { Response } from 'supertest';
import { DetectorRegistry, FraudRingService, fraudRingDetector } from '@app/detectors';
import type { RingQuery } from '@app/detectors';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import type { AccountHolders, SharedIdentifier, SharedIdentifierQuery } from '@app/graph-store';
import { DetectorsSettings, loadSettings } from '@app/settings';
import { ids } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import {
  MAX_RUNNING_RING_SEARCHES,
  MAX_WAITING_RING_SEARCHES,
} from '../../apps/api/src/fraud/shared-rings.service';
import { bootApi } from './boot-api';

// GET /fraud/rings under load: a bounded number of searches run and wait at once, the rest are
// refused at once with 503 and Retry-After; a search lets other requests through between its
// phases; hubCap has an upper bound.
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const ACCOUNTS = ['account:load:A', 'account:load:B', 'account:load:C'];
const IDENTIFIERS = ['device:load:1', 'phone:load:1'];

interface ErrorView {
  error: string;
  message: string;
  details?: { problems?: { field: string; rule: string }[] };
}

/** Three accounts of three customers sharing a device and a phone: one ring. */
const VERTICES: GraphVertex[] = [
  ...ACCOUNTS.map((uid): GraphVertex => ({
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'load',
      country: 'US',
    },
  })),
  { label: 'Identifier', uid: IDENTIFIERS[0], props: { kind: 'device', value: '1' } },
  { label: 'Identifier', uid: IDENTIFIERS[1], props: { kind: 'phone', value: '1' } },
];
const EDGES: GraphEdge[] = ACCOUNTS.flatMap((account) =>
  IDENTIFIERS.map((identifier): GraphEdge => ({
    label: 'USES',
    eid: ids.structural('USES', account, identifier),
    from: account,
    to: identifier,
    props: { firstSeen: Date.UTC(2024, 0, 1), lastSeen: Date.UTC(2024, 6, 1) },
  })),
);

/** The memory store, noting each read a ring search makes in `marks`. */
class RecordingStore extends MemoryGraphStore {
  readonly marks: string[] = [];

  override findSharedIdentifiers(query: SharedIdentifierQuery): Promise<SharedIdentifier[]> {
    this.marks.push('read');
    return super.findSharedIdentifiers(query);
  }

  override getHolders(accountIds: readonly string[]): Promise<AccountHolders[]> {
    this.marks.push('read');
    return super.getHolders(accountIds);
  }
}

/** Ring searches that wait until the test lets them go; `crowded` fires if too many run. */
class HeldRings extends FraudRingService {
  running = 0;
  started = 0;
  crowded: () => void = () => undefined;
  private readonly held: (() => void)[] = [];

  constructor(store: GraphStore) {
    super(store, new DetectorRegistry([fraudRingDetector], loadSettings(DetectorsSettings, {})));
  }

  override async findRings(query: RingQuery = {}): ReturnType<FraudRingService['findRings']> {
    this.running += 1;
    this.started += 1;
    if (this.running > MAX_RUNNING_RING_SEARCHES) this.crowded();
    await new Promise<void>((resolve) => this.held.push(resolve));
    this.running -= 1;
    return super.findRings(query);
  }

  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

describe('Fraud ring searches under load (e2e, embedded store)', () => {
  const apps: NestExpressApplication[] = [];

  async function boot(store: MemoryGraphStore, rings?: FraudRingService): Promise<Server> {
    await store.upsertVertices(VERTICES);
    await store.upsertEdges(EDGES);
    const app = await bootApi({
      store,
      override: (builder) =>
        rings ? builder.overrideProvider(FraudRingService).useValue(rings) : builder,
    });
    apps.push(app);
    return app.getHttpServer();
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('refuses searches beyond those running and waiting with 503 ring_search_busy and Retry-After, and answers the others', async () => {
    const store = new MemoryGraphStore();
    const rings = new HeldRings(store);
    const server = await boot(store, rings);
    const capacity = MAX_RUNNING_RING_SEARCHES + MAX_WAITING_RING_SEARCHES;
    const extra = 4;
    const refused: Response[] = [];
    let allRefused: () => void = () => undefined;
    const outcome = new Promise<'refused' | 'crowded'>((resolve) => {
      allRefused = () => resolve('refused');
      rings.crowded = () => resolve('crowded');
    });
    // Distinct questions (hubCap differs), as in the report: none shares another's search.
    const answers = Array.from({ length: capacity + extra }, (_, i) =>
      request(server)
        .get(`/api/v1/fraud/rings?hubCap=${10 + i}&minMembers=2`)
        .set(ANALYST)
        .then((res) => {
          if (res.status === 503) refused.push(res);
          if (refused.length === extra) allRefused();
          return res;
        }),
    );
    try {
      // Refusals come at once; the accepted searches answer only once released.
      expect(await outcome).toBe('refused');
      expect(rings.running).toBeLessThanOrEqual(MAX_RUNNING_RING_SEARCHES);
      for (const res of refused) {
        const body = res.body as ErrorView;
        expect(body.error).toBe('ring_search_busy');
        expect(body.message).toContain('Try again in');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      while (rings.started < capacity || rings.running > 0) {
        rings.release();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const statuses = (await Promise.all(answers)).map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(capacity);
    expect(statuses.filter((s) => s === 503)).toHaveLength(extra);
  });

  it('lets other requests through between the phases of a search', async () => {
    const store = new RecordingStore();
    const server = await boot(store);
    // A ticker stands for the other requests: it runs once per turn of the event loop.
    let ticking = true;
    const tick = (): void => {
      store.marks.push('tick');
      if (ticking) setImmediate(tick);
    };
    store.marks.length = 0;
    setImmediate(tick);
    const res = await request(server).get('/api/v1/fraud/rings?minMembers=2').set(ANALYST);
    ticking = false;
    expect(res.status).toBe(200);
    expect((res.body as { total: number }).total).toBe(1);
    const reads = store.marks.filter((mark) => mark === 'read').length;
    expect(reads).toBeGreaterThanOrEqual(2);
    const adjacent = store.marks.filter(
      (mark, i) => mark === 'read' && store.marks[i - 1] === 'read',
    );
    expect(adjacent).toEqual([]);
  });

  it('bounds hubCap at 1000 and names the parameter and the reason', async () => {
    const server = await boot(new MemoryGraphStore());
    const res = await request(server)
      .get('/api/v1/fraud/rings?hubCap=90000&minShared=1&minMembers=2')
      .set(ANALYST)
      .expect(400);
    const body = res.body as ErrorView;
    expect(body.details?.problems?.map((p) => p.field)).toEqual(['hubCap']);
    expect(body.message).toContain('1000');
    await request(server)
      .get('/api/v1/fraud/rings?hubCap=1000&minShared=1&minMembers=2')
      .set(ANALYST)
      .expect(200);
    // An empty list of kinds would search nothing and answer "no rings".
    const empty = await request(server).get('/api/v1/fraud/rings?kinds=').set(ANALYST).expect(400);
    expect((empty.body as ErrorView).details?.problems?.map((p) => p.field)).toEqual(['kinds']);
  });
});
