import { MemoryBroker } from '@app/streaming';
import type { ReceivedMessage } from '@app/streaming';
import { GraphUnavailableError } from '@app/vocabulary';
import { RecordingLogger } from './ingest.fixtures';
import type { PreparedBatch } from './ingest.processor';
import { NoIngestMetrics } from './ingest.metrics';
import { emptyCounters } from './message-settler';
import { OutageGate } from './store-outage';
import { TopicPipeline, TopicPipelineOptions, TopicPipelineSteps } from './topic-pipeline';

/** A gate the test opens by hand. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Real messages from the memory broker, held (not settled) by the handler. */
async function messages(count: number): Promise<ReceivedMessage[]> {
  const broker = new MemoryBroker();
  const received: ReceivedMessage[] = [];
  await broker.subscribe('t', 's', (m) => void received.push(m), {
    deadLetterTopic: 'dlq',
    maxRedeliverCount: 1,
    nackRedeliveryDelayMs: 1,
  });
  await broker.publish(
    't',
    Array.from({ length: count }, (_, i) => ({ payload: `m${i}`, key: `k${i}` })),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return received;
}

const text = (m: ReceivedMessage): string => m.payload.toString();

function prepared(batch: readonly ReceivedMessage[]): PreparedBatch {
  return {
    settlements: batch.map((message) => ({
      message,
      outcome: { kind: 'written' },
      endNoun: 'vertex',
    })),
    activities: [],
    sources: new Map(),
  };
}

function pipeline(
  steps: Omit<TopicPipelineSteps, 'topic' | 'kind'>,
  outageGate?: OutageGate,
  options?: TopicPipelineOptions,
) {
  const counters = emptyCounters();
  const logger = new RecordingLogger();
  const pipe = new TopicPipeline(
    { topic: 'persistent://public/default/t', kind: 'movements', ...steps },
    outageGate ??
      new OutageGate(
        { initialMs: 1, maxMs: 2 },
        { failed: () => undefined, recovered: () => undefined },
      ),
    counters,
    new NoIngestMetrics(),
    logger,
    options,
  );
  return { pipe, counters, logger };
}

/** `message` as its transport sees it once the connection it came on is gone. */
function staleCopy(message: ReceivedMessage): ReceivedMessage {
  return Object.create(message, { stale: { value: true } }) as ReceivedMessage;
}

/**
 * A keepKeyOrder pipeline whose first write of `m0` finds an end vertex missing (so it is
 * held), and whose writes named in `gated` wait for their gate (`<names> again` for a second
 * write of the same messages). `started` lists the writes in the order they began.
 */
function heldKeyPipeline(gated: readonly string[]) {
  const gates = new Map(gated.map((name) => [name, gate()]));
  const started: string[] = [];
  const { pipe } = pipeline(
    {
      prepare: async (batch) => {
        const names = batch.map(text).join('+');
        const name = started.includes(names) ? `${names} again` : names;
        started.push(name);
        await gates.get(name)?.opened;
        if (name !== 'm0') return prepared(batch);
        return {
          ...prepared(batch),
          settlements: batch.map((message) => ({
            message,
            outcome: { kind: 'missing', reason: 'end missing', missing: ['x'] },
            endNoun: 'vertex',
          })),
        };
      },
      complete: () => Promise.resolve(),
    },
    undefined,
    {
      writeConcurrency: 1,
      keepKeyOrder: true,
      holdMissingMs: 60_000,
      holdLongestMs: 0,
      holdMaxMessages: 10,
      holdRetryMs: 60_000,
    },
  );
  const open = (name: string): void => gates.get(name)?.open();
  return { pipe, started, open };
}

/** m0 and m2 of `messages(3)` under one key (two versions of one edge). */
async function twoVersions(): Promise<[ReceivedMessage, ReceivedMessage]> {
  const [a, , c] = await messages(3);
  const sameKey = (m: ReceivedMessage): ReceivedMessage =>
    Object.create(m, { key: { value: 'uid-1' } }) as ReceivedMessage;
  return [sameKey(a), sameKey(c)];
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('TopicPipeline', () => {
  it('leaves messages whose connection is gone unwritten and unsettled, and writes the others', async () => {
    const [a, b, c] = await messages(3);
    const written: string[] = [];
    const { pipe, counters, logger } = pipeline({
      prepare: (batch) => {
        written.push(...batch.map(text));
        return Promise.resolve(prepared(batch));
      },
      complete: async (done) => {
        await Promise.all(done.settlements.map((s) => s.message.ack()));
      },
    });
    const lost = staleCopy(b);
    await pipe.run([a, lost, c]);
    await pipe.run([staleCopy(a)]);
    await pipe.drain();
    expect(written).toEqual(['m0', 'm2']);
    expect(b.settled).toBe(false);
    expect(counters).toMatchObject({ received: 4, staleSkipped: 2 });
    expect(JSON.stringify(logger.lines)).toContain(
      'Skipped 1 of 3 message(s) of a batch from the movements topic: the connection they came on is gone',
    );
  });

  it('writes the next batch while the previous one is completed, and completes them in order', async () => {
    const [a, b, c] = await messages(3);
    const log: string[] = [];
    const firstCompletion = gate();
    const { pipe } = pipeline({
      prepare: (batch) => {
        log.push(`write ${batch.map(text).join()}`);
        return Promise.resolve(prepared(batch));
      },
      complete: async (done) => {
        const names = done.settlements.map((s) => text(s.message)).join();
        log.push(`complete ${names} start`);
        if (names === 'm0') await firstCompletion.opened;
        log.push(`complete ${names} end`);
      },
    });
    await pipe.run([a]);
    // The second run returns once its batch is written and the first is complete.
    const second = pipe.run([b]);
    await new Promise((resolve) => setImmediate(resolve));
    // m1 is written while m0 is being completed (in either order), m0 cannot end yet.
    expect([...log].sort()).toEqual(['complete m0 start', 'write m0', 'write m1']);
    firstCompletion.open();
    await second;
    expect(log).toContain('complete m0 end');
    await pipe.run([c]);
    await pipe.drain();
    const at = (line: string) => log.indexOf(line);
    expect(log).toHaveLength(9);
    expect(at('complete m0 end')).toBeLessThan(at('complete m1 start'));
    expect(at('complete m1 end')).toBeLessThan(at('complete m2 start'));
    // One write at a time: m2 is written only once m1's run has returned.
    expect(at('write m1')).toBeLessThan(at('write m2'));
    expect(at('complete m0 end')).toBeLessThan(at('write m2'));
  });

  it('writes up to writeConcurrency batches at once and completes them in batch order, whatever order the writes end in', async () => {
    const batches = await messages(4);
    const log: string[] = [];
    const writes = new Map<string, { opened: Promise<void>; open: () => void }>(
      batches.map((m) => [text(m), gate()]),
    );
    let writing = 0;
    let mostWriting = 0;
    const { pipe } = pipeline(
      {
        prepare: async (batch) => {
          const name = text(batch[0]);
          writing += 1;
          mostWriting = Math.max(mostWriting, writing);
          log.push(`write ${name} start`);
          await writes.get(name)?.opened;
          writing -= 1;
          log.push(`write ${name} end`);
          return prepared(batch);
        },
        complete: (done) => {
          log.push(`complete ${done.settlements.map((s) => text(s.message)).join()}`);
          return Promise.resolve();
        },
      },
      undefined,
      {
        writeConcurrency: 2,
        holdMissingMs: 0,
        holdLongestMs: 0,
        holdMaxMessages: 0,
        holdRetryMs: 1,
      },
    );
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await pipe.run([batches[0]]);
    // Room for a second write while the first is under way; not for a third.
    const second = pipe.run([batches[1]]);
    await settle();
    expect(log).toEqual(['write m0 start', 'write m1 start']);
    let secondReturned = false;
    void second.then(() => {
      secondReturned = true;
    });
    // The later write ends first: nothing is completed before m0, and no third write starts.
    writes.get('m1')?.open();
    await settle();
    expect(log).toEqual(['write m0 start', 'write m1 start', 'write m1 end']);
    expect(secondReturned).toBe(true);
    const third = pipe.run([batches[2]]);
    await settle();
    expect(log.filter((l) => l.startsWith('complete'))).toEqual([]);
    writes.get('m0')?.open();
    writes.get('m2')?.open();
    writes.get('m3')?.open();
    await third;
    await pipe.run([batches[3]]);
    await pipe.drain();
    expect(log.filter((l) => l.startsWith('complete'))).toEqual([
      'complete m0',
      'complete m1',
      'complete m2',
      'complete m3',
    ]);
    expect(mostWriting).toBe(2);
  });

  it('splits a failing batch until the message that fails is alone, and completes the parts in message order', async () => {
    const batch = await messages(8);
    const written: string[][] = [];
    const completed: { name: string; outcome: string }[] = [];
    const { pipe, counters, logger } = pipeline({
      prepare: (part) => {
        if (part.some((m) => text(m) === 'm5')) {
          return Promise.reject(new TypeError('cannot read the props of m5'));
        }
        written.push(part.map(text));
        return Promise.resolve(prepared(part));
      },
      complete: (done) => {
        for (const s of done.settlements) {
          completed.push({
            name: text(s.message),
            outcome: s.outcome.kind === 'retry' ? `retry: ${s.outcome.reason}` : s.outcome.kind,
          });
        }
        return Promise.resolve();
      },
    });
    await pipe.run(batch);
    await pipe.drain();
    expect(written).toEqual([['m0', 'm1', 'm2', 'm3'], ['m4'], ['m6', 'm7']]);
    expect(completed.map((c) => c.name)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(completed[5].outcome).toBe(
      'retry: the graph write failed: TypeError: cannot read the props of m5',
    );
    expect(completed.filter((c) => c.outcome !== 'written')).toHaveLength(1);
    // 8 -> 4 + 4 -> 2 + 2 -> 1 + 1: three splits.
    expect(counters.batchesSplit).toBe(3);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(3);
  });

  it('holds the batch through a store outage and writes the same batch when the store answers', async () => {
    const batch = await messages(2);
    let down = 3;
    const tries: string[][] = [];
    const failures: number[] = [];
    let recoveredAfter = -1;
    const outageGate = new OutageGate(
      { initialMs: 1, maxMs: 4 },
      {
        failed: (state) => failures.push(state.heldMessages),
        recovered: (_ms, state) => {
          recoveredAfter = state.failures;
        },
      },
    );
    const completed: string[] = [];
    const { pipe } = pipeline(
      {
        prepare: (part) => {
          tries.push(part.map(text));
          if (down > 0) {
            down -= 1;
            return Promise.reject(new GraphUnavailableError('JanusGraph does not answer'));
          }
          return Promise.resolve(prepared(part));
        },
        complete: (done) => {
          completed.push(...done.settlements.map((s) => `${text(s.message)} ${s.outcome.kind}`));
          return Promise.resolve();
        },
      },
      outageGate,
    );
    await pipe.run(batch);
    await pipe.drain();
    // Never split, never settled as a failure: the same two messages, four tries.
    expect(tries).toEqual([
      ['m0', 'm1'],
      ['m0', 'm1'],
      ['m0', 'm1'],
      ['m0', 'm1'],
    ]);
    expect(failures).toEqual([2, 2, 2]);
    expect(recoveredAfter).toBe(3);
    expect(outageGate.outage).toBeUndefined();
    expect(completed).toEqual(['m0 written', 'm1 written']);
  });

  it('nacks the messages of a batch whose completion fails, and goes on with the next batch', async () => {
    const [a, b] = await messages(2);
    const { pipe, logger } = pipeline({
      prepare: (batch) => Promise.resolve(prepared(batch)),
      complete: async (done) => {
        const [first] = done.settlements;
        if (first.message === a) throw new Error('detection blew up');
        await first.message.ack();
      },
    });
    await pipe.run([a]);
    await pipe.run([b]);
    await pipe.drain();
    expect(a.settled).toBe(true);
    expect(b.settled).toBe(true);
    const error = logger.lines.find((l) => l.level === 'error')?.entry as Record<string, unknown>;
    expect(String(error.msg)).toMatch(
      /^Settling a batch from the movements topic failed \(Error: detection blew up\); 1 unsettled message\(s\) are negatively acknowledged/,
    );
  });

  it('leaves a held batch unsettled when the worker stops during an outage', async () => {
    const batch = await messages(1);
    const outageGate = new OutageGate(
      { initialMs: 60_000, maxMs: 60_000 },
      { failed: () => undefined, recovered: () => undefined },
    );
    let tried = false;
    const { pipe } = pipeline(
      {
        prepare: () => {
          tried = true;
          return Promise.reject(new GraphUnavailableError('down'));
        },
        complete: () => Promise.reject(new Error('must not complete a held batch')),
      },
      outageGate,
    );
    const running = pipe.run(batch);
    while (!tried) await new Promise((resolve) => setImmediate(resolve));
    outageGate.stop();
    await running;
    await pipe.drain();
    expect(batch[0].settled).toBe(false);
  });

  it('with keepKeyOrder, a batch whose key is being written starts after that write; after abandon and resume it is not kept waiting by the write given up', async () => {
    const [a, b, c] = await messages(3);
    // Same key for m0 and m2 (two versions of one vertex), another for m1.
    const sameKey = (m: ReceivedMessage): ReceivedMessage =>
      Object.create(m, { key: { value: 'uid-1' } }) as ReceivedMessage;
    const first = gate();
    const started: string[] = [];
    const { pipe } = pipeline(
      {
        prepare: async (batch) => {
          const name = text(batch[0]);
          started.push(name);
          if (name === 'm0') await first.opened;
          return prepared(batch);
        },
        complete: () => Promise.resolve(),
      },
      undefined,
      {
        writeConcurrency: 3,
        keepKeyOrder: true,
        holdMissingMs: 0,
        holdLongestMs: 0,
        holdMaxMessages: 0,
        holdRetryMs: 1,
      },
    );
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
    await pipe.run([sameKey(a)]);
    await pipe.run([b]);
    const third = pipe.run([sameKey(c)]);
    await settle();
    expect(started).toEqual(['m0', 'm1']);
    // The stuck write of m0 is given up (a stop that cannot wait), then the pipeline resumes:
    // the next batch of that key is written, not kept waiting by the write given up.
    pipe.abandon();
    await third;
    pipe.resume();
    await pipe.run([sameKey(c)]);
    await settle();
    expect(started).toEqual(['m0', 'm1', 'm2']);
    first.open();
    await pipe.drain();
  });

  it('with keepKeyOrder, a held message is not tried while a newer batch of its key is being written', async () => {
    const [older, newer] = await twoVersions();
    const { pipe, started, open } = heldKeyPipeline(['m2', 'm0 again']);
    await pipe.run([older]);
    await settle();
    expect(pipe.heldMessages).toBe(1);
    const writingNewer = pipe.run([newer]);
    await settle();
    // Asked to try every held message now: m0 waits for the write of m2.
    pipe.retryHeld();
    await settle();
    expect(started).toEqual(['m0', 'm2']);
    open('m2');
    await settle();
    expect(started).toEqual(['m0', 'm2', 'm0 again']);
    open('m0 again');
    await writingNewer;
    await pipe.drain();
    expect(pipe.heldMessages).toBe(0);
  });

  it('with keepKeyOrder, a newer batch waits for a try of a held message of its key', async () => {
    const [older, newer] = await twoVersions();
    const { pipe, started, open } = heldKeyPipeline(['m0 again']);
    await pipe.run([older]);
    await settle();
    pipe.retryHeld();
    await settle();
    expect(started).toEqual(['m0', 'm0 again']);
    const writingNewer = pipe.run([newer]);
    await settle();
    expect(started).toEqual(['m0', 'm0 again']);
    open('m0 again');
    await writingNewer;
    await pipe.drain();
    expect(started).toEqual(['m0', 'm0 again', 'm2']);
    expect(pipe.heldMessages).toBe(0);
  });

  it('with keepKeyOrder and orderKeys, keeps the order of what the messages write, not of their message keys', async () => {
    const [a, b, c] = await messages(3);
    // One message key for all three (a key bucket of bundles); m0 and m2 write the same vertex.
    const bucket = (m: ReceivedMessage): ReceivedMessage =>
      Object.create(m, { key: { value: 'bucket:7' } }) as ReceivedMessage;
    const writes: Record<string, string> = { m0: 'v uid-1', m1: 'v uid-2', m2: 'v uid-1' };
    const first = gate();
    const started: string[] = [];
    const { pipe } = pipeline(
      {
        prepare: async (batch) => {
          const name = text(batch[0]);
          started.push(name);
          if (name === 'm0') await first.opened;
          return prepared(batch);
        },
        complete: () => Promise.resolve(),
        orderKeys: (batch) => new Set(batch.map((m) => writes[text(m)])),
      },
      undefined,
      {
        writeConcurrency: 3,
        keepKeyOrder: true,
        holdMissingMs: 0,
        holdLongestMs: 0,
        holdMaxMessages: 0,
        holdRetryMs: 1,
      },
    );
    await pipe.run([bucket(a)]);
    await pipe.run([bucket(b)]);
    const third = pipe.run([bucket(c)]);
    await settle();
    // m1 shares only the bucket with m0: written beside it; m2 waits for m0.
    expect(started).toEqual(['m0', 'm1']);
    first.open();
    await third;
    await pipe.drain();
    expect(started).toEqual(['m0', 'm1', 'm2']);
  });
});
