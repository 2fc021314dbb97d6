/**
 * Pulsar throughput side by side (issue 11): the same messages sent through the same broker in
 * one run by (1) the project's producer and consumer (`PulsarWebSocketBroker`, publishing in
 * chunks of 500 with 4 chunks in flight as the seeder's `PulsarDatasetSink` does, consuming
 * through the ingest worker's subscription type), (1b) the same producer feeding the project's
 * ingest worker (`IngestWorker`: micro-batches, written into an in-memory graph, settled per
 * batch; no detection), (2) a bare WebSocket client (the
 * `ws` package speaking Pulsar's WebSocket API directly: up to 1,000 sends awaiting their
 * receipt, each message acknowledged on arrival), and (3) a small Java client on the broker's
 * own `pulsar-client` jars (the native protocol, without and with producer batching). Each
 * measures end to end: consumers attached first, then the time from the first send to the last
 * message received. On one topic, and on a partitioned topic with one consumer per partition
 * (messages keyed by account, so one account's messages stay in one partition, in order).
 *
 *   npm run bench -- --only pulsar        (or pulsar-throughput; options: --pulsar-rounds <n>,
 *                                           --pulsar-messages <n>, --pulsar-clients project,ingest,bare,java)
 *
 * The Java client (bench/pulsar-client) is compiled on first use: `mvn dependency:build-classpath`
 * on its pom, then `javac`; both are cached under bench/pulsar-client/target.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import {
  bundleMessages,
  type MessageBroker,
  movementMessage,
  type OutgoingMessage,
  PulsarWebSocketBroker,
  type StreamAlert,
  type SubscriptionType,
} from '@app/streaming';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { DEFAULT_INGEST_OPTIONS } from '../apps/ingest/src/ingest/ingest.options';
import { IngestWorker } from '../apps/ingest/src/ingest/ingest.worker';
import { MovementDetector } from '../apps/ingest/src/ingest/movement-detector';

export interface PulsarThroughputOptions {
  /** Messages per measurement. */
  messages: number;
  /** Partitions of the partitioned topic. */
  partitions: number;
  /** Distinct message keys (accounts). */
  keys: number;
  /** Rounds of every case; the table shows medians. */
  rounds: number;
  /** Which clients to measure (`project`, `ingest`, `bare`, `java`); all when absent. */
  clients?: readonly string[];
}

/** The client families `--pulsar-clients` may name. */
export const PULSAR_BENCH_CLIENTS = ['project', 'ingest', 'bundles', 'bare', 'java'] as const;

/** Envelopes per message of the `bundles` case (PULSAR_PUBLISH_BUNDLE_SIZE's default). */
const BENCH_BUNDLE_SIZE = 50;

const DEFAULTS: PulsarThroughputOptions = {
  messages: 20_000,
  partitions: 4,
  keys: 1_000,
  rounds: 2,
};

/** Messages the project's producer is given per `publish` call (the seeder sink's default). */
const PUBLISH_CHUNK = 500;
/** Publish calls the project's producer keeps unconfirmed (the seeder sink's default). */
const PUBLISHES_IN_FLIGHT = 4;
/** Sends the bare WebSocket producer keeps waiting for their receipt. */
const WS_WINDOW = 1_000;
const TIMEOUT_MS = 600_000;

const CLIENT_DIR = join(__dirname, 'pulsar-client');
const run = promisify(execFile);

interface Target {
  /** Full name of the topic messages are sent to. */
  topic: string;
  /** Full names of the topics consumers attach to (the partitions of a partitioned topic). */
  consumed: string[];
}

interface Case {
  /** Family (`project`, `ingest`, `bare`, `java`) for `--pulsar-clients`. */
  family: string;
  client: string;
  measure: (target: Target) => Promise<number>;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** `persistent://t/ns/x` → `persistent/t/ns/x` (the WebSocket and admin URL form). */
function urlPath(topic: string): string {
  return topic.replace('://', '/');
}

/** Resolves when `count()` reaches `target`, rejects after `timeoutMs`. */
function reached(count: () => number, target: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + TIMEOUT_MS;
    const poll = (): void => {
      if (count() >= target) resolve();
      else if (Date.now() > deadline)
        reject(new Error(`${what}: ${count()} of ${target} messages after ${TIMEOUT_MS} ms`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

// ---------------------------------------------------------------------------------------------
// The Java client on the broker's own jars
// ---------------------------------------------------------------------------------------------

/** Classpath of the compiled Java client (resolved with Maven and compiled once, then cached). */
function javaClasspath(): string {
  const target = join(CLIENT_DIR, 'target');
  mkdirSync(target, { recursive: true });
  const pom = join(CLIENT_DIR, 'pom.xml');
  const key = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const cpFile = join(target, `classpath-${key}.txt`);
  if (!existsSync(cpFile)) {
    process.stdout.write('  resolving the Pulsar Java client jars with Maven (first run)…\n');
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        '-f',
        pom,
        'dependency:build-classpath',
        '-Dmdep.includeScope=runtime',
        `-Dmdep.outputFile=${cpFile}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const jars = readFileSync(cpFile, 'utf8').trim();
  const classes = join(target, 'classes');
  const source = join(CLIENT_DIR, 'PulsarThroughput.java');
  const compiled = join(classes, 'PulsarThroughput.class');
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
    execFileSync('javac', ['-d', classes, '-cp', jars, source], { stdio: 'inherit' });
  }
  return `${classes}:${jars}`;
}

function javaCase(
  serviceUrl: string,
  options: PulsarThroughputOptions,
  payloadFile: string,
  batching: boolean,
): Case {
  return {
    family: 'java',
    client: `Java client (native protocol${batching ? ', producer batching' : ', no batching'})`,
    measure: async (target) => {
      const { stdout } = await run(
        'java',
        [
          '-cp',
          javaClasspath(),
          'PulsarThroughput',
          serviceUrl,
          target.topic,
          String(target.consumed[0] === target.topic ? 0 : target.consumed.length),
          String(options.messages),
          String(batching),
          String(options.keys),
          payloadFile,
        ],
        { timeout: TIMEOUT_MS, maxBuffer: 1024 * 1024 },
      );
      const line = stdout.trim().split('\n').pop() ?? '';
      const result = JSON.parse(line) as { received: number; complete: boolean; seconds: number };
      if (!result.complete) {
        throw new Error(`Java client received ${result.received} of ${options.messages}`);
      }
      return result.seconds * 1000;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A bare WebSocket client
// ---------------------------------------------------------------------------------------------

function text(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}

function bareWebSocketCase(
  wsBase: string,
  options: PulsarThroughputOptions,
  payload: string,
  subscriptionType: SubscriptionType,
): Case {
  return {
    family: 'bare',
    client: `bare WebSocket client (\`ws\`, ${fmt(WS_WINDOW)} sends in flight, ${subscriptionType})`,
    measure: async (target) => {
      let received = 0;
      const consumers = await Promise.all(
        target.consumed.map(async (topic) => {
          const socket = await openSocket(
            `${wsBase}/consumer/${urlPath(topic)}/bench?subscriptionType=${subscriptionType}&receiverQueueSize=1000`,
          );
          socket.on('message', (data: WebSocket.RawData) => {
            const frame = JSON.parse(text(data)) as { messageId: string };
            socket.send(JSON.stringify({ messageId: frame.messageId }));
            received += 1;
          });
          return socket;
        }),
      );
      const producer = await openSocket(`${wsBase}/producer/${urlPath(target.topic)}`);
      try {
        const start = now();
        await new Promise<void>((resolve, reject) => {
          let sent = 0;
          let confirmed = 0;
          const sendMore = (): void => {
            while (sent < options.messages && sent - confirmed < WS_WINDOW) {
              producer.send(
                JSON.stringify({
                  payload,
                  key: `account-${sent % options.keys}`,
                  context: String(sent),
                }),
              );
              sent += 1;
            }
          };
          producer.on('message', (data: WebSocket.RawData) => {
            const receipt = JSON.parse(text(data)) as { result?: string; errorMsg?: string };
            if (receipt.result !== 'ok') {
              reject(new Error(`Pulsar refused a message: ${receipt.errorMsg ?? 'no reason'}`));
              return;
            }
            confirmed += 1;
            if (confirmed === options.messages) resolve();
            else sendMore();
          });
          producer.once('error', reject);
          sendMore();
        });
        await reached(() => received, options.messages, 'bare WebSocket consumer');
        return now() - start;
      } finally {
        await Promise.all([producer, ...consumers].map(closeSocket));
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The project's producer and consumer
// ---------------------------------------------------------------------------------------------

/**
 * The project's way of publishing a stream (the seeder's `PulsarDatasetSink`): chunks of 500
 * per `publish` call, up to 4 calls unconfirmed; resolves when the broker stored every message.
 */
async function publishLikeTheSink(
  broker: MessageBroker,
  topic: string,
  messages: readonly OutgoingMessage[],
): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let start = 0; start < messages.length; start += PUBLISH_CHUNK) {
    if (inFlight.length >= PUBLISHES_IN_FLIGHT) await inFlight.shift();
    inFlight.push(broker.publish(topic, messages.slice(start, start + PUBLISH_CHUNK)));
  }
  await Promise.all(inFlight);
}

function projectCase(
  webUrl: string,
  tenant: string,
  namespace: string,
  messages: readonly OutgoingMessage[],
  subscriptionType: SubscriptionType,
  receiveQueueSize: number,
): Case {
  return {
    family: 'project',
    client: `project: \`PulsarWebSocketBroker\` (publish ${PUBLISH_CHUNK} per call, ${PUBLISHES_IN_FLIGHT} calls in flight; ${subscriptionType}, each message acknowledged on arrival)`,
    measure: async (target) => {
      const broker = new PulsarWebSocketBroker({ webUrl, tenant, namespace });
      try {
        let received = 0;
        for (const topic of target.consumed) {
          await broker.subscribe(
            topic,
            'bench',
            (message) => {
              received += 1;
              return message.ack();
            },
            {
              deadLetterTopic: `${target.topic}-dlq`,
              maxRedeliverCount: 3,
              nackRedeliveryDelayMs: 1_000,
              receiveQueueSize,
              subscriptionType,
            },
          );
        }
        const start = now();
        await publishLikeTheSink(broker, target.topic, messages);
        await reached(() => received, messages.length, 'project consumer');
        return now() - start;
      } finally {
        await broker.close();
      }
    },
  };
}

/** Detection off: the benchmarks measure the stream and write path only. */
export class NoDetection extends MovementDetector {
  onMovement(): Promise<StreamAlert[]> {
    return Promise.resolve([]);
  }

  onEvent(): Promise<StreamAlert[]> {
    return Promise.resolve([]);
  }
}

const silentLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

/**
 * The project's producer feeding the project's ingest worker: one `IngestWorker` per consumed
 * topic (per partition) with the default ingest settings (micro-batches, the settings'
 * subscription type and receive queue), writing into an in-memory graph that holds the accounts
 * already, detection off. Done when the workers wrote every movement.
 */
function ingestCase(
  webUrl: string,
  tenant: string,
  namespace: string,
  movements: readonly OutgoingMessage[],
  accounts: readonly AccountVertex[],
  streaming: { subscriptionType: SubscriptionType; receiveQueueSize: number },
  bundleSize = 1,
): Case {
  const { batchSize, batchWindowMs } = DEFAULT_INGEST_OPTIONS;
  const defaults = streaming;
  // Bundles are made as the sink makes them: per publish call of PUBLISH_CHUNK envelopes.
  const published: OutgoingMessage[] =
    bundleSize === 1
      ? [...movements]
      : Array.from({ length: Math.ceil(movements.length / PUBLISH_CHUNK) }, (_, i) =>
          bundleMessages(movements.slice(i * PUBLISH_CHUNK, (i + 1) * PUBLISH_CHUNK), {
            maxItems: bundleSize,
            keyBuckets: 64,
          }),
        ).flat();
  return {
    family: bundleSize === 1 ? 'ingest' : 'bundles',
    client:
      bundleSize === 1
        ? `project: producer as above + \`IngestWorker\` (batches of ${batchSize} or ${batchWindowMs} ms, ${defaults.subscriptionType}, receive queue ${defaults.receiveQueueSize}; in-memory graph, no detection)`
        : `project: as above, the ${PUBLISH_CHUNK} movements of each publish call sent in bundles of up to ${bundleSize} per message by key bucket (64 buckets: ${fmt(published.length)} messages for ${fmt(movements.length)} movements); messages/s counts movements`,
    measure: async (target) => {
      const broker = new PulsarWebSocketBroker({ webUrl, tenant, namespace });
      const workers: IngestWorker[] = [];
      try {
        for (const [index, topic] of target.consumed.entries()) {
          const store = new MemoryGraphStore();
          await store.upsertVertices(accounts);
          // The settings take short names (in the broker's tenant and namespace).
          const short = (full: string): string => full.slice(full.lastIndexOf('/') + 1);
          const config = loadAllSettings({
            PULSAR_TOPIC_ENTITIES: `${short(target.topic)}-entities-${index}`,
            PULSAR_TOPIC_MOVEMENTS: short(topic),
            PULSAR_TOPIC_ALERTS: `${short(target.topic)}-alerts`,
            PULSAR_DEAD_LETTER_TOPIC: `${short(target.topic)}-dlq`,
            PULSAR_SUBSCRIPTION: 'bench-ingest',
            PULSAR_SUBSCRIPTION_TYPE: streaming.subscriptionType,
            PULSAR_RECEIVE_QUEUE_SIZE: String(streaming.receiveQueueSize),
          }).streaming;
          const worker = new IngestWorker(
            broker,
            store,
            new NoDetection(),
            config,
            DEFAULT_INGEST_OPTIONS,
            silentLogger,
          );
          await worker.start();
          workers.push(worker);
        }
        const written = (): number =>
          workers.reduce((sum, worker) => sum + worker.counters.written, 0);
        const start = now();
        await publishLikeTheSink(broker, target.topic, published);
        await reached(written, movements.length, 'project ingest worker');
        const took = now() - start;
        const troubled = workers.reduce(
          (sum, worker) => sum + worker.counters.deadLettered + worker.counters.retried,
          0,
        );
        if (troubled > 0)
          throw new Error(
            `the ingest worker retried or dead-lettered ${troubled} valid movements (none should be: every account exists); the measurement is void`,
          );
        return took;
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
        await broker.close();
      }
    },
  };
}

/** Accounts 0..keys-1 of the benchmark bank. */
function benchAccounts(keys: number): AccountVertex[] {
  return Array.from({ length: keys }, (_unused, n) => ({
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
  }));
}

/** Distinct movements between the benchmark accounts, keyed by the paying account. */
function benchMovements(options: PulsarThroughputOptions): OutgoingMessage[] {
  return Array.from({ length: options.messages }, (_unused, n) => {
    const movement: Movement = {
      movementId: `mv:bench:${n}`,
      fromAccount: `account:bench:${n % options.keys}`,
      toAccount: `account:bench:${(n * 7 + 1) % options.keys}`,
      amountMinor: 1_000 + (n % 97),
      currency: 'EUR',
      timestamp: 1_735_689_600_000 + n * 1_000,
      channel: 'wire',
    };
    return movementMessage(movement, { id: `bench-${n}`, occurredAt: movement.timestamp });
  });
}

// ---------------------------------------------------------------------------------------------

/** A realistic message body: one movement as the project publishes it. */
function samplePayload(): Buffer {
  const message = movementMessage(
    {
      movementId: 'mv:bench:1',
      fromAccount: 'account:bench:1',
      toAccount: 'account:bench:2',
      amountMinor: 12_345,
      currency: 'EUR',
      timestamp: 1_735_689_600_000,
      channel: 'wire',
    },
    { id: 'bench-1', occurredAt: 1_735_689_600_000 },
  );
  return Buffer.from(message.payload);
}

async function createPartitionedTopic(webUrl: string, topic: string, partitions: number) {
  const response = await fetch(`${webUrl}/admin/v2/${urlPath(topic)}/partitions`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: String(partitions),
  });
  if (!response.ok) {
    throw new Error(
      `Could not create the partitioned topic ${topic}: HTTP ${response.status} ${await response.text()}`,
    );
  }
}

/** Fails with what to do when no Pulsar answers at `webUrl`. */
async function assertPulsarAnswers(webUrl: string, serviceUrl: string): Promise<string> {
  try {
    const response = await fetch(`${webUrl}/admin/v2/brokers/version`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (response.ok) return (await response.text()).replace(/"/g, '').trim();
    throw new Error(`HTTP ${response.status}`);
  } catch (error: unknown) {
    throw new Error(
      `No Pulsar answers at ${webUrl} (${error instanceof Error ? error.message : String(error)}). ` +
        '`npm run bench -- --only pulsar` starts one itself (PULSAR_WEB_PORT and PULSAR_BROKER_PORT choose its ports); ' +
        'to use one you started, e.g. `PULSAR_WEB_PORT=18080 PULSAR_BROKER_PORT=16650 PULSAR_BOOKIE_PORT=13181 bash docker/local/pulsar/service.sh start`, ' +
        `run the bench with the same PULSAR_WEB_PORT and PULSAR_BROKER_PORT (the native client uses ${serviceUrl}).`,
      { cause: error },
    );
  }
}

/** Runs the benchmark and returns the markdown body of its section. */
export async function benchPulsarThroughput(
  overrides: Partial<PulsarThroughputOptions> = {},
): Promise<string> {
  const options = { ...DEFAULTS, ...overrides };
  const { webUrl, serviceUrl, tenant, namespace, subscriptionType, receiveQueueSize } =
    loadAllSettings().streaming;
  const version = await assertPulsarAnswers(webUrl, serviceUrl);
  const web = new URL(webUrl);
  const wsBase = `${web.protocol === 'https:' ? 'wss:' : 'ws:'}//${web.host}/ws/v2`;
  const payload = samplePayload();
  const payloadFile = join(tmpdir(), `pulsar-throughput-${randomUUID()}.json`);
  writeFileSync(payloadFile, payload);
  const movements = benchMovements(options);
  const wanted = new Set(options.clients ?? PULSAR_BENCH_CLIENTS);
  const bare = bareWebSocketCase(wsBase, options, payload.toString('base64'), subscriptionType);
  const javaBatching = javaCase(serviceUrl, options, payloadFile, true);
  const cases: Case[] = [
    projectCase(webUrl, tenant, namespace, movements, subscriptionType, receiveQueueSize),
    ingestCase(webUrl, tenant, namespace, movements, benchAccounts(options.keys), {
      subscriptionType,
      receiveQueueSize,
    }),
    ingestCase(
      webUrl,
      tenant,
      namespace,
      movements,
      benchAccounts(options.keys),
      { subscriptionType, receiveQueueSize },
      BENCH_BUNDLE_SIZE,
    ),
    bare,
    javaCase(serviceUrl, options, payloadFile, false),
    javaBatching,
  ].filter((one) => wanted.has(one.family));
  const tag = Date.now().toString(36);
  const layouts = [
    { name: 'one topic', partitions: 0 },
    {
      name: `partitioned topic (${options.partitions} partitions)`,
      partitions: options.partitions,
    },
  ];
  const ms = new Map<string, number[]>();
  try {
    for (let round = 0; round < options.rounds; round += 1) {
      for (const layout of layouts) {
        for (const [index, one] of cases.entries()) {
          const topic = `persistent://${tenant}/${namespace}/bench-throughput-${tag}-${round}-${layout.partitions}-${index}`;
          if (layout.partitions > 0) await createPartitionedTopic(webUrl, topic, layout.partitions);
          const consumed =
            layout.partitions > 0
              ? Array.from({ length: layout.partitions }, (_unused, i) => `${topic}-partition-${i}`)
              : [topic];
          process.stdout.write(`  ${layout.name}, ${one.client}… `);
          const took = await one.measure({ topic, consumed });
          process.stdout.write(`${fmt((options.messages / took) * 1000)} messages/s\n`);
          const key = `${layout.name}|${one.client}`;
          ms.set(key, [...(ms.get(key) ?? []), took]);
        }
      }
    }
  } finally {
    rmSync(payloadFile, { force: true });
  }
  const rate = (key: string): number => (options.messages / median(ms.get(key) ?? [])) * 1000;
  const ratio = (perSecond: number, reference: Case, layout: string): string =>
    cases.includes(reference) ? fmt(perSecond / rate(`${layout}|${reference.client}`), 2) : 'n/a';
  const rows = layouts.flatMap((layout) =>
    cases.map((one) => {
      const perSecond = rate(`${layout.name}|${one.client}`);
      return `| ${layout.name} | ${one.client} | ${fmt(median(ms.get(`${layout.name}|${one.client}`) ?? []) / 1000, 2)} | ${fmt(perSecond)} | ${ratio(perSecond, bare, layout.name)} | ${ratio(perSecond, javaBatching, layout.name)} |`;
    }),
  );
  return [
    'Command: `npm run bench -- --only pulsar` (options: `--pulsar-rounds <n>`, `--pulsar-messages <n>`, `--pulsar-clients project,ingest,bundles,bare,java`).',
    '',
    `Pulsar ${version} standalone at ${webUrl} (WebSocket API) and ${serviceUrl} (native protocol), on the same machine. ` +
      `${fmt(options.messages)} messages of about ${payload.length} bytes (movements as the project publishes them), keyed by ${fmt(options.keys)} accounts; ` +
      `end to end: consumers attached first (one subscription, one consumer per partition), then the time from the first send until every message was received (for the ingest worker: written). ` +
      `The project and the bare WebSocket client use the ingest subscription type (${subscriptionType}), the Java client a Shared subscription. ` +
      `${options.rounds} rounds, medians; every measurement on a fresh topic.`,
    '',
    '| topic | client | seconds | messages/s | vs bare WebSocket | vs Java (batching) |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
