/**
 * The store scan on JanusGraph against the embedded store (issue 11): the batch scan of every
 * rule (`StoreBatchDetection`, the path of POST /alerts/scan) over a bank (`small` or `medium`),
 * on each store, in alternating rounds, each run in its own child process so that its peak memory
 * is its own. For each side it reports the load of the bank into the store (elements/s), the scan
 * time, the alerts, the scanning process's peak memory and, for a JanusGraph that runs on this
 * machine, the peak resident memory of the JanusGraph JVM and of its Cassandra JVM during the
 * scan (sampled from /proc). The JanusGraph side lists the store calls the scan made and the
 * time spent waiting for each kind: that is where a faster scan has to come from. With
 * `--store-scan-baseline <revision>`, the JanusGraph adapter of that revision scans the same graph
 * too (its source tree unpacked into a temporary folder), so a change to the read paths is
 * measured before and after in the same run.
 *
 *   npm run bench -- --only store-scan [--store-scan-rounds 2] [--store-scan-profile tiny|small|medium]
 *     [--store-scan-baseline <revision>] [--store-scan-backends inmemory,berkeleyje,cql]
 *
 * Without `--store-scan-backends` it CLEARS the JanusGraph named by the `graph` settings and loads
 * the bank into it. With it, it starts JanusGraph servers of its own, one storage backend after
 * the other (for `cql`, one Cassandra node too), through docker/local/janusgraph/service.sh and
 * docker/local/cassandra/service.sh, on ports other than the defaults (JanusGraph 48182, Cassandra
 * 49042, 47000 between nodes, 47199 JMX; `--store-scan-janusgraph-port` and
 * `--store-scan-cassandra-port` change the first two) under a temporary folder, and stops them and
 * deletes that folder at the end.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateBankInMemory } from '@app/generators';
import { JanusGraphGraphStore } from '@app/graph-store';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import { type GraphConfig, loadAllSettings } from '@app/settings';
import { cassandraPids, localJanusGraphPid } from './local-servers';

export const STORE_SCAN_PROFILES = ['tiny', 'small', 'medium'] as const;
export type StoreScanProfile = (typeof STORE_SCAN_PROFILES)[number];
export const STORE_SCAN_BACKENDS = ['inmemory', 'berkeleyje', 'cql'] as const;
export type StorageBackend = (typeof STORE_SCAN_BACKENDS)[number];

export interface StoreScanOptions {
  rounds: number;
  /**
   * A git revision whose JanusGraph adapter scans too, from its own source tree, alternating
   * with the current one (before/after of a change to the read paths); none when empty.
   */
  baseline: string;
  /** The bank: `small` (about 93k movements), `medium` (about 500k), or `tiny` to try the bench out. */
  profile: StoreScanProfile;
  /**
   * JanusGraph storage backends to start servers of its own for, one after the other; when
   * empty, the JanusGraph named by the `graph` settings is used (and cleared).
   */
  backends: readonly StorageBackend[];
  /** Port of the JanusGraph servers it starts. */
  janusGraphPort: number;
  /** CQL port of the Cassandra node it starts (its inter-node and JMX ports are fixed: 47000, 47199). */
  cassandraPort: number;
}

const DEFAULTS: StoreScanOptions = {
  rounds: 2,
  baseline: '',
  profile: 'small',
  backends: [],
  janusGraphPort: 48182,
  cassandraPort: 49042,
};

const CASSANDRA_STORAGE_PORT = 47000;
const CASSANDRA_JMX_PORT = 47199;
/** Loading and clearing a large graph on shared cores takes longer than the default 30 s per request. */
const OWN_SERVER_REQUEST_TIMEOUT_MS = 600_000;
/** How often the servers' resident memory is read during a scan. */
const SAMPLE_EVERY_MS = 200;

const BACKEND_NAMES: Readonly<Record<StorageBackend, string>> = {
  inmemory: 'in-memory',
  berkeleyje: 'BerkeleyDB JE',
  cql: 'Cassandra (CQL)',
};

interface CallStats {
  calls: number;
  ms: number;
}

/** What one child process prints. */
interface ScanFigures {
  seconds: number;
  alerts: number;
  movements: number;
  rules: number;
  peakRssMiB: number;
  /** Memory side only: the time to put the bank into the embedded store. */
  loadSeconds?: number;
  calls: Record<string, CallStats>;
}

/** Peak resident memory of the servers during one scan (MiB), when they run on this machine. */
interface ServerPeaks {
  janusGraphMiB?: number;
  cassandraMiB?: number;
}

interface Scan extends ScanFigures {
  servers: ServerPeaks;
}

/** One JanusGraph side: where it ran, how long the load took, and its scans. */
interface JanusSide {
  label: string;
  storage: string;
  loadSeconds: number;
  elements: number;
  scans: Scan[];
  baseline: Scan[];
  /** High-water mark (VmHWM) of the server processes at the end, load included. */
  lifetime: ServerPeaks;
  /** Maximum heaps (-Xmx) of the JanusGraph and Cassandra JVMs, when they run here. */
  heaps: { janusGraph?: string; cassandra?: string };
  loadAvg: [number, number];
}

/** Where the child finds the JanusGraph to scan. */
interface Target {
  host: string;
  port: number;
  requestTimeoutMs: number;
}

const ROOT = join(__dirname, '..');
const CHILD = 'bench/store-scan.child.ts';
const run = promisify(execFile);

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const mib = (value: number | undefined): string =>
  value === undefined ? 'n/a' : `${fmt(value)} MiB`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function maxOf(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

async function scanIn(
  backend: 'memory' | 'janusgraph',
  profile: StoreScanProfile,
  from: number,
  to: number,
  target: Target,
  tree: string = ROOT,
): Promise<ScanFigures> {
  const { stdout } = await run(
    process.execPath,
    [
      '--max-old-space-size=8192',
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      CHILD,
      backend,
      profile,
      String(from),
      String(to),
      JSON.stringify(target),
    ],
    { cwd: tree, maxBuffer: 16 * 1024 * 1024, timeout: 4 * 3_600_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as ScanFigures;
}

/** The source tree of `revision` in a temporary folder, sharing this checkout's node_modules. */
function unpack(revision: string): string {
  const commit = execFileSync('git', ['rev-parse', '--short', revision], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const tree = mkdtempSync(join(tmpdir(), 'bench-store-scan-'));
  execFileSync('bash', ['-c', `git archive "${commit}" | tar -x -C "${tree}"`], { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  copyFileSync(join(ROOT, CHILD), join(tree, CHILD));
  return tree;
}

/** A line of /proc/<pid>/status in MiB (`VmRSS`, `VmHWM`), or undefined once the process is gone. */
function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = status.split('\n').find((l) => l.startsWith(`${field}:`));
    if (line === undefined) return undefined;
    const kib = Number(
      line
        .slice(field.length + 1)
        .trim()
        .split(' ')[0],
    );
    return Number.isFinite(kib) ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the servers' resident memory until `stop()`, which returns the peaks. */
function sampleServers(pids: { janusGraph?: number; cassandra: number[] }): {
  stop: () => ServerPeaks;
} {
  let janus: number | undefined;
  let cassandra: number | undefined;
  const sample = (): void => {
    if (pids.janusGraph !== undefined) janus = maxOf([janus, statusMiB(pids.janusGraph, 'VmRSS')]);
    if (pids.cassandra.length > 0) {
      const sum = pids.cassandra
        .map((pid) => statusMiB(pid, 'VmRSS') ?? 0)
        .reduce((a, b) => a + b, 0);
      cassandra = maxOf([cassandra, sum]);
    }
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { janusGraphMiB: janus, cassandraMiB: cassandra };
    },
  };
}

/** The JVM's maximum heap (its last `-Xmx` option), for the report; undefined when unknown. */
function maxHeap(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    const options = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return options
      .filter((option) => option.startsWith('-Xmx'))
      .pop()
      ?.slice('-Xmx'.length);
  } catch {
    return undefined;
  }
}

function lifetimePeaks(pids: { janusGraph?: number; cassandra: number[] }): ServerPeaks {
  return {
    janusGraphMiB: pids.janusGraph === undefined ? undefined : statusMiB(pids.janusGraph, 'VmHWM'),
    cassandraMiB:
      pids.cassandra.length === 0
        ? undefined
        : pids.cassandra.map((pid) => statusMiB(pid, 'VmHWM') ?? 0).reduce((a, b) => a + b, 0),
  };
}

/**
 * JanusGraph (and for `cql` one Cassandra node) started by the repository's local scripts under
 * a folder of their own, on the benchmark's ports.
 */
class OwnServers {
  readonly dir = mkdtempSync(join(tmpdir(), 'store-scan-bench-'));
  private readonly stopOnSignal = (): void => {
    this.stop();
    process.exit(130);
  };

  constructor(private readonly options: StoreScanOptions) {
    process.once('SIGINT', this.stopOnSignal);
    process.once('SIGTERM', this.stopOnSignal);
  }

  /** `env NAME=value … bash <script> --services-dir <dir> <args>`: this process's environment plus those. */
  private script(name: 'janusgraph' | 'cassandra', args: string[], vars: string[]): void {
    execFileSync(
      'env',
      [
        ...vars,
        'bash',
        join(ROOT, 'docker', 'local', name, 'service.sh'),
        '--services-dir',
        this.dir,
        ...args,
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
  }

  private cassandraVars(): string[] {
    return [
      `CASSANDRA_NATIVE_PORT=${this.options.cassandraPort}`,
      `CASSANDRA_STORAGE_PORT=${CASSANDRA_STORAGE_PORT}`,
      `CASSANDRA_JMX_PORT=${CASSANDRA_JMX_PORT}`,
    ];
  }

  start(storage: StorageBackend): void {
    const vars = [
      `JANUSGRAPH_PORT=${this.options.janusGraphPort}`,
      `JANUSGRAPH_STORAGE=${storage}`,
    ];
    if (storage === 'cql') {
      this.script('cassandra', ['start', '1'], this.cassandraVars());
      vars.push(
        'JANUSGRAPH_CQL_HOSTS=127.0.0.1',
        `JANUSGRAPH_CQL_PORT=${this.options.cassandraPort}`,
        'JANUSGRAPH_CQL_KEYSPACE=store_scan_bench',
      );
    }
    this.script('janusgraph', ['start'], vars);
  }

  /** Stops whatever runs and deletes the storage of the last backend (the folder goes in `stop`). */
  stopServers(): void {
    const quietly = (fn: () => void): void => {
      try {
        fn();
      } catch {
        // Not running: nothing to stop.
      }
    };
    quietly(() =>
      this.script('janusgraph', ['stop'], [`JANUSGRAPH_PORT=${this.options.janusGraphPort}`]),
    );
    if (existsSync(join(this.dir, 'cassandra')))
      quietly(() => this.script('cassandra', ['stop'], this.cassandraVars()));
    rmSync(join(this.dir, 'janusgraph', 'data'), { recursive: true, force: true });
    rmSync(join(this.dir, 'cassandra'), { recursive: true, force: true });
  }

  stop(): void {
    this.stopServers();
    rmSync(this.dir, { recursive: true, force: true });
    process.removeListener('SIGINT', this.stopOnSignal);
    process.removeListener('SIGTERM', this.stopOnSignal);
    process.stdout.write(`  benchmark servers stopped; ${this.dir} deleted\n`);
  }
}

/** What the server runs on, asked by a fixed script. */
const SERVER_SCRIPT = `g.getGraph().configuration().getString('storage.backend')`;

type Bank = Awaited<ReturnType<typeof generateBankInMemory>>;

/** Clears the JanusGraph at `settings`, loads the bank with the store's upserts; the seconds it took. */
async function loadInto(
  settings: GraphConfig,
  bank: Bank,
): Promise<{ seconds: number; storage: string }> {
  const client = new JanusGraphClient(settings, {
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await client.open();
  try {
    await bootstrapSchema(client);
    const [answer] = await client.submitScript(SERVER_SCRIPT, {});
    const storage = typeof answer === 'string' ? answer : 'unknown';
    const store = new JanusGraphGraphStore(client, {
      batchSize: settings.batchSize,
      writeConcurrency: settings.writeConcurrency,
      // GRAPH_SETTLE_NEW_KEYS=false spares the re-read after each write: safe here, one loader
      // filling an empty graph.
      settleNewKeys: settings.settleNewKeys,
    });
    await store.clear();
    const total = bank.vertices.length + bank.edges.length;
    let done = 0;
    let reported = 0;
    const started = performance.now();
    const inFlight = async <T>(items: readonly T[], write: (part: T[]) => Promise<unknown>) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < items.length) {
          const part = items.slice(next, next + settings.batchSize);
          next += settings.batchSize;
          await write(part);
          done += part.length;
          if (done - reported >= total / 10) {
            reported = done;
            const seconds = (performance.now() - started) / 1000;
            process.stdout.write(
              `    loaded ${fmt(done)} of ${fmt(total)} elements in ${fmt(seconds)} s (${fmt(done / seconds)}/s)\n`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: settings.writeConcurrency }, worker));
    };
    await inFlight(bank.vertices, (part) => store.upsertVertices(part));
    await inFlight(bank.edges, (part) => store.upsertEdges(part));
    return { seconds: (performance.now() - started) / 1000, storage };
  } finally {
    await client.close();
  }
}

/** Runs the benchmark and returns the markdown body of its section (one per bank profile). */
export async function benchStoreScan(
  overrides: Partial<StoreScanOptions> = {},
): Promise<{ markdown: string; variant: string }> {
  const options: StoreScanOptions = { ...DEFAULTS, ...overrides };
  const configured = loadAllSettings().graph;
  const loadAtStart = loadavg()[0];
  const bank = await generateBankInMemory({
    profile: options.profile,
    seed: 42,
    referenceTime: '2025-01-01T00:00:00Z',
    days: 90,
  });
  const elements = bank.vertices.length + bank.edges.length;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const edge of bank.edges) {
    if (edge.label !== 'TRANSFERRED') continue;
    from = Math.min(from, edge.props.timestamp);
    to = Math.max(to, edge.props.timestamp + 1);
  }

  const memory: ScanFigures[] = [];
  const sides: JanusSide[] = [];
  const baselineTree = options.baseline === '' ? undefined : unpack(options.baseline);
  const own = options.backends.length === 0 ? undefined : new OwnServers(options);
  try {
    for (const backend of own === undefined ? [undefined] : options.backends) {
      const settings: GraphConfig =
        own === undefined
          ? configured
          : {
              ...configured,
              host: '127.0.0.1',
              port: options.janusGraphPort,
              requestTimeoutMs: Math.max(
                configured.requestTimeoutMs,
                OWN_SERVER_REQUEST_TIMEOUT_MS,
              ),
            };
      const target: Target = {
        host: settings.host,
        port: settings.port,
        requestTimeoutMs: settings.requestTimeoutMs,
      };
      if (own !== undefined && backend !== undefined) {
        process.stdout.write(`  starting JanusGraph on ${BACKEND_NAMES[backend]}…\n`);
        own.start(backend);
      }
      const servicesDir = own?.dir ?? join(ROOT, '.services');
      process.stdout.write(`  loading ${fmt(elements)} elements into JanusGraph…\n`);
      const load = await loadInto(settings, bank);
      process.stdout.write(
        `  loaded in ${fmt(load.seconds, 1)} s (${fmt(elements / load.seconds)} elements/s)\n`,
      );
      const pids = {
        janusGraph: localJanusGraphPid(servicesDir, settings.port),
        cassandra: cassandraPids(servicesDir),
      };
      const side: JanusSide = {
        label: `JanusGraph on ${BACKEND_NAMES[backend ?? (load.storage as StorageBackend)] ?? load.storage}`,
        storage: load.storage,
        loadSeconds: load.seconds,
        elements,
        scans: [],
        baseline: [],
        lifetime: {},
        heaps: { janusGraph: maxHeap(pids.janusGraph), cassandra: maxHeap(pids.cassandra[0]) },
        loadAvg: [loadavg()[0], 0],
      };
      for (let round = 0; round < options.rounds; round += 1) {
        // The memory side runs once per round in total, with the first JanusGraph side.
        const order = ['memory', 'baseline', 'janusgraph'] as const;
        for (const kind of order) {
          if (kind === 'memory' && sides.length > 0) continue;
          if (kind === 'baseline' && baselineTree === undefined) continue;
          process.stdout.write(
            `  round ${round + 1}, ${kind === 'memory' ? 'memory' : `${side.label}${kind === 'baseline' ? ' (baseline)' : ''}`}… `,
          );
          const sampler = kind === 'memory' ? undefined : sampleServers(pids);
          const figures = await scanIn(
            kind === 'memory' ? 'memory' : 'janusgraph',
            options.profile,
            from,
            to,
            target,
            kind === 'baseline' ? baselineTree : ROOT,
          );
          const servers = sampler?.stop() ?? {};
          process.stdout.write(
            `${fmt(figures.seconds, 1)} s, ${figures.alerts} alerts, scan process ${fmt(figures.peakRssMiB)} MiB` +
              (servers.janusGraphMiB === undefined
                ? ''
                : `, JanusGraph ${fmt(servers.janusGraphMiB)} MiB`) +
              (servers.cassandraMiB === undefined
                ? ''
                : `, Cassandra ${fmt(servers.cassandraMiB)} MiB`) +
              '\n',
          );
          if (kind === 'memory') memory.push(figures);
          else side[kind === 'baseline' ? 'baseline' : 'scans'].push({ ...figures, servers });
        }
      }
      side.lifetime = lifetimePeaks(pids);
      side.loadAvg[1] = loadavg()[0];
      sides.push(side);
      if (own !== undefined) own.stopServers();
    }
  } finally {
    own?.stop();
    if (baselineTree !== undefined) rmSync(baselineTree, { recursive: true, force: true });
  }
  return {
    markdown: report(options, bank, from, to, memory, sides, loadAtStart),
    variant: options.profile,
  };
}

function report(
  options: StoreScanOptions,
  bank: Bank,
  from: number,
  to: number,
  memory: readonly ScanFigures[],
  sides: readonly JanusSide[],
  loadAtStart: number,
): string {
  const memorySeconds = median(memory.map((r) => r.seconds));
  const movements = memory[0].movements;
  const elements = bank.vertices.length + bank.edges.length;
  const scanRow = (name: string, figures: readonly Scan[] | readonly ScanFigures[]): string => {
    const seconds = median(figures.map((f) => f.seconds));
    const servers = figures.map((f) => ('servers' in f ? f.servers : {}));
    return (
      `| ${name} | ${fmt(seconds, 1)} | ${fmt(seconds / memorySeconds, 1)} | ${figures[0].alerts} | ` +
      `${fmt(figures[0].movements / seconds)} | ${mib(maxOf(figures.map((f) => f.peakRssMiB)))} | ` +
      `${mib(maxOf(servers.map((s) => s.janusGraphMiB)))} | ${mib(maxOf(servers.map((s) => s.cassandraMiB)))} |`
    );
  };
  const alertCounts = new Set([
    ...memory.map((r) => r.alerts),
    ...sides.flatMap((s) => [...s.scans, ...s.baseline].map((r) => r.alerts)),
  ]);
  const memoryLoad = median(memory.map((r) => r.loadSeconds ?? Number.NaN));
  const lines = [
    'Command: `npm run bench -- --only store-scan` (options: `--store-scan-profile tiny|small|medium`, ' +
      '`--store-scan-backends inmemory,berkeleyje,cql` for JanusGraph servers of its own on ports 48182 and Cassandra 49042, ' +
      '`--store-scan-rounds <n>`, `--store-scan-baseline <revision>`).',
    '',
    `The \`${options.profile}\` bank (seed 42, 90 days; ${fmt(bank.vertices.length)} vertices, ${fmt(bank.edges.length)} edges, ` +
      `${fmt(movements)} movements) in each store; the scan covers every movement ` +
      `(${new Date(from).toISOString().slice(0, 10)} to ${new Date(to).toISOString().slice(0, 10)}) with all ${memory[0].rules} rules, ` +
      `as POST /alerts/scan does. ${options.rounds} alternating rounds, medians. Each scan runs in a child process of its own: ` +
      '"scan process" is its peak resident memory (for the memory side that process holds the whole bank). ' +
      `The servers' columns are the highest resident memory (VmRSS, read every ${SAMPLE_EVERY_MS} ms) of the JanusGraph JVM and of the ` +
      'Cassandra JVM while the scan ran (n/a: not a server on this machine, or no Cassandra). ' +
      `Machine load (1-minute load average, 2 cores shared with other work): ${fmt(loadAtStart, 1)} at the start, ` +
      `${sides.map((s) => `${fmt(s.loadAvg[0], 1)}–${fmt(s.loadAvg[1], 1)} during the ${s.label} scans`).join(', ')}.`,
    '',
    'Loading the bank into the store:',
    '',
    '| store | how | seconds | elements/s |',
    '|---|---|---:|---:|',
    `| memory (embedded) | \`upsertVertices\` / \`upsertEdges\` in the scan's process | ${fmt(memoryLoad, 1)} | ${fmt(elements / memoryLoad)} |`,
    ...sides.map(
      (s) =>
        `| ${s.label} | the store's upserts, ${loadAllSettings().graph.batchSize} items per request, ${loadAllSettings().graph.writeConcurrency} in flight (GRAPH_BATCH_SIZE, GRAPH_WRITE_CONCURRENCY)${loadAllSettings().graph.settleNewKeys ? '' : ', no re-read of new keys (GRAPH_SETTLE_NEW_KEYS=false)'} | ${fmt(s.loadSeconds, 1)} | ${fmt(s.elements / s.loadSeconds)} |`,
    ),
    '',
    'The scan:',
    '',
    '| store | seconds | × memory | alerts | movements/s | scan process peak RSS | JanusGraph JVM peak RSS | Cassandra JVM peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    scanRow('memory (embedded)', memory),
    ...sides.flatMap((s) => [
      ...(s.baseline.length === 0
        ? []
        : [scanRow(`${s.label}, adapter of \`${options.baseline}\` (before)`, s.baseline)]),
      scanRow(s.label, s.scans),
    ]),
    '',
    alertCounts.size === 1
      ? 'Every store raises the same number of alerts.'
      : '**The stores raised different numbers of alerts.**',
    '',
    ...sides
      .filter((s) => s.lifetime.janusGraphMiB !== undefined)
      .map(
        (s) =>
          `${s.label}: the servers' lifetime high-water marks (VmHWM, load included): JanusGraph ${mib(s.lifetime.janusGraphMiB)}` +
          (s.lifetime.cassandraMiB === undefined
            ? '.'
            : `, Cassandra ${mib(s.lifetime.cassandraMiB)}.`),
      ),
  ];
  for (const side of sides) {
    const calls = side.scans[side.scans.length - 1].calls;
    lines.push(
      '',
      `Where the scan on ${side.label} waits (store calls of the last round; since the scan reads up to 2 at once, calls can overlap and their seconds add up to more than the scan):`,
      '',
      '| store call | calls | seconds | ms per call |',
      '|---|---:|---:|---:|',
      ...Object.entries(calls)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([name, s]) =>
            `| \`${name}\` | ${fmt(s.calls)} | ${fmt(s.ms / 1000, 1)} | ${fmt(s.ms / s.calls, 1)} |`,
        ),
    );
  }
  return lines.join('\n');
}
