import { GraphCounts, MemoryGraphStore } from '@app/graph-store';
import { FixedClock, GraphTimeoutError } from '@app/vocabulary';
import type { GraphVertex } from '@app/vocabulary';
import { CHEAP_READ_MS as CHEAP_COUNT_MS, REUSE_FACTOR } from '../common/shared-reads';
import { GraphStatsService } from './graph-stats.service';

const START = Date.UTC(2026, 11, 6, 12);

function person(uid: string): GraphVertex {
  return {
    label: 'Person',
    uid,
    props: { name: uid, nationality: 'GB', isPep: false, isSanctioned: false },
  };
}

/**
 * The memory store, with counts that take `tookMs` on the test's clock, wait for `gate` when
 * it is set, and fail with `failure` when it is set.
 */
class TimedStore extends MemoryGraphStore {
  countCalls = 0;
  tookMs = 0;
  gate: Promise<void> | undefined;
  failure: Error | undefined;

  constructor(private readonly clock: FixedClock) {
    super();
  }

  override async counts(): Promise<GraphCounts> {
    this.countCalls += 1;
    const counts = await super.counts();
    if (this.gate) await this.gate;
    this.clock.advance(this.tookMs);
    if (this.failure) throw this.failure;
    return counts;
  }
}

function setup(): { clock: FixedClock; store: TimedStore; stats: GraphStatsService } {
  const clock = new FixedClock(START);
  const store = new TimedStore(clock);
  return { clock, store, stats: new GraphStatsService(store, clock) };
}

describe('GraphStatsService (GET /graph/stats)', () => {
  it('counts afresh for every caller while a count is cheap, so a write shows in the next answer', async () => {
    const { store, stats } = setup();
    store.tookMs = CHEAP_COUNT_MS - 1;
    expect((await stats.stats()).vertices.Person).toBe(0);
    await store.upsertVertices([person('person:a')]);
    const second = await stats.stats();
    expect(second.vertices.Person).toBe(1);
    expect(store.countCalls).toBe(2);
  });

  it('says when the count began', async () => {
    const { store, stats } = setup();
    store.tookMs = 5_000;
    const answer = await stats.stats();
    expect(answer.countedAt).toBe(new Date(START).toISOString());
  });

  it(`gives a costly count's answer again until ${REUSE_FACTOR} times its duration has passed, then counts again`, async () => {
    const { clock, store, stats } = setup();
    store.tookMs = 2_000;
    const first = await stats.stats();
    await store.upsertVertices([person('person:a')]);
    clock.advance(REUSE_FACTOR * 2_000 - 1);
    expect(await stats.stats()).toEqual(first);
    expect(store.countCalls).toBe(1);
    clock.advance(1);
    const fresh = await stats.stats();
    expect(store.countCalls).toBe(2);
    expect(fresh.vertices.Person).toBe(1);
    expect(fresh.countedAt).toBe(new Date(START + 2_000 + REUSE_FACTOR * 2_000).toISOString());
  });

  it('lets callers that come while a costly count runs share it: one count for all of them', async () => {
    const { clock, store, stats } = setup();
    store.tookMs = 1_000;
    await stats.stats();
    clock.advance(REUSE_FACTOR * 1_000);
    let open: () => void = () => undefined;
    store.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const callers = Array.from({ length: 8 }, () => stats.stats());
    await Promise.resolve();
    expect(store.countCalls).toBe(2);
    open();
    const answers = await Promise.all(callers);
    expect(store.countCalls).toBe(2);
    expect(new Set(answers.map((answer) => answer.countedAt)).size).toBe(1);
  });

  it('keeps no failed count: its callers get the error, the next caller counts again', async () => {
    const { clock, store, stats } = setup();
    store.tookMs = 1_000;
    await stats.stats();
    clock.advance(REUSE_FACTOR * 1_000);
    store.failure = new GraphTimeoutError('counts: the graph did not answer in time');
    await expect(stats.stats()).rejects.toBeInstanceOf(GraphTimeoutError);
    store.failure = undefined;
    await stats.stats();
    expect(store.countCalls).toBe(3);
  });
});
