/**
 * Graph loading at the server's limit (issue 11): the same bank loaded into the same JanusGraph
 * in one run, (a) by a server-side Groovy script, which is the limit, and (b) by each loading
 * path of the project, each as elements/s and as a ratio to the limit measured in the same round
 * (the script loads at the start and again at the end of every round; the mean of the two).
 *
 *   npm run bench -- --only graph-load [--graph-load-rounds 2] [--graph-load-edges 20000]
 *
 * The limit script is this benchmark's own measuring instrument: fixed text, the data shipped
 * once as a JSON-lines file (written here, read by the server, so the server must see this
 * machine's temporary folder: true for `docker/local/services.sh`), every vertex added, every
 * edge's ends looked up by uid (the `byUid` index) and the edge added, one transaction per
 * 1,000 elements, on one server thread. The project paths go through Gremlin Server's bytecode
 * API like the applications do. The graph is cleared (`store.clear()`) before every load, and
 * each load is checked: the graph must hold exactly the bank's vertices and edges afterwards.
 *
 * End to end through Pulsar (when the `streaming` settings name Pulsar, as `npm run bench` sets
 * them): the seeder's Pulsar sink publishes the same data and the project's ingest worker, in
 * this process, writes it into the same JanusGraph; timed from the first publish until the
 * worker wrote every element, against the same round's limit.
 *
 * It measures the server it is pointed at (the `graph` settings) and says which storage backend
 * that server runs (in-memory, BerkeleyDB JE, Cassandra through CQL). It CLEARS that graph.
 * `npm run bench -- --only graph-load --graph-backends inmemory,berkeleyje,cql` runs it once per
 * backend on servers of its own (bench/run.sh starts and stops them).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DatasetChunk,
  generateBank,
  generateBankInMemory,
  GraphStoreSink,
  writeDataset,
} from '@app/generators';
import { JanusGraphGraphStore } from '@app/graph-store';
import { bootstrapSchema, encodeProps, JanusGraphClient } from '@app/janusgraph';
import { type GraphConfig, loadAllSettings, type StreamingConfig } from '@app/settings';
import { createMessageBroker, PulsarDatasetSink } from '@app/streaming';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { type IngestOptions, ingestOptionsFrom } from '../apps/ingest/src/ingest/ingest.options';
import { IngestWorker } from '../apps/ingest/src/ingest/ingest.worker';
import { LOADER_CALLS_IN_FLIGHT, loadBatched } from './graph-store.bench';
import { NoDetection } from './pulsar-throughput.bench';
import { cassandraPids, localJanusGraphPid, pulsarPid } from './local-servers';

export interface GraphLoadOptions {
  seed: number;
  days: number;
  referenceTime: string;
  /** Rounds of (limit, every path, limit again); ratios are taken within a round, then the median. */
  rounds: number;
  /** Only this many edges (spread over the bank) and their end vertices; the whole bank when absent. */
  edges?: number;
  /** (items per request, requests in flight) tried for the store's upserts, one round each, after the rounds. */
  batchSizes: readonly (readonly [number, number])[];
  /** Elements per transaction of the limit script. */
  scriptCommitEvery: number;
  /**
   * Folder of the local services' runtime (pid files), to read the servers' CPU time: the
   * repository's .services unless bench/run.sh started servers of its own elsewhere.
   */
  servicesDir: string;
  /**
   * Also run the end-to-end path with the ingest worker as it was before it held movements and
   * wrote batches side by side (INGEST_HOLD_MISSING_MS=0, INGEST_WRITE_CONCURRENCY=1), in the
   * same round, for a before/after comparison (`--graph-load-ingest-before`).
   */
  ingestBefore?: boolean;
  /**
   * Ingest tunings measured side by side (`--graph-load-ingest-tunings 200x1,500x2:1500@50`): when
   * given, a round is the limit and one end-to-end Pulsar load per tuning, nothing else, and every
   * second round runs the tunings in reverse order (so a tuning is not always measured at the
   * same point of the round).
   */
  ingestTunings?: readonly IngestTuning[];
}

/** One setting of the ingest worker for the end-to-end path (`--graph-load-ingest-tunings`). */
export interface IngestTuning {
  /** INGEST_BATCH_SIZE. */
  batchSize: number;
  /** INGEST_WRITE_CONCURRENCY. */
  writeConcurrency: number;
  /** PULSAR_RECEIVE_QUEUE_SIZE; the streaming settings' value when absent. */
  receiveQueueSize?: number;
  /** PULSAR_PUBLISH_BUNDLE_SIZE of the sink; the streaming settings' value when absent. */
  bundleSize?: number;
  /** INGEST_HOLD_MAX_MESSAGES; the ingest settings' value when absent. */
  holdMaxMessages?: number;
}

const DEFAULTS: GraphLoadOptions = {
  seed: 42,
  days: 90,
  referenceTime: '2025-01-01T00:00:00Z',
  rounds: 2,
  batchSizes: [
    [200, 4],
    [500, 2],
    [500, 4],
    [1000, 4],
  ],
  scriptCommitEvery: 1000,
  servicesDir: join(__dirname, '..', '.services'),
};

/**
 * The limit: one Groovy script on the server reads the file and writes every element.
 * Bindings: `path` (the file), `commitEvery`. Fixed text; no value of the data is in it.
 */
const LIMIT_SCRIPT = `
def graph = g.getGraph()
def slurper = new groovy.json.JsonSlurper()
def label = org.apache.tinkerpop.gremlin.structure.T.label
long count = 0
new File(path).withReader('UTF-8') { reader ->
  String line
  while ((line = reader.readLine()) != null) {
    def item = slurper.parseText(line)
    if (item.kind == 'vertex') {
      def vertex = graph.addVertex(label, item.label, 'uid', item.uid)
      item.props.each { key, value -> vertex.property(key, value) }
    } else {
      def from = g.V().has('uid', item.from).next()
      def to = g.V().has('uid', item.to).next()
      def edge = from.addEdge(item.label, to, 'eid', item.eid)
      item.props.each { key, value -> edge.property(key, value) }
    }
    count++
    if (count % commitEvery == 0) graph.tx().commit()
  }
}
graph.tx().commit()
count
`;

/** What the server runs on, asked by a fixed script. */
const SERVER_SCRIPT = `
def config = g.getGraph().configuration()
[org.janusgraph.graphdb.configuration.JanusGraphConstants.VERSION,
 config.getString('storage.backend'), config.getString('index.search.backend')]
`;

const BACKEND_NAMES: Readonly<Record<string, string>> = {
  inmemory: 'in-memory',
  berkeleyje: 'BerkeleyDB JE',
  cql: 'Cassandra (CQL)',
};

interface Dataset {
  vertices: GraphVertex[];
  edges: GraphEdge[];
}

interface Path {
  name: string;
  how: string;
  load: (store: JanusGraphGraphStore, data: Dataset) => Promise<void>;
  /** Pulsar's CPU time counts too (the path goes through it). */
  viaPulsar?: boolean;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

/** Runs `work` on `items` with at most `concurrency` of them at once. */
async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** `count` edges spread over the bank (every label in its share) and every vertex they touch. */
function subset(bank: Dataset, count: number | undefined): Dataset {
  if (count === undefined || count >= bank.edges.length) return bank;
  const step = bank.edges.length / count;
  const edges = Array.from({ length: count }, (_unused, i) => bank.edges[Math.floor(i * step)]);
  const ends = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  return { vertices: bank.vertices.filter((vertex) => ends.has(vertex.uid)), edges };
}

/** The data as the limit script reads it: one element per line, vertices first. */
function writeDataFile(data: Dataset): string {
  const path = join(tmpdir(), `graph-load-${randomUUID()}.jsonl`);
  const lines: string[] = [];
  for (const vertex of data.vertices) {
    const props = Object.fromEntries(encodeProps(vertex.props));
    lines.push(JSON.stringify({ kind: 'vertex', label: vertex.label, uid: vertex.uid, props }));
  }
  for (const edge of data.edges) {
    const props = Object.fromEntries(encodeProps(edge.props));
    lines.push(
      JSON.stringify({
        kind: 'edge',
        label: edge.label,
        eid: edge.eid,
        from: edge.from,
        to: edge.to,
        props,
      }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The project's loading paths, each given the same data on an empty graph. */
function projectPaths(options: GraphLoadOptions, settings: GraphConfig, whole: boolean): Path[] {
  const { batchSize, writeConcurrency } = settings;
  return [
    {
      name: 'store upserts',
      how: `\`upsertVertices\` / \`upsertEdges\` with ${fmt(batchSize)} items per call, ${writeConcurrency} calls in flight (as the ingest and the API write)`,
      load: async (store, data) => {
        await inParallel(chunk(data.vertices, batchSize), writeConcurrency, (part) =>
          store.upsertVertices(part),
        );
        await inParallel(chunk(data.edges, batchSize), writeConcurrency, (part) =>
          store.upsertEdges(part),
        );
      },
    },
    {
      name: 'seeder sink',
      how: whole
        ? `\`GraphStoreSink\` fed by the generator (\`seeder generate --sink graph\`; generation included), ${writeConcurrency} batches in flight`
        : `\`GraphStoreSink\` fed the subset (vertices, then edges), ${writeConcurrency} batches in flight`,
      load: async (store, data) => {
        const sink = new GraphStoreSink(store, batchSize, writeConcurrency);
        await writeDataset(whole ? generateBank(bankOptions(options)) : asChunks(data), sink);
      },
    },
    {
      name: 'bench loader',
      how: `the graph-store benchmark's loader: calls of ${fmt(batchSize * 10)} items, ${LOADER_CALLS_IN_FLIGHT} in flight, each split by the store into ${fmt(batchSize)}-item requests (checked first, as a call of several requests is)`,
      load: async (store, data) => {
        await loadBatched(store, data, batchSize, false);
      },
    },
  ];
}

/** The worker's and the broker's warnings and errors, tallied by kind (ids left out), not printed. */
class Tally {
  readonly counts = new Map<string, number>();

  readonly logger = {
    log: (): void => undefined,
    debug: (): void => undefined,
    warn: (message: unknown): void => this.add(message),
    error: (message: unknown): void => this.add(message),
  };

  private add(message: unknown): void {
    const text =
      typeof message === 'object' && message !== null && 'msg' in message
        ? String(message.msg)
        : String(message);
    const kind = text.replace(/"[^"]*"/g, '"…"').replace(/\d+(\.\d+)?/g, 'N');
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** The most frequent kinds, most frequent first. */
  top(n: number): string[] {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([kind, count]) => `${fmt(count)} × "${kind}"`);
  }
}

/** Longest wait for the ingest worker to write everything (a stuck worker fails the run). */
const INGEST_TIMEOUT_MS = 3_600_000;

/** What the ingest worker of an end-to-end load counted, and what it warned about. */
interface IngestRecord {
  received: number;
  written: number;
  retried: number;
  held: number;
  heldTimedOut: number;
  heldTries: number;
  warnings: string[];
}

/**
 * Resolves once `count()` reaches `target`; fails when the worker dead-letters (every element is
 * valid, so the measurement is void) or after INGEST_TIMEOUT_MS.
 */
async function written(worker: IngestWorker, target: number): Promise<void> {
  const deadline = Date.now() + INGEST_TIMEOUT_MS;
  while (worker.counters.written < target) {
    const { deadLettered } = worker.counters;
    if (deadLettered > 0)
      throw new Error(
        `graph-load: the ingest worker dead-lettered ${deadLettered} valid messages; the measurement is void`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `graph-load: the ingest worker wrote ${worker.counters.written} of ${target} elements in ${INGEST_TIMEOUT_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The chunks of `source`, holding the first movements chunk back until the worker wrote every
 * element published before it (the population: people, companies, accounts, their edges).
 */
async function* movementsAfterPopulation(
  source: AsyncIterable<DatasetChunk>,
  worker: IngestWorker,
): AsyncGenerator<DatasetChunk> {
  let published = 0;
  let waited = false;
  for await (const chunk of source) {
    if (chunk.stage === 'movements' && !waited) {
      await written(worker, published);
      waited = true;
    }
    published += chunk.vertices.length + chunk.edges.length;
    yield chunk;
  }
}

/**
 * End to end: the seeder's Pulsar sink (`seeder generate --sink pulsar`) publishes the data on
 * topics of this load alone, and the ingest worker (ingest settings from the environment, detection off)
 * writes it into the store. Done when the worker wrote every element; a dead-lettered message
 * voids the measurement (every element is valid). `staged`: the movements are published only
 * once the worker wrote the population (what an operator loading a bank through Pulsar can do);
 * otherwise right after it, as the seeder does.
 */
function pulsarPath(
  options: GraphLoadOptions,
  streaming: StreamingConfig,
  ingest: IngestOptions,
  whole: boolean,
  staged: boolean,
  records: Map<string, IngestRecord>,
  before = false,
  tuning?: IngestTuning,
): Path {
  const ingestOptions = before
    ? { ...ingest, holdMissingMs: 0, writeConcurrency: 1 }
    : tuning
      ? {
          ...ingest,
          batchSize: tuning.batchSize,
          writeConcurrency: tuning.writeConcurrency,
          holdMaxMessages: tuning.holdMaxMessages ?? ingest.holdMaxMessages,
        }
      : ingest;
  const receiveQueueSize = tuning?.receiveQueueSize ?? streaming.receiveQueueSize;
  const { batchSize, batchWindowMs, writeConcurrency, holdMissingMs } = ingestOptions;
  const name = before
    ? 'Pulsar → ingest, worker as before (no holding, one write at a time)'
    : tuning
      ? `Pulsar → ingest, ${tuningLabel(tuning, streaming)}`
      : staged
        ? 'Pulsar → ingest, movements after the population'
        : 'Pulsar → ingest';
  let loads = 0;
  return {
    name,
    how: before
      ? `as the next row, but with INGEST_HOLD_MISSING_MS=0 and INGEST_WRITE_CONCURRENCY=1: the worker as it was before it held movements whose accounts are missing and wrote batches side by side`
      : tuning
        ? `everything published at once; INGEST_BATCH_SIZE=${batchSize}, INGEST_WRITE_CONCURRENCY=${writeConcurrency}, PULSAR_RECEIVE_QUEUE_SIZE=${receiveQueueSize}, PULSAR_PUBLISH_BUNDLE_SIZE=${tuning.bundleSize ?? streaming.publishBundleSize}, INGEST_HOLD_MAX_MESSAGES=${ingestOptions.holdMaxMessages}`
        : staged
          ? 'as above, but the movements are published only once the worker wrote the population (people, companies, accounts and their edges), so that no movement arrives before its accounts'
          : `end to end: \`PulsarDatasetSink\` (as \`seeder generate --sink pulsar\`${whole ? ', generation included' : ', fed the subset'}, PULSAR_PUBLISH_BUNDLE_SIZE=${streaming.publishBundleSize}; Pulsar over ${streaming.transport === 'native' ? 'the native protocol' : 'WebSocket'}) → \`IngestWorker\` in this process ` +
            `(INGEST_BATCH_SIZE=${batchSize}, INGEST_BATCH_WINDOW_MS=${batchWindowMs}, INGEST_WRITE_CONCURRENCY=${writeConcurrency}, INGEST_HOLD_MISSING_MS=${holdMissingMs}, detection off) → store upserts; from the first publish until the worker wrote every element`,
    viaPulsar: true,
    load: async (store, data) => {
      loads += 1;
      const tag = `graph-load-${process.pid}-${Date.now().toString(36)}-${before ? 'b' : tuning ? 't' : staged ? 's' : 'd'}${loads}`;
      const config: StreamingConfig = {
        ...streaming,
        receiveQueueSize,
        publishBundleSize: tuning?.bundleSize ?? streaming.publishBundleSize,
        backend: 'pulsar',
        entitiesTopic: `${tag}-entities`,
        movementsTopic: `${tag}-movements`,
        alertsTopic: `${tag}-alerts`,
        deadLetterTopic: `${tag}-dlq`,
        subscription: tag,
      };
      const tally = new Tally();
      const broker = createMessageBroker(config, { logger: tally.logger });
      const worker = new IngestWorker(
        broker,
        store,
        new NoDetection(),
        config,
        ingestOptions,
        tally.logger,
      );
      await worker.start();
      try {
        const sink = PulsarDatasetSink.fromSettings(config, tally.logger);
        const chunks = whole ? generateBank(bankOptions(options)) : asChunks(data);
        const publishing = writeDataset(
          staged ? movementsAfterPopulation(chunks, worker) : chunks,
          sink,
        );
        // Looked at below, once the worker is done; a failure must not count as unhandled.
        publishing.catch(() => undefined);
        await Promise.race([
          written(worker, data.vertices.length + data.edges.length),
          publishing.then(() => new Promise<never>(() => undefined)),
        ]);
        await publishing;
        const { received, retried, held, heldTimedOut, heldTries } = worker.counters;
        records.set(name, {
          received,
          written: worker.counters.written,
          retried,
          held,
          heldTimedOut,
          heldTries,
          warnings: tally.top(3),
        });
      } finally {
        await worker.stop();
        await broker.close();
      }
    },
  };
}

/** `200 × 1, queue 500`: items per batch × batches written at once, and the receive queue. */
function tuningLabel(tuning: IngestTuning, streaming: StreamingConfig): string {
  const hold = tuning.holdMaxMessages === undefined ? '' : `, hold ${fmt(tuning.holdMaxMessages)}`;
  return `${tuning.batchSize} × ${tuning.writeConcurrency}, queue ${fmt(tuning.receiveQueueSize ?? streaming.receiveQueueSize)}, bundles of ${tuning.bundleSize ?? streaming.publishBundleSize}${hold}`;
}

function bankOptions(options: GraphLoadOptions) {
  return {
    profile: 'small' as const,
    seed: options.seed,
    referenceTime: options.referenceTime,
    days: options.days,
  };
}

async function* asChunks(data: Dataset): AsyncGenerator<DatasetChunk> {
  const progress = { done: 1, total: 1 };
  yield await Promise.resolve({
    stage: 'population' as const,
    vertices: data.vertices,
    edges: [],
    groundTruth: [],
    progress,
  });
  yield { stage: 'movements' as const, vertices: [], edges: data.edges, groundTruth: [], progress };
}

/** CPU time of each process a load ran on, in ms. */
interface CpuSplit {
  /** JanusGraph and, on Cassandra, its nodes. */
  graph: number;
  /** The Pulsar broker (0 for a path that does not go through it). */
  broker: number;
  /** This benchmark process (the client side of every path, the ingest worker too). */
  own: number;
}

interface Measured {
  name: string;
  ms: number;
  /** CPU time of the server and of this process during the load (undefined: server not local). */
  cpuMs?: number;
  /** The same CPU time by process. */
  split?: CpuSplit;
}

/** One load standing for two of the same path: the mean of their times and of their CPU. */
function meanOfLoads(first: Measured, second: Measured): Measured {
  return {
    name: first.name,
    ms: (first.ms + second.ms) / 2,
    cpuMs:
      first.cpuMs === undefined || second.cpuMs === undefined
        ? undefined
        : (first.cpuMs + second.cpuMs) / 2,
    split:
      first.split === undefined || second.split === undefined
        ? undefined
        : {
            graph: (first.split.graph + second.split.graph) / 2,
            broker: (first.split.broker + second.split.broker) / 2,
            own: (first.split.own + second.split.own) / 2,
          },
  };
}

/** Clock ticks per second of /proc's CPU times. */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** User + system CPU time of a process so far, in ms (fields 14 and 15 of /proc/<pid>/stat). */
function processCpuMs(pid: number, ticks: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

/** Runs the benchmark and returns the report as markdown. Clears the JanusGraph it uses. */
export async function benchGraphLoad(overrides: Partial<GraphLoadOptions> = {}): Promise<{
  markdown: string;
  variant: string;
}> {
  const options = { ...DEFAULTS, ...overrides };
  const { graph: settings, streaming, ingest: ingestConfig } = loadAllSettings();
  // The ingest settings of the environment (INGEST_BATCH_SIZE, INGEST_WRITE_CONCURRENCY, ...),
  // like PULSAR_RECEIVE_QUEUE_SIZE and the other streaming settings: a tuning can be measured.
  const ingest = ingestOptionsFrom(ingestConfig);
  const loadAtStart = loadavg();
  const bank = await generateBankInMemory(bankOptions(options));
  const data = subset({ vertices: bank.vertices, edges: bank.edges }, options.edges);
  const whole = data === bank || data.edges.length === bank.edges.length;
  const elements = data.vertices.length + data.edges.length;
  const file = writeDataFile(data);

  const client = new JanusGraphClient(
    { ...settings, poolSize: Math.max(settings.poolSize, settings.writeConcurrency) },
    {
      logger: {
        log: () => undefined,
        warn: (m: string) => process.stderr.write(`${m}\n`),
        error: (m: string) => process.stderr.write(`${m}\n`),
      },
    },
  );
  await client.open();
  try {
    await bootstrapSchema(client);
    const [version, storage, index] = (await client.submitScript(SERVER_SCRIPT, {})).map(String);
    const backend = BACKEND_NAMES[storage] ?? storage;
    const store = new JanusGraphGraphStore(client, {
      batchSize: settings.batchSize,
      writeConcurrency: settings.writeConcurrency,
    });
    const expected = { vertices: data.vertices.length, edges: data.edges.length };
    const check = async (name: string): Promise<void> => {
      const counts = await store.counts();
      const stored = {
        vertices: Object.values(counts.vertices).reduce((a, b) => a + b, 0),
        edges: Object.values(counts.edges).reduce((a, b) => a + b, 0),
      };
      if (stored.vertices !== expected.vertices || stored.edges !== expected.edges) {
        throw new Error(
          `graph-load: after "${name}" the graph holds ${stored.vertices} vertices and ${stored.edges} edges, not ${expected.vertices} and ${expected.edges}`,
        );
      }
    };
    const serverPid = localJanusGraphPid(options.servicesDir, settings.port);
    const storagePids = storage === 'cql' ? cassandraPids(options.servicesDir) : [];
    const brokerPid = pulsarPid(options.servicesDir);
    const ticks = clockTicks();
    /** CPU so far of the graph servers (JanusGraph, its Cassandra nodes), of this process and, for a path through Pulsar, of the broker. */
    const cpuNow = (viaPulsar: boolean): CpuSplit | undefined => {
      if (serverPid === undefined) return undefined;
      if (viaPulsar && brokerPid === undefined) return undefined;
      const own = process.cpuUsage();
      return {
        graph: [serverPid, ...storagePids].reduce((sum, pid) => sum + processCpuMs(pid, ticks), 0),
        broker: viaPulsar && brokerPid ? processCpuMs(brokerPid, ticks) : 0,
        own: (own.user + own.system) / 1000,
      };
    };
    const timed = async (
      name: string,
      load: () => Promise<unknown>,
      viaPulsar = false,
    ): Promise<Measured> => {
      await store.clear();
      process.stdout.write(`  ${name}… `);
      const cpuBefore = cpuNow(viaPulsar);
      const start = now();
      await load();
      const ms = now() - start;
      const cpuAfter = cpuNow(viaPulsar);
      const split =
        cpuBefore === undefined || cpuAfter === undefined
          ? undefined
          : {
              graph: cpuAfter.graph - cpuBefore.graph,
              broker: cpuAfter.broker - cpuBefore.broker,
              own: cpuAfter.own - cpuBefore.own,
            };
      const cpuMs = split === undefined ? undefined : split.graph + split.broker + split.own;
      const perThousand = (value: number): string => fmt((value / elements) * 1000);
      process.stdout.write(
        `${fmt((elements / ms) * 1000)} elements/s` +
          (cpuMs === undefined || split === undefined
            ? ''
            : `, ${perThousand(cpuMs)} ms CPU per 1,000 (JanusGraph ${perThousand(split.graph)}${viaPulsar ? `, Pulsar ${perThousand(split.broker)}` : ''}, this process ${perThousand(split.own)})`) +
          '\n',
      );
      await check(name);
      return { name, ms, cpuMs, split };
    };
    const limit = (): Promise<Measured> =>
      timed('limit: server-side script', () =>
        client.submitScript(
          LIMIT_SCRIPT,
          { path: file, commitEvery: options.scriptCommitEvery },
          { operation: 'graph-load limit script', idempotent: false, timeoutMs: 3_600_000 },
        ),
      );

    const viaPulsar = streaming.backend === 'pulsar';
    const ingestRecords = new Map<string, IngestRecord>();
    const tunings = viaPulsar ? (options.ingestTunings ?? []) : [];
    const storeUpserts = projectPaths(options, settings, whole)[0];
    const paths =
      tunings.length > 0
        ? tunings.map((tuning) =>
            pulsarPath(options, streaming, ingest, whole, false, ingestRecords, false, tuning),
          )
        : [
            ...projectPaths(options, settings, whole),
            ...(viaPulsar
              ? [
                  ...(options.ingestBefore
                    ? [pulsarPath(options, streaming, ingest, whole, false, ingestRecords, true)]
                    : []),
                  pulsarPath(options, streaming, ingest, whole, false, ingestRecords),
                  pulsarPath(options, streaming, ingest, whole, true, ingestRecords),
                ]
              : []),
          ];
    // One unmeasured load by the limit script and by the store first: the server's JIT compiles
    // both paths before any round is measured (a cold first round counted the script at about
    // twice its CPU per element). Through Pulsar, one unmeasured end-to-end load too: the
    // broker's JIT and this process's producer, consumer and codec are warm before the first
    // measured one (the broker's first load of a run cost more than twice the CPU per element
    // of the same load right after it: 190 against 83 ms per 1,000 on 2026-12-06).
    process.stdout.write('warm-up (not measured)\n');
    // The script twice: on a quiet machine its rate still rose by half between the start and
    // the end of the first round after one warm-up load (4,093 -> 6,005 elements/s).
    await limit();
    await limit();
    // The store twice too, as the script: on a fresh BerkeleyDB JE server its rate rose from
    // 2,346 to 4,152 and then 4,621 elements/s over its first three loads (2026-12-06), the JIT
    // still compiling the steps only the project's requests use (mergeV, mergeE, GraphBinary).
    await timed('store upserts', () => storeUpserts.load(store, data));
    await timed('store upserts', () => storeUpserts.load(store, data));
    const firstViaPulsar = paths.find((path) => path.viaPulsar);
    if (firstViaPulsar !== undefined)
      await timed(`${firstViaPulsar.name} (warm-up)`, () => firstViaPulsar.load(store, data), true);
    const rounds: Measured[][] = [];
    /** The limit's two loads of each round, at its start and at its end. */
    const limitEnds: [Measured, Measured][] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      process.stdout.write(`round ${round + 1} of ${options.rounds}\n`);
      const limitStart = await limit();
      const order = paths.map((_path, index) => index);
      // Tunings: every second round in reverse, so that none is always measured first or last.
      if (tunings.length > 0 && round % 2 === 1) order.reverse();
      const byPath: Measured[] = [];
      for (const index of order) {
        const path = paths[index];
        byPath[index] = await timed(path.name, () => path.load(store, data), path.viaPulsar);
      }
      // The limit again at the end of the round: a path is compared with the mean of a limit
      // load before it and one after it, not with one measured at a different moment of a
      // shared machine (the load right after the script was the slowest in earlier runs).
      const limitEnd = await limit();
      limitEnds.push([limitStart, limitEnd]);
      rounds.push([meanOfLoads(limitStart, limitEnd), ...byPath]);
    }

    const sweep: { batchSize: number; concurrency: number; limit: Measured; path: Measured }[] = [];
    for (const [batchSize, concurrency] of options.batchSizes) {
      const sized = new JanusGraphGraphStore(client, { batchSize, writeConcurrency: concurrency });
      const storePath = projectPaths(
        options,
        { ...settings, batchSize, writeConcurrency: concurrency },
        whole,
      )[0];
      const limitRun = await limit();
      const path = await timed(`store upserts, ${batchSize} items x ${concurrency}`, () =>
        storePath.load(sized, data),
      );
      sweep.push({ batchSize, concurrency, limit: limitRun, path });
    }
    await store.clear();

    const rate = (ms: number): number => (elements / ms) * 1000;
    const measuredCpu = serverPid !== undefined;
    /** CPU ms per 1,000 elements, and the limit's CPU per element over the path's (same round). */
    const cpuCells = (path: Measured[], limitRuns: Measured[]): string => {
      if (!measuredCpu) return '';
      const perThousand = path.map((m) => ((m.cpuMs ?? Number.NaN) / elements) * 1000);
      const ratios = path.map(
        (m, i) => (limitRuns[i].cpuMs ?? Number.NaN) / (m.cpuMs ?? Number.NaN),
      );
      return ` ${fmt(median(perThousand))} | ${fmt(median(ratios), 2)} |`;
    };
    const cpuHead = measuredCpu ? ' CPU ms per 1,000 elements | CPU ratio |' : '';
    const cpuRule = measuredCpu ? '---:|---:|' : '';
    const names = ['limit: server-side script', ...paths.map((p) => p.name)];
    const rows = names.map((name, index) => {
      const ms = rounds.map((measured) => measured[index].ms);
      const ratios = rounds.map((measured) => measured[0].ms / measured[index].ms);
      const how =
        index === 0
          ? `one Groovy script on the server, ${fmt(options.scriptCommitEvery)} elements per transaction`
          : paths[index - 1].how;
      const cpu = cpuCells(
        rounds.map((measured) => measured[index]),
        rounds.map((measured) => measured[0]),
      );
      // With tunings and several rounds: each round's value, as elements/s ratio / CPU ratio.
      const perRound =
        tunings.length > 0 && rounds.length > 1
          ? ` ${rounds
              .map((measured) =>
                index === 0
                  ? fmt(rate(measured[0].ms))
                  : `${fmt(measured[0].ms / measured[index].ms, 2)} / ${fmt((measured[0].cpuMs ?? Number.NaN) / (measured[index].cpuMs ?? Number.NaN), 2)}`,
              )
              .join('; ')} |`
          : '';
      return `| ${name} | ${how} | ${fmt(median(ms) / 1000, 1)} | ${fmt(rate(median(ms)))} | ${index === 0 ? '1.00' : fmt(median(ratios), 2)} |${cpu}${perRound}`;
    });
    const roundsHead =
      tunings.length > 0 && rounds.length > 1
        ? ' each round (limit: elements/s; paths: ratio / CPU ratio) |'
        : '';
    const roundsRule = roundsHead === '' ? '' : '---|';
    /** The issue's aims: loading paths within 1.25x of the limit, Pulsar end to end within 1.5x. */
    const aims = paths.map((path, i) => {
      const aim = path.viaPulsar === true ? 0.67 : 0.8;
      const ratio = median(rounds.map((measured) => measured[0].ms / measured[i + 1].ms));
      const cpuRatio = median(
        rounds.map(
          (measured) => (measured[0].cpuMs ?? Number.NaN) / (measured[i + 1].cpuMs ?? Number.NaN),
        ),
      );
      const verdict = (value: number): string =>
        Number.isFinite(value) ? (value >= aim ? 'met' : 'not met') : 'not measured';
      return `${path.name}: aim ≥ ${fmt(aim, 2)}; elements/s ${fmt(ratio, 3)} (${verdict(ratio)}), CPU ${fmt(cpuRatio, 3)} (${verdict(cpuRatio)})`;
    });
    const loadAtEnd = loadavg();
    const lines = [
      'Command: `npm run bench -- --only graph-load` (options: `--graph-load-rounds <n>`, `--graph-load-edges <n>` for a subset, `--graph-load-sweep none|200x4,500x2` for the batch-size table, `--graph-load-ingest-before` for the ingest worker as it was before holding and side-by-side writes, `--graph-load-ingest-tunings 200x1,500x2:1500` for end-to-end loads under several ingest settings (<INGEST_BATCH_SIZE>x<INGEST_WRITE_CONCURRENCY>[:<PULSAR_RECEIVE_QUEUE_SIZE>][@<PULSAR_PUBLISH_BUNDLE_SIZE>][+<INGEST_HOLD_MAX_MESSAGES>]) side by side, without the other paths, `--graph-backends inmemory,berkeleyje,cql` for servers of its own on each storage backend, one block each).',
      '',
      `Server: JanusGraph ${version} on **${backend}** storage (\`storage.backend=${storage}\`, mixed indexes: ${index}) at ${client.endpoint}, on the same ${cpus().length} cores as this client. ` +
        `Data: the \`small\` bank (seed ${options.seed}, ${options.days} days)${whole ? '' : `, ${fmt(data.edges.length)} of its ${fmt(bank.edges.length)} edges spread over the bank and their end vertices`}: ` +
        `${fmt(data.vertices.length)} vertices and ${fmt(data.edges.length)} edges (${fmt(elements)} elements). ` +
        `Settings: GRAPH_BATCH_SIZE=${settings.batchSize}, GRAPH_WRITE_CONCURRENCY=${settings.writeConcurrency}. ` +
        `${options.rounds === 1 ? '1 round' : `${options.rounds} rounds`} of (limit, every path, limit again), after two unmeasured warm-up loads by the script and two by the store${tunings.length > 0 ? ' and one unmeasured end-to-end load with the first tuning; the paths of this block are the end-to-end Pulsar load under each tuning, every second round in reverse order' : ''}; the graph is cleared before each load and checked after it; ${options.rounds === 1 ? 'one round: no median' : 'medians of the rounds'}, ratio = path rate / limit rate of the same round (the mean of its two limit loads). ` +
        `Machine load (1-minute load average, ${cpus().length} cores shared with other work): ${fmt(loadAtStart[0], 1)} at the start, ${fmt(loadAtEnd[0], 1)} at the end.`,
      '',
      `| path | how | seconds | elements/s | ratio to the limit |${cpuHead}${roundsHead}`,
      `|---|---|---:|---:|---:|${cpuRule}${roundsRule}`,
      ...rows,
      ...(measuredCpu
        ? [
            '',
            `CPU: user + system time of the JanusGraph server process${storagePids.length > 0 ? `, its ${storagePids.length} Cassandra node${storagePids.length > 1 ? 's' : ''}` : ''} and this benchmark process during each load${viaPulsar ? ', and for the Pulsar path the Pulsar broker too' : ''}, per 1,000 elements; CPU ratio = the limit's CPU per element / the path's, same round. On a machine whose cores are shared, the elements/s ratio also depends on what else runs at that moment; the CPU ratio is what the ratio would be if the cores were the only limit.`,
            '',
            `The same CPU by process, ms per 1,000 elements (median of the rounds): ${names
              .map((name, index) => {
                const splits = rounds.map((measured) => measured[index].split);
                const part = (pick: (split: CpuSplit) => number): string =>
                  fmt(
                    (median(
                      splits.map((split) => (split === undefined ? Number.NaN : pick(split))),
                    ) /
                      elements) *
                      1000,
                  );
                const viaBroker = index > 0 && paths[index - 1].viaPulsar;
                return `${name}: JanusGraph${storagePids.length > 0 ? ' and Cassandra' : ''} ${part((split) => split.graph)}${viaBroker ? `, Pulsar ${part((split) => split.broker)}` : ''}, this process ${part((split) => split.own)}`;
              })
              .join('; ')}.`,
          ]
        : []),
      ...[...ingestRecords.entries()].flatMap(([name, record]) => [
        '',
        `${name}, last load: the ingest worker received ${fmt(record.received)} messages and wrote ${fmt(record.written)} elements; ${fmt(record.retried)} deliveries were put back to be tried again, none dead-lettered; ${fmt(record.held)} deliveries were held in the worker for a missing account or vertex (${fmt(record.heldTimedOut)} of them still missing after INGEST_HOLD_MISSING_MS, then put back), and tried again ${fmt(record.heldTries)} times in all.` +
          (record.warnings.length > 0
            ? ` Its most frequent warnings: ${record.warnings.join('; ')}.`
            : ' No warnings.'),
      ]),
      '',
      `The limit was loaded at the start and again at the end of each round, and each round's limit is the mean of the two times (and CPU): ${limitEnds.map(([first, last], round) => `round ${round + 1} ${fmt(rate(first.ms))} then ${fmt(rate(last.ms))} elements/s`).join('; ')}. The gap between the two is the noise a ratio of that round carries.`,
      '',
      `Against the issue's aims (ratio to the limit, median of the rounds): ${aims.join('; ')}.`,
      ...(sweep.length === 0
        ? []
        : [
            '',
            "Items per request and requests in flight of the store's upserts (GRAPH_BATCH_SIZE, GRAPH_WRITE_CONCURRENCY; one round each, next to its own limit run):",
            '',
            `| items per request | in flight | seconds | elements/s | ratio to the limit |${cpuHead}`,
            `|---:|---:|---:|---:|---:|${cpuRule}`,
            ...sweep.map(
              (s) =>
                `| ${fmt(s.batchSize)} | ${s.concurrency} | ${fmt(s.path.ms / 1000, 1)} | ${fmt(rate(s.path.ms))} | ${fmt(s.limit.ms / s.path.ms, 2)} |${cpuCells([s.path], [s.limit])}`,
            ),
          ]),
    ];
    // A subset is its own block, so that a whole-bank run of the same backend stays beside it.
    return {
      markdown: lines.join('\n'),
      // Tunings are their own block too: they do not replace the block of every path.
      variant: `${whole ? storage : `${storage}-${data.edges.length}-edges`}${tunings.length > 0 ? '-ingest-tunings' : ''}`,
    };
  } finally {
    rmSync(file, { force: true });
    await client.close();
  }
}
