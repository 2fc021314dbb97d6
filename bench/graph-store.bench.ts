/**
 * Graph store benchmark: loading speed (batched upserts vs one request per entity) and query
 * latency, on the real JanusGraph and on the memory store, with a generated bank.
 *
 *   TZ=UTC npx ts-node -r tsconfig-paths/register --transpile-only bench/graph-store.bench.ts
 *
 * JanusGraph is reached through the `graph` settings (JANUSGRAPH_HOST, JANUSGRAPH_PORT, ...);
 * start a local one with `bash docker/local/janusgraph/service.sh start`. The benchmark CLEARS
 * the graph it talks to. Results go to stdout as markdown (docs/benchmarks.md keeps a copy).
 */
import { cpus, loadavg } from 'node:os';
import { generateBankInMemory } from '@app/generators';
import { GraphStore, JanusGraphGraphStore, MemoryGraphStore } from '@app/graph-store';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';
import type { GraphEdge, GraphVertex, Movement } from '@app/vocabulary';

export interface GraphStoreBenchOptions {
  /** Generator profile of the bank loaded in full (batched) and queried. */
  profile: 'tiny' | 'small';
  days: number;
  seed: number;
  /** Edges (spread over the bank, with all their end vertices) loaded BOTH ways side by side. */
  sideBySideEdges: number;
  /** Requests per query kind for the latency percentiles. */
  queryRuns: number;
  /** JanusGraph connections (the settings' pool size is used when larger). */
  poolSize: number;
  /** Items per write request (the settings' GRAPH_BATCH_SIZE when absent). */
  batchSize?: number;
}

const DEFAULTS: GraphStoreBenchOptions = {
  profile: 'small',
  days: 30,
  seed: 20250101,
  sideBySideEdges: 250,
  queryRuns: 40,
  poolSize: 4,
};

const DAY = 86_400_000;

interface Dataset {
  vertices: GraphVertex[];
  edges: GraphEdge[];
}

interface LoadTiming {
  elements: number;
  ms: number;
}

function rate(timing: LoadTiming): number {
  return timing.ms === 0 ? Number.POSITIVE_INFINITY : (timing.elements / timing.ms) * 1000;
}

function fmt(value: number, digits = 0): string {
  return Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : '∞';
}

/** Nearest-rank percentile of durations in ms. */
function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = now();
  await work();
  return now() - start;
}

/** `count` edges spread over the bank (every label in its share) and every vertex they touch. */
function sideBySideSubset(dataset: Dataset, count: number): Dataset {
  const edges = spread(dataset.edges, count);
  const uids = new Set(edges.flatMap((e) => [e.from, e.to]));
  return { vertices: dataset.vertices.filter((v) => uids.has(v.uid)), edges };
}

/** Calls of `loadBatched` in flight at once: the next call's check overlaps the last one's writes. */
export const LOADER_CALLS_IN_FLIGHT = 2;

/** Runs `work` on every slice of `items` (`size` each), at most `inFlight` slices at once. */
async function slicesInFlight<T>(
  items: readonly T[],
  size: number,
  inFlight: number,
  work: (slice: readonly T[]) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const start = next;
      next += size;
      await work(items.slice(start, start + size));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, worker));
}

/** The bench loader: calls of `batchSize * 10` items (the store splits them), `inFlight` at once. */
export async function loadBatched(
  store: GraphStore,
  data: Dataset,
  batchSize: number,
  clearFirst = true,
  inFlight = LOADER_CALLS_IN_FLIGHT,
): Promise<LoadTiming> {
  if (clearFirst) await store.clear();
  const ms = await timed(async () => {
    // Callers hand the store big slices; the JanusGraph adapter splits them into batchSize
    // requests. Every vertex is stored before the first edge is sent (edges need their ends).
    await slicesInFlight(data.vertices, batchSize * 10, inFlight, (slice) =>
      store.upsertVertices(slice),
    );
    await slicesInFlight(data.edges, batchSize * 10, inFlight, (slice) => store.upsertEdges(slice));
  });
  return { elements: data.vertices.length + data.edges.length, ms };
}

async function loadOneByOne(store: GraphStore, data: Dataset): Promise<LoadTiming> {
  await store.clear();
  const ms = await timed(async () => {
    for (const vertex of data.vertices) await store.upsertVertices([vertex]);
    for (const edge of data.edges) await store.upsertEdges([edge]);
  });
  return { elements: data.vertices.length + data.edges.length, ms };
}

interface QueryLatency {
  name: string;
  runs: number;
  p50: number;
  p95: number;
  /** What the answers held, to show the queries did real work. */
  note: string;
}

/** Spread picks: every k-th item, so the selection is deterministic and covers the list. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_unused, i) => items[Math.floor(i * step)]);
}

async function measureQueries(
  store: GraphStore,
  data: Dataset,
  runs: number,
): Promise<QueryLatency[]> {
  const movements = data.edges.filter((e) => e.label === 'TRANSFERRED') as (GraphEdge & {
    label: 'TRANSFERRED';
  })[];
  const end = Math.max(...movements.map((m) => m.props.timestamp)) + 1;
  const weekStart = end - 7 * DAY;
  const owned = new Set(
    data.edges.filter((e) => e.label === 'OWNS' || e.label === 'CONTROLS').map((e) => e.to),
  );
  const companies = spread(
    data.vertices
      .filter((v) => v.label === 'Company' && owned.has(v.uid))
      .map((v) => v.uid)
      .sort(),
    runs,
  );
  const active = new Map<string, number>();
  for (const m of movements) active.set(m.from, (active.get(m.from) ?? 0) + 1);
  const accounts = spread([...active.keys()].sort(), runs);

  const results: QueryLatency[] = [];
  const run = async (
    name: string,
    inputs: readonly string[],
    query: (input: string) => Promise<number>,
    unit: string,
  ) => {
    const samples: number[] = [];
    let total = 0;
    for (const input of inputs) {
      let size = 0;
      samples.push(await timed(async () => (size = await query(input))));
      total += size;
    }
    results.push({
      name,
      runs: samples.length,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      note: `${fmt(total / Math.max(1, samples.length), 1)} ${unit} per answer`,
    });
  };

  await run(
    'getOwnershipSubgraph (maxDepth 10)',
    companies,
    async (uid) => {
      const subgraph = await store.getOwnershipSubgraph(uid, 10);
      return subgraph.edges.length;
    },
    'edges',
  );
  await run(
    'getMovements (1 account, both directions, last 7 days)',
    accounts,
    async (uid) =>
      (await store.getMovements({ accountIds: [uid], from: weekStart, to: end, direction: 'both' }))
        .length,
    'movements',
  );
  await run(
    'getMovements (1 account, out, whole period)',
    accounts,
    async (uid) =>
      (await store.getMovements({ accountIds: [uid], from: 0, to: end, direction: 'out' })).length,
    'movements',
  );
  const pages = Array.from({ length: Math.min(runs, 10) }, (_unused, i) => String(i));
  let after: Movement | undefined;
  await run(
    'scanMovements (pages of 500, last 7 days)',
    pages,
    async () => {
      const page = await store.scanMovements({
        from: weekStart,
        to: end,
        limit: 500,
        after: after ? { timestamp: after.timestamp, movementId: after.movementId } : undefined,
      });
      after = page[page.length - 1];
      return page.length;
    },
    'movements',
  );
  // Account lists like the store scan's candidate chunks: up to 500 consecutive account ids per
  // request, each page starting further along the sorted list (wrapping around).
  const everyAccount = data.vertices
    .filter((v) => v.label === 'Account')
    .map((v) => v.uid)
    .sort();
  const chunkSize = Math.min(500, everyAccount.length);
  const accountChunk = (page: string): string[] =>
    Array.from(
      { length: chunkSize },
      (_unused, i) => everyAccount[(Number(page) * chunkSize + i) % everyAccount.length],
    );
  await run(
    'getAccountEvents (1 account, whole period)',
    accounts,
    async (uid) => (await store.getAccountEvents({ accountIds: [uid], from: 0, to: end })).length,
    'events',
  );
  await run(
    `getAccountEvents (${chunkSize} accounts, whole period)`,
    pages,
    async (page) =>
      (await store.getAccountEvents({ accountIds: accountChunk(page), from: 0, to: end })).length,
    'events',
  );
  await run(
    `getHolders (${chunkSize} accounts)`,
    pages,
    async (page) =>
      (await store.getHolders(accountChunk(page))).reduce((n, h) => n + h.holderUids.length, 0),
    'holders',
  );
  await run(
    'selectFanCandidates (out, last 7 days, >= 5 counterparties)',
    pages.slice(0, 5),
    async () =>
      (
        await store.selectFanCandidates({
          direction: 'out',
          from: weekStart,
          to: end,
          minCounterparties: 5,
          limit: 100,
        })
      ).length,
    'candidates',
  );
  await run(
    'findSharedIdentifiers (hubCap 10, all identifiers)',
    pages.slice(0, 5),
    async () => (await store.findSharedIdentifiers({ hubCap: 10 })).length,
    'identifiers',
  );
  return results;
}

function queryTable(rows: readonly { backend: string; latency: QueryLatency }[]): string {
  return [
    '| backend | query | runs | p50 ms | p95 ms | answers |',
    '|---|---|---:|---:|---:|---|',
    ...rows.map(
      ({ backend, latency }) =>
        `| ${backend} | ${latency.name} | ${latency.runs} | ${fmt(latency.p50, 1)} | ${fmt(latency.p95, 1)} | ${latency.note} |`,
    ),
  ].join('\n');
}

/** Runs the benchmark and returns the report as markdown. Clears the JanusGraph it uses. */
export async function benchGraphStore(
  overrides: Partial<GraphStoreBenchOptions> = {},
): Promise<string> {
  const options = { ...DEFAULTS, ...overrides };
  const settings = loadAllSettings().graph;
  const batchSize = options.batchSize ?? settings.batchSize;
  const poolSize = Math.max(settings.poolSize, options.poolSize);

  const generated = await generateBankInMemory({
    profile: options.profile,
    seed: options.seed,
    referenceTime: '2025-01-01T00:00:00Z',
    days: options.days,
  });
  const bank: Dataset = { vertices: generated.vertices, edges: generated.edges };
  const subset = sideBySideSubset(bank, options.sideBySideEdges);

  const client = new JanusGraphClient(
    { ...settings, poolSize },
    {
      logger: {
        log: () => undefined,
        warn: (m: string) => process.stderr.write(`${m}\n`),
        error: (m: string) => process.stderr.write(`${m}\n`),
      },
    },
  );
  await client.open();
  const version = await client.submitScript(
    "'JanusGraph ' + org.janusgraph.graphdb.configuration.JanusGraphConstants.VERSION + ', TinkerPop ' + org.apache.tinkerpop.gremlin.util.Gremlin.version()",
    {},
  );
  try {
    await bootstrapSchema(client);
    const janus = new JanusGraphGraphStore(client, { batchSize });
    const memory = new MemoryGraphStore();

    // 1. Same data both ways, on both backends.
    const janusBatchedSmall = await loadBatched(janus, subset, batchSize);
    const janusSingle = await loadOneByOne(janus, subset);
    const memoryBatchedSmall = await loadBatched(memory, subset, batchSize);
    const memorySingle = await loadOneByOne(memory, subset);

    // 2. The whole bank, batched, then queries on it.
    const janusFull = await loadBatched(janus, bank, batchSize);
    const janusCounts = await janus.counts();
    const janusReload = await timed(async () => {
      for (let i = 0; i < bank.vertices.length; i += batchSize * 10)
        await janus.upsertVertices(bank.vertices.slice(i, i + batchSize * 10));
    });
    const memoryFull = await loadBatched(memory, bank, batchSize);
    const janusQueries = await measureQueries(janus, bank, options.queryRuns);
    const memoryQueries = await measureQueries(memory, bank, options.queryRuns);

    const storedElements =
      Object.values(janusCounts.vertices).reduce((a, b) => a + b, 0) +
      Object.values(janusCounts.edges).reduce((a, b) => a + b, 0);
    const lines = [
      `Server: ${String(version[0])} (in-memory storage, Lucene mixed indexes) at ${client.endpoint}. ` +
        `Client: ${poolSize} WebSocket connections, batch size ${batchSize}. ` +
        `Bank: profile \`${options.profile}\`, ${options.days} days, seed ${options.seed}: ` +
        `${fmt(bank.vertices.length)} vertices and ${fmt(bank.edges.length)} edges ` +
        `(${fmt(storedElements)} stored in JanusGraph after loading). Node ${process.version}, ` +
        `${cpus().length} CPUs shared with the JanusGraph server, load average at the end ${loadavg()[0].toFixed(1)}.`,
      '',
      `### Same data both ways (${subset.edges.length} edges spread over the bank and their ${subset.vertices.length} end vertices, after \`clear()\`)`,
      '',
      'Batched: `upsertVertices(all)` then `upsertEdges(all)` (the JanusGraph adapter writes ' +
        `${batchSize} items per request, each item looked up once by uid or eid inside the write; an edge request first reads its two ends once and then writes the edges by vertex id). One by one: \`upsertVertices([v])\` / \`upsertEdges([e])\` per element, sequentially.`,
      '',
      '| backend | loading | elements | ms | elements/s |',
      '|---|---|---:|---:|---:|',
      `| JanusGraph | batched | ${janusBatchedSmall.elements} | ${fmt(janusBatchedSmall.ms)} | ${fmt(rate(janusBatchedSmall))} |`,
      `| JanusGraph | one request per entity | ${janusSingle.elements} | ${fmt(janusSingle.ms)} | ${fmt(rate(janusSingle))} |`,
      `| memory | batched | ${memoryBatchedSmall.elements} | ${fmt(memoryBatchedSmall.ms, 1)} | ${fmt(rate(memoryBatchedSmall))} |`,
      `| memory | one call per entity | ${memorySingle.elements} | ${fmt(memorySingle.ms, 1)} | ${fmt(rate(memorySingle))} |`,
      '',
      `Batched / one-by-one: **${fmt(rate(janusBatchedSmall) / rate(janusSingle), 1)}×** on JanusGraph, ` +
        `${fmt(rate(memoryBatchedSmall) / rate(memorySingle), 1)}× on the memory store.`,
      '',
      '### The whole bank, batched',
      '',
      '| backend | elements | ms | elements/s |',
      '|---|---:|---:|---:|',
      `| JanusGraph | ${janusFull.elements} | ${fmt(janusFull.ms)} | ${fmt(rate(janusFull))} |`,
      `| memory | ${memoryFull.elements} | ${fmt(memoryFull.ms)} | ${fmt(rate(memoryFull))} |`,
      '',
      `Re-upserting all ${fmt(bank.vertices.length)} vertices unchanged on JanusGraph (reads only, nothing to write): ` +
        `${fmt(janusReload)} ms (${fmt((bank.vertices.length / janusReload) * 1000)} vertices/s).`,
      '',
      '### Query latency on the loaded bank',
      '',
      queryTable([
        ...janusQueries.map((latency) => ({ backend: 'JanusGraph', latency })),
        ...memoryQueries.map((latency) => ({ backend: 'memory', latency })),
      ]),
      '',
    ];
    await janus.clear();
    return lines.join('\n');
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  benchGraphStore()
    .then((markdown) => process.stdout.write(`${markdown}\n`))
    .catch((error: unknown) => {
      process.stderr.write(
        `Graph store benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    });
}
