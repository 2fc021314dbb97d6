import { MemoryBroker, movementMessage, vertexUpsertMessage } from '@app/streaming';
import { FixedClock } from '@app/vocabulary';
import {
  account,
  FlakyGraphStore,
  movement,
  RecordingLogger,
  streamingConfig,
  ThresholdDetector,
  until,
} from './ingest.fixtures';
import { NoIngestMetrics } from './ingest.metrics';
import { DEFAULT_INGEST_OPTIONS, IngestOptions } from './ingest.options';
import { IngestWorker } from './ingest.worker';

/** Keeps what the worker reports about stops. */
class StopMetrics extends NoIngestMetrics {
  readonly gaveUp: string[] = [];
  override stopGaveUp(topic: string, count: number): void {
    this.gaveUp.push(`${topic}:${count}`);
  }
}

let ids = 0;
const meta = () => ({ id: `s-${(ids += 1)}`, occurredAt: 1_735_689_600_000 });

/**
 * A stop waits for the graph writes under way at most INGEST_STOP_TIMEOUT_MS. A write stuck in
 * the store (JanusGraph on Cassandra retrying against a crashed server's locks) is left to the
 * broker: its messages are neither acknowledged nor fed to detection, and the next worker writes
 * and detects them once.
 */
describe('IngestWorker stopping while a graph write hangs', () => {
  let broker: MemoryBroker;
  let store: FlakyGraphStore;
  let detector: ThresholdDetector;
  let logger: RecordingLogger;
  let workers: IngestWorker[];
  let releaseWrites: () => void;
  let metrics: StopMetrics;

  async function startWorker(options: Partial<IngestOptions> = {}): Promise<IngestWorker> {
    const worker = new IngestWorker(
      broker,
      store,
      detector,
      streamingConfig(),
      { ...DEFAULT_INGEST_OPTIONS, batchWindowMs: 2, ...options },
      logger,
      metrics,
      new FixedClock(1_750_000_000_000),
    );
    workers.push(worker);
    await worker.start();
    return worker;
  }

  const warnings = () =>
    logger.lines.filter((l) => l.level === 'warn').map((l) => JSON.stringify(l.entry));

  beforeEach(async () => {
    broker = new MemoryBroker();
    store = new FlakyGraphStore();
    detector = new ThresholdDetector(1_000_000);
    logger = new RecordingLogger();
    metrics = new StopMetrics();
    workers = [];
    await store.upsertVertices([account(1), account(2)]);
  });

  afterEach(async () => {
    releaseWrites();
    for (const worker of workers) await worker.stop();
    await broker.close();
  });

  function hangEdgeWrites(): void {
    store.holdEdges = new Promise<void>((resolve) => {
      releaseWrites = resolve;
    });
  }

  it('gives up the hanging write after the timeout: nothing acknowledged or detected, and the next worker writes and detects each movement once', async () => {
    hangEdgeWrites();
    const first = await startWorker({ stopTimeoutMs: 20 });
    await broker.publish('bank.movements', [
      movementMessage(movement(1, 1, 2), meta()),
      movementMessage(movement(2, 2, 1), meta()),
    ]);
    await until(() => store.edgeWrites === 1, 'the write to start');

    // Without the bound this stop would wait for the write, which never ends in this test.
    await first.stop();
    expect(first.isRunning).toBe(false);
    expect(first.counters).toMatchObject({ written: 0, retried: 0, deadLettered: 0 });
    expect(metrics.gaveUp).toEqual(['persistent://public/default/bank.movements:2']);
    expect(
      warnings().some((w) => w.includes('graph writes of 2 message(s) were still running')),
    ).toBe(true);

    // The stuck write lands after all: its result is ignored (no detection, no settling).
    releaseWrites();
    for (let tries = 0; (await store.getEdge('mv:test:2')) === undefined; tries += 1) {
      if (tries > 2_000) throw new Error('the late write never landed');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(detector.seen).toEqual([]);

    const second = await startWorker();
    await until(() => second.counters.written === 2, 'both movements by the second worker');
    expect(second.counters).toMatchObject({ received: 2, retried: 0, deadLettered: 0 });
    expect([...detector.seen].sort()).toEqual(['mv:test:1', 'mv:test:2']);
    expect(await broker.readAll('bank.dead-letter', { idleMs: 0 })).toEqual([]);
    await second.stop();
    // Acknowledged by the second worker: a third one receives nothing.
    const third = await startWorker();
    await broker.publish('bank.entities', [vertexUpsertMessage(account(3), meta())]);
    await until(() => third.counters.written === 1, 'a new message');
    expect(third.counters.received).toBe(1);
  });

  it('waits for a write that ends within the timeout, and settles it', async () => {
    hangEdgeWrites();
    const worker = await startWorker({ stopTimeoutMs: 60_000 });
    await broker.publish('bank.movements', [movementMessage(movement(3, 1, 2), meta())]);
    await until(() => store.edgeWrites === 1, 'the write to start');
    const stopping = worker.stop();
    releaseWrites();
    await stopping;
    expect(worker.counters).toMatchObject({ received: 1, written: 1 });
    expect(detector.seen).toEqual(['mv:test:3']);
    expect(warnings().some((w) => w.includes('still running'))).toBe(false);
    expect(metrics.gaveUp).toEqual([]);
  });
});
