import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import {
  MemoryBroker,
  MessageBroker,
  movementMessage,
  PulsarWebSocketBroker,
  StreamAlert,
  vertexUpsertMessage,
} from '@app/streaming';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { DEFAULT_INGEST_OPTIONS } from '../apps/ingest/src/ingest/ingest.options';
import { IngestWorker } from '../apps/ingest/src/ingest/ingest.worker';
import { MovementDetector } from '../apps/ingest/src/ingest/movement-detector';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

/**
 * Streaming benchmark: throughput of the ingest worker (messages written to the graph per
 * second, entities then movements, default micro-batching) and end-to-end latency (publish
 * call to graph write) of single movements sent one after another. Graph: MemoryGraphStore;
 * detection: none (measures the stream and write path only). Run on the memory broker, and on
 * a real Pulsar when its web URL is given.
 */

const ACCOUNTS = 2_000;
const MOVEMENTS = 10_000;
const LATENCY_SAMPLES = 300;
const PUBLISH_CHUNK = 500;

class NoDetection extends MovementDetector {
  onMovement(): Promise<StreamAlert[]> {
    return Promise.resolve([]);
  }

  onEvent(): Promise<StreamAlert[]> {
    return Promise.resolve([]);
  }
}

const silent = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

function accountVertex(n: number): AccountVertex {
  return {
    label: 'Account',
    uid: `account:bench:${n}`,
    props: {
      accountType: 'personal',
      currency: 'EUR',
      openedAt: 1_600_000_000_000,
      status: 'active',
      bankId: 'bench',
      country: 'DE',
    },
  };
}

function benchMovement(n: number, id: string): Movement {
  return {
    movementId: `mv:bench:${id}`,
    fromAccount: `account:bench:${n % ACCOUNTS}`,
    toAccount: `account:bench:${(n * 7 + 1) % ACCOUNTS}`,
    amountMinor: 1_000 + (n % 97),
    currency: 'EUR',
    timestamp: 1_735_689_600_000 + n * 1_000,
    channel: 'wire',
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out waiting for the worker');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

interface Result {
  backend: string;
  messages: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(label: string, broker: MessageBroker, tag: string): Promise<Result> {
  const config = loadAllSettings({
    PULSAR_TOPIC_ENTITIES: `bench-${tag}-entities`,
    PULSAR_TOPIC_MOVEMENTS: `bench-${tag}-movements`,
    PULSAR_TOPIC_ALERTS: `bench-${tag}-alerts`,
    PULSAR_DEAD_LETTER_TOPIC: `bench-${tag}-dlq`,
    PULSAR_SUBSCRIPTION: `bench-${tag}`,
  }).streaming;
  const store = new MemoryGraphStore();
  const writtenAt = new Map<string, number>();
  const upsertEdges = store.upsertEdges.bind(store);
  store.upsertEdges = async (batch) => {
    const result = await upsertEdges(batch);
    const now = performance.now();
    for (const edge of batch) writtenAt.set(edge.eid, now);
    return result;
  };
  const worker = new IngestWorker(
    broker,
    store,
    new NoDetection(),
    config,
    DEFAULT_INGEST_OPTIONS,
    silent,
  );
  await worker.start();
  try {
    // Throughput: entities, then movements, published in chunks as fast as the broker takes them.
    const started = performance.now();
    for (let i = 0; i < ACCOUNTS; i += PUBLISH_CHUNK) {
      const chunk = Array.from({ length: Math.min(PUBLISH_CHUNK, ACCOUNTS - i) }, (_, k) =>
        vertexUpsertMessage(accountVertex(i + k), { id: `v${i + k}`, occurredAt: SOURCE_TIME + 1 }),
      );
      await broker.publish(config.entitiesTopic, chunk);
    }
    await waitFor(() => worker.counters.written >= ACCOUNTS, 120_000);
    for (let i = 0; i < MOVEMENTS; i += PUBLISH_CHUNK) {
      const chunk = Array.from({ length: Math.min(PUBLISH_CHUNK, MOVEMENTS - i) }, (_, k) => {
        const m = benchMovement(i + k, String(i + k));
        return movementMessage(m, { id: `m${i + k}`, occurredAt: m.timestamp });
      });
      await broker.publish(config.movementsTopic, chunk);
    }
    await waitFor(() => worker.counters.written >= ACCOUNTS + MOVEMENTS, 300_000);
    const seconds = (performance.now() - started) / 1000;

    // Latency: one movement at a time, publish call to graph write.
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
      const id = `lat-${i}`;
      const m = benchMovement(i, id);
      const sent = performance.now();
      await broker.publish(config.movementsTopic, [
        movementMessage(m, { id, occurredAt: m.timestamp }),
      ]);
      await waitFor(() => writtenAt.has(m.movementId), 30_000);
      latencies.push((writtenAt.get(m.movementId) as number) - sent);
    }
    latencies.sort((a, b) => a - b);
    const messages = ACCOUNTS + MOVEMENTS;
    return {
      backend: label,
      messages,
      seconds,
      perSecond: messages / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    await worker.stop();
  }
}

/** Runs the benchmark and returns the markdown body of a section (no heading). */
export async function benchStreaming(webUrl?: string): Promise<string> {
  const tag = Date.now().toString(36);
  const results: Result[] = [];
  const memory = new MemoryBroker();
  try {
    results.push(await measure('memory broker', memory, `mem-${tag}`));
  } finally {
    await memory.close();
  }
  if (webUrl) {
    const pulsar = new PulsarWebSocketBroker({ webUrl, tenant: 'public', namespace: 'default' });
    try {
      results.push(await measure(`Pulsar (WebSocket) at ${webUrl}`, pulsar, `ws-${tag}`));
    } finally {
      await pulsar.close();
    }
  }
  const { batchSize, batchWindowMs } = DEFAULT_INGEST_OPTIONS;
  const lines = [
    `Ingest worker with default micro-batching (${batchSize} messages or ${batchWindowMs} ms), MemoryGraphStore, no detection. ` +
      `Throughput: ${ACCOUNTS} account upserts then ${MOVEMENTS} movements published in chunks of ${PUBLISH_CHUNK}; ` +
      `latency: ${LATENCY_SAMPLES} single movements, publish call to graph write.`,
    '',
    '| Backend | Messages | Seconds | Messages/s | Latency p50 (ms) | Latency p99 (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.backend} | ${r.messages} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`,
    ),
  ];
  if (!webUrl) lines.push('', '_Pulsar not measured: no web URL given._');
  return lines.join('\n');
}

if (require.main === module) {
  benchStreaming(process.argv[2])
    .then((markdown) => process.stdout.write(`${markdown}\n`))
    .catch((error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}
