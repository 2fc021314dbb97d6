/**
 * Graph loading at the server's limit (issue 11): the same bank loaded into the same JanusGraph
 * in one run, (a) by a server-side Groovy script, which is the limit, and (b) by each loading
 * path of the project, each as elements/s and as a ratio to the limit measured in the same round.
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
 * It measures the server it is pointed at (the `graph` settings) and says which storage backend
 * that server runs (in-memory, BerkeleyDB JE, Cassandra through CQL). It CLEARS that graph.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
import { type GraphConfig, loadAllSettings } from '@app/settings';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { LOADER_CALLS_IN_FLIGHT, loadBatched } from './graph-store.bench';

export interface GraphLoadOptions {
  seed: number;
  days: number;
  referenceTime: string;
  /** Rounds of (limit, every path); ratios are taken within a round, then the median. */
  rounds: number;
  /** Only this many edges (spread over the bank) and their end vertices; the whole bank when absent. */
  edges?: number;
  /** (items per request, requests in flight) tried for the store's upserts, one round each, after the rounds. */
  batchSizes: readonly (readonly [number, number])[];
  /** Elements per transaction of the limit script. */
  scriptCommitEvery: number;
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

interface Measured {
  name: string;
  ms: number;
  /** CPU time of the server and of this process during the load (undefined: server not local). */
  cpuMs?: number;
}

/**
 * The JanusGraph server process when it was started by docker/local/janusgraph/service.sh on
 * this machine and listens on `port` (its pid and port files under .services/janusgraph), so
 * that its CPU time can be read from /proc; undefined otherwise.
 */
function localServerPid(port: number): number | undefined {
  const runtime = join(__dirname, '..', '.services', 'janusgraph');
  const read = (file: string): number | undefined => {
    const path = join(runtime, file);
    return existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : undefined;
  };
  const pid = read('pid');
  if (pid === undefined || read('port') !== port || !existsSync(`/proc/${pid}/stat`))
    return undefined;
  return pid;
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
  const settings = loadAllSettings().graph;
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
    const serverPid = localServerPid(settings.port);
    const ticks = clockTicks();
    const cpuNow = (): number | undefined => {
      if (serverPid === undefined) return undefined;
      const own = process.cpuUsage();
      return processCpuMs(serverPid, ticks) + (own.user + own.system) / 1000;
    };
    const timed = async (name: string, load: () => Promise<unknown>): Promise<Measured> => {
      await store.clear();
      process.stdout.write(`  ${name}… `);
      const cpuBefore = cpuNow();
      const start = now();
      await load();
      const ms = now() - start;
      const cpuAfter = cpuNow();
      const cpuMs =
        cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      process.stdout.write(
        `${fmt((elements / ms) * 1000)} elements/s` +
          (cpuMs === undefined ? '' : `, ${fmt((cpuMs / elements) * 1000)} ms CPU per 1,000`) +
          '\n',
      );
      await check(name);
      return { name, ms, cpuMs };
    };
    const limit = (): Promise<Measured> =>
      timed('limit: server-side script', () =>
        client.submitScript(
          LIMIT_SCRIPT,
          { path: file, commitEvery: options.scriptCommitEvery },
          { operation: 'graph-load limit script', idempotent: false, timeoutMs: 3_600_000 },
        ),
      );

    const paths = projectPaths(options, settings, whole);
    // One unmeasured load by the limit script and by the store first: the server's JIT compiles
    // both paths before any round is measured (a cold first round counted the script at about
    // twice its CPU per element).
    process.stdout.write('warm-up (not measured)\n');
    await limit();
    await timed('store upserts', () => paths[0].load(store, data));
    const rounds: Measured[][] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      process.stdout.write(`round ${round + 1} of ${options.rounds}\n`);
      const measured = [await limit()];
      for (const path of paths) measured.push(await timed(path.name, () => path.load(store, data)));
      rounds.push(measured);
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
      return `| ${name} | ${how} | ${fmt(median(ms) / 1000, 1)} | ${fmt(rate(median(ms)))} | ${index === 0 ? '1.00' : fmt(median(ratios), 2)} |${cpu}`;
    });
    const lines = [
      'Command: `npm run bench -- --only graph-load` (options: `--graph-load-rounds <n>`, `--graph-load-edges <n>` for a subset).',
      '',
      `Server: JanusGraph ${version} on **${backend}** storage (\`storage.backend=${storage}\`, mixed indexes: ${index}) at ${client.endpoint}, on the same ${cpus().length} cores as this client. ` +
        `Data: the \`small\` bank (seed ${options.seed}, ${options.days} days)${whole ? '' : `, ${fmt(data.edges.length)} of its ${fmt(bank.edges.length)} edges spread over the bank and their end vertices`}: ` +
        `${fmt(data.vertices.length)} vertices and ${fmt(data.edges.length)} edges (${fmt(elements)} elements). ` +
        `Settings: GRAPH_BATCH_SIZE=${settings.batchSize}, GRAPH_WRITE_CONCURRENCY=${settings.writeConcurrency}. ` +
        `${options.rounds} rounds of (limit, every path); the graph is cleared before each load and checked after it; medians of the rounds, ratio = path rate / limit rate of the same round.`,
      '',
      `| path | how | seconds | elements/s | ratio to the limit |${cpuHead}`,
      `|---|---|---:|---:|---:|${cpuRule}`,
      ...rows,
      ...(measuredCpu
        ? [
            '',
            "CPU: user + system time of the JanusGraph server process and of this benchmark process during each load, per 1,000 elements; CPU ratio = the limit's CPU per element / the path's, same round. On a machine whose cores are shared, the elements/s ratio also depends on what else runs at that moment; the CPU ratio is what the ratio would be if the cores were the only limit.",
          ]
        : []),
      '',
      "Items per request and requests in flight of the store's upserts (GRAPH_BATCH_SIZE, GRAPH_WRITE_CONCURRENCY; one round each, next to its own limit run):",
      '',
      `| items per request | in flight | seconds | elements/s | ratio to the limit |${cpuHead}`,
      `|---:|---:|---:|---:|---:|${cpuRule}`,
      ...sweep.map(
        (s) =>
          `| ${fmt(s.batchSize)} | ${s.concurrency} | ${fmt(s.path.ms / 1000, 1)} | ${fmt(rate(s.path.ms))} | ${fmt(s.limit.ms / s.path.ms, 2)} |${cpuCells([s.path], [s.limit])}`,
      ),
    ];
    return { markdown: lines.join('\n'), variant: storage };
  } finally {
    rmSync(file, { force: true });
    await client.close();
  }
}
