import { ConflictError, FixedClock, GraphUnavailableError } from '@app/vocabulary';
import type { GraphVertex } from '@app/vocabulary';
import type { UpsertResult } from './graph-store.port';
import { describeOutageWait, outageWaitingWriter, waitOutOutage } from './outage-wait';
import type { OutageWait } from './outage-wait';

const DOWN = 'JanusGraph is not reachable at ws://127.0.0.1:1/gremlin (ECONNREFUSED)';
/** Real pauses, kept tiny; the wait is measured on the test's clock. */
const FAST = { initialDelayMs: 1, maxDelayMs: 2 };

/** A write that fails `failures` times as unavailable, each failure 10 s later on `clock`. */
function flakyWrite(clock: FixedClock, failures: number) {
  let calls = 0;
  const write = (): Promise<string> => {
    calls += 1;
    if (calls <= failures) {
      clock.advance(10_000);
      return Promise.reject(new GraphUnavailableError(`${DOWN} (try ${calls})`));
    }
    return Promise.resolve('stored');
  };
  return { write, calls: () => calls };
}

describe('waitOutOutage', () => {
  it('tries a write again while the store is unavailable and returns its result once it answers, telling each pause', async () => {
    const clock = new FixedClock(0);
    const { write, calls } = flakyWrite(clock, 2);
    const waits: OutageWait[] = [];
    const result = await waitOutOutage(write, {
      waitMs: 60_000,
      ...FAST,
      clock,
      onWait: (wait) => waits.push(wait),
    });
    expect(result).toBe('stored');
    expect(calls()).toBe(3);
    expect(waits.map((w) => [w.waitedMs, w.error.message])).toEqual([
      [0, `${DOWN} (try 1)`],
      [10_000, `${DOWN} (try 2)`],
    ]);
  });

  it('stops once the store stayed unavailable for the whole wait, saying how long and that the load can be run again', async () => {
    const clock = new FixedClock(0);
    const { write, calls } = flakyWrite(clock, 100);
    const failure = await waitOutOutage(write, { waitMs: 30_000, ...FAST, clock }).catch(
      (error: unknown) => error,
    );
    // Failures at 0 (first), then after 10, 20 and 30 s of waiting: the last one ends it.
    expect(calls()).toBe(4);
    expect(failure).toBeInstanceOf(GraphUnavailableError);
    const error = failure as GraphUnavailableError;
    expect(error.message).toBe(
      `The graph store did not answer for 30 s (the outage wait allows 30 s), so the load stopped. What it wrote stays, and loading the same data again completes it (writes are idempotent). Last error: ${DOWN} (try 4)`,
    );
    expect(error.cause).toBeInstanceOf(GraphUnavailableError);
  });

  it('fails at once on any other error (a refused batch is not an outage)', async () => {
    let calls = 0;
    const refused = new ConflictError('uid person:1 is stored under another label');
    const failure = await waitOutOutage(
      () => {
        calls += 1;
        return Promise.reject(refused);
      },
      { waitMs: 60_000, ...FAST, clock: new FixedClock(0) },
    ).catch((error: unknown) => error);
    expect(failure).toBe(refused);
    expect(calls).toBe(1);
  });

  it('with a wait of 0 fails at the first unavailable answer, with the store error unchanged', async () => {
    const clock = new FixedClock(0);
    const { write, calls } = flakyWrite(clock, 1);
    const failure = await waitOutOutage(write, { waitMs: 0, ...FAST, clock }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).message).toBe(`${DOWN} (try 1)`);
    expect(calls()).toBe(1);
  });
});

describe('outageWaitingWriter', () => {
  it('sends vertex and edge writes through the wait, with the batches unchanged', async () => {
    const clock = new FixedClock(0);
    const seen: string[] = [];
    let vertexFailures = 1;
    const stored: UpsertResult = { created: 1, updated: 0, unchanged: 0 };
    const writer = outageWaitingWriter(
      {
        upsertVertices: (batch) => {
          seen.push(`vertices ${batch.map((v) => v.uid).join()}`);
          if (vertexFailures-- > 0) return Promise.reject(new GraphUnavailableError(DOWN));
          return Promise.resolve(stored);
        },
        upsertEdges: (batch) => {
          seen.push(`edges ${batch.length}`);
          return Promise.resolve(stored);
        },
      },
      { waitMs: 60_000, ...FAST, clock },
    );
    const person: GraphVertex = {
      label: 'Person',
      uid: 'person:t:1',
      props: { name: 'A', isPep: false, isSanctioned: false },
    };
    await expect(writer.upsertVertices([person])).resolves.toEqual(stored);
    await expect(writer.upsertEdges([])).resolves.toEqual(stored);
    expect(seen).toEqual(['vertices person:t:1', 'vertices person:t:1', 'edges 0']);
  });
});

describe('describeOutageWait', () => {
  it('says what the store answered, when the next try comes and how much of the wait is used', () => {
    expect(
      describeOutageWait(
        { error: new GraphUnavailableError(DOWN), waitedMs: 12_345, retryInMs: 2_000 },
        120_000,
      ),
    ).toBe(
      `The graph store does not answer (${DOWN}). The load waits for it and tries the same batch again in 2 s (waited 12.3 s of up to 120 s, GRAPH_OUTAGE_WAIT_MS).`,
    );
  });
});
