/**
 * Pulsar throughput side by side (issue 11): the same messages sent through the same broker in
 * one run by (1) the project's producer and consumer (`PulsarWebSocketBroker`, publishing in
 * chunks of 500 as the seeder and the ingest benchmark do), (2) a bare WebSocket client (the
 * `ws` package speaking Pulsar's WebSocket API directly: up to 1,000 sends awaiting their
 * receipt, each message acknowledged on arrival), and (3) a small Java client on the broker's
 * own `pulsar-client` jars (the native protocol, without and with producer batching). Each
 * measures end to end: consumers attached first, then the time from the first send to the last
 * message received. On one topic, and on a partitioned topic with one consumer per partition
 * (messages keyed by account, so one account's messages stay in one partition, in order).
 *
 *   npm run bench -- --only pulsar-throughput
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
import { loadAllSettings } from '@app/settings';
import { movementMessage, type OutgoingMessage, PulsarWebSocketBroker } from '@app/streaming';

export interface PulsarThroughputOptions {
  /** Messages per measurement. */
  messages: number;
  /** Partitions of the partitioned topic. */
  partitions: number;
  /** Distinct message keys (accounts). */
  keys: number;
  /** Rounds of every case; the table shows medians. */
  rounds: number;
}

const DEFAULTS: PulsarThroughputOptions = {
  messages: 20_000,
  partitions: 4,
  keys: 1_000,
  rounds: 2,
};

/** Messages the project's producer is given per `publish` call. */
const PUBLISH_CHUNK = 500;
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
): Case {
  return {
    client: `bare WebSocket client (\`ws\`, ${fmt(WS_WINDOW)} sends in flight)`,
    measure: async (target) => {
      let received = 0;
      const consumers = await Promise.all(
        target.consumed.map(async (topic) => {
          const socket = await openSocket(
            `${wsBase}/consumer/${urlPath(topic)}/bench?subscriptionType=Shared&receiverQueueSize=1000`,
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

function projectCase(
  webUrl: string,
  tenant: string,
  namespace: string,
  options: PulsarThroughputOptions,
  payload: Buffer,
): Case {
  return {
    client: `project: \`PulsarWebSocketBroker\` (publish ${PUBLISH_CHUNK} per call, one subscription per consumed topic)`,
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
              receiveQueueSize: 1_000,
            },
          );
        }
        const start = now();
        for (let i = 0; i < options.messages; i += PUBLISH_CHUNK) {
          const chunk: OutgoingMessage[] = [];
          for (let k = i; k < Math.min(options.messages, i + PUBLISH_CHUNK); k += 1) {
            chunk.push({ payload, key: `account-${k % options.keys}` });
          }
          await broker.publish(target.topic, chunk);
        }
        await reached(() => received, options.messages, 'project consumer');
        return now() - start;
      } finally {
        await broker.close();
      }
    },
  };
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

/** Runs the benchmark and returns the markdown body of its section. */
export async function benchPulsarThroughput(
  overrides: Partial<PulsarThroughputOptions> = {},
): Promise<string> {
  const options = { ...DEFAULTS, ...overrides };
  const { webUrl, serviceUrl, tenant, namespace } = loadAllSettings().streaming;
  const web = new URL(webUrl);
  const wsBase = `${web.protocol === 'https:' ? 'wss:' : 'ws:'}//${web.host}/ws/v2`;
  const payload = samplePayload();
  const payloadFile = join(tmpdir(), `pulsar-throughput-${randomUUID()}.json`);
  writeFileSync(payloadFile, payload);
  const cases: Case[] = [
    projectCase(webUrl, tenant, namespace, options, payload),
    bareWebSocketCase(wsBase, options, payload.toString('base64')),
    javaCase(serviceUrl, options, payloadFile, false),
    javaCase(serviceUrl, options, payloadFile, true),
  ];
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
  const rows = layouts.flatMap((layout) => {
    const bare = rate(`${layout.name}|${cases[1].client}`);
    const java = rate(`${layout.name}|${cases[3].client}`);
    return cases.map((one) => {
      const perSecond = rate(`${layout.name}|${one.client}`);
      return `| ${layout.name} | ${one.client} | ${fmt(median(ms.get(`${layout.name}|${one.client}`) ?? []) / 1000, 2)} | ${fmt(perSecond)} | ${fmt(perSecond / bare, 2)} | ${fmt(perSecond / java, 2)} |`;
    });
  });
  return [
    'Command: `npm run bench -- --only pulsar-throughput` (option: `--pulsar-rounds <n>`).',
    '',
    `Pulsar 3.0.7 standalone at ${webUrl} (WebSocket API) and ${serviceUrl} (native protocol), on the same machine. ` +
      `${fmt(options.messages)} messages of ${payload.length} bytes (a movement as the project publishes it), keyed by ${fmt(options.keys)} accounts; ` +
      `end to end: consumers attached first (one Shared subscription, one consumer per partition), then the time from the first send until every message was received. ` +
      `${options.rounds} rounds, medians; every measurement on a fresh topic.`,
    '',
    '| topic | client | seconds | messages/s | vs bare WebSocket | vs Java (batching) |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
