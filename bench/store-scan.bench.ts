/**
 * The store scan on JanusGraph against the embedded store (issue 11): the batch scan of every
 * rule (`StoreBatchDetection`, the path of POST /alerts/scan) over the small bank, on each store,
 * in alternating rounds, each run in its own child process so that its peak memory is its own.
 * The JanusGraph side lists the store calls the scan made and the time spent waiting for each
 * kind: that is where a faster scan has to come from. With `--store-scan-baseline <revision>`,
 * the JanusGraph adapter of that revision scans the same graph too (its source tree unpacked
 * into a temporary folder), so a change to the read paths is measured before and after in the
 * same run.
 *
 *   npm run bench -- --only store-scan [--store-scan-rounds 2] [--store-scan-baseline <revision>]
 *
 * CLEARS the JanusGraph named by the `graph` settings and loads the bank into it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateBankInMemory } from '@app/generators';
import { JanusGraphGraphStore } from '@app/graph-store';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';

export interface StoreScanOptions {
  rounds: number;
  /**
   * A git revision whose JanusGraph adapter scans too, from its own source tree, alternating
   * with the current one (before/after of a change to the read paths); none when empty.
   */
  baseline: string;
}

interface CallStats {
  calls: number;
  ms: number;
}

interface ScanFigures {
  seconds: number;
  alerts: number;
  movements: number;
  rules: number;
  peakRssMiB: number;
  calls: Record<string, CallStats>;
}

const ROOT = join(__dirname, '..');
const CHILD = 'bench/store-scan.child.ts';
const run = promisify(execFile);

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function scanIn(
  backend: 'memory' | 'janusgraph',
  from: number,
  to: number,
  tree: string = ROOT,
) {
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
      String(from),
      String(to),
    ],
    { cwd: tree, maxBuffer: 16 * 1024 * 1024, timeout: 3_600_000 },
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

/** Resident memory of the local JanusGraph server (docker/local scripts), when it is one. */
function serverRssMiB(): number | undefined {
  const pidFile = join(ROOT, '.services', 'janusgraph', 'pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = readFileSync(pidFile, 'utf8').trim();
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = status.split('\n').find((l) => l.startsWith('VmRSS:'));
    return line === undefined ? undefined : Number(line.replace(/\D+/g, '')) / 1024;
  } catch {
    return undefined;
  }
}

/** Runs the benchmark and returns the markdown body of its section. */
export async function benchStoreScan(overrides: Partial<StoreScanOptions> = {}): Promise<string> {
  const options = { rounds: 2, baseline: '', ...overrides };
  const settings = loadAllSettings().graph;
  const bank = await generateBankInMemory({
    profile: 'small',
    seed: 42,
    referenceTime: '2025-01-01T00:00:00Z',
    days: 90,
  });
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const edge of bank.edges) {
    if (edge.label !== 'TRANSFERRED') continue;
    from = Math.min(from, edge.props.timestamp);
    to = Math.max(to, edge.props.timestamp + 1);
  }

  const client = new JanusGraphClient(settings, {
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await client.open();
  let loadSeconds: number;
  try {
    await bootstrapSchema(client);
    const store = new JanusGraphGraphStore(client, {
      batchSize: settings.batchSize,
      writeConcurrency: settings.writeConcurrency,
    });
    await store.clear();
    const started = performance.now();
    const inFlight = async <T>(items: readonly T[], write: (part: T[]) => Promise<unknown>) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < items.length) {
          const part = items.slice(next, next + settings.batchSize);
          next += settings.batchSize;
          await write(part);
        }
      };
      await Promise.all(Array.from({ length: settings.writeConcurrency }, worker));
    };
    await inFlight(bank.vertices, (part) => store.upsertVertices(part));
    await inFlight(bank.edges, (part) => store.upsertEdges(part));
    loadSeconds = (performance.now() - started) / 1000;
  } finally {
    await client.close();
  }

  const runs: Record<'memory' | 'janusgraph' | 'baseline', ScanFigures[]> = {
    memory: [],
    janusgraph: [],
    baseline: [],
  };
  const baselineTree = options.baseline === '' ? undefined : unpack(options.baseline);
  try {
    for (let round = 0; round < options.rounds; round += 1) {
      for (const side of ['memory', 'baseline', 'janusgraph'] as const) {
        if (side === 'baseline' && baselineTree === undefined) continue;
        process.stdout.write(`  round ${round + 1}, ${side}… `);
        const figures =
          side === 'memory'
            ? await scanIn('memory', from, to)
            : await scanIn('janusgraph', from, to, side === 'baseline' ? baselineTree : ROOT);
        process.stdout.write(`${fmt(figures.seconds, 1)} s, ${figures.alerts} alerts\n`);
        runs[side].push(figures);
      }
    }
  } finally {
    if (baselineTree !== undefined) rmSync(baselineTree, { recursive: true, force: true });
  }
  const serverRss = serverRssMiB();
  const memorySeconds = median(runs.memory.map((r) => r.seconds));
  const janusSeconds = median(runs.janusgraph.map((r) => r.seconds));
  const baselineRow =
    runs.baseline.length === 0
      ? []
      : [
          row(
            `JanusGraph, adapter of \`${options.baseline}\` (before)`,
            runs.baseline,
            fmt(median(runs.baseline.map((r) => r.seconds)) / memorySeconds, 1),
          ),
        ];
  function row(name: string, figures: ScanFigures[], ratio: string): string {
    const first = figures[0];
    return `| ${name} | ${fmt(median(figures.map((f) => f.seconds)), 1)} | ${ratio} | ${first.alerts} | ${fmt(first.movements)} | ${fmt(Math.max(...figures.map((f) => f.peakRssMiB)))} MiB |`;
  }
  const calls = runs.janusgraph[runs.janusgraph.length - 1].calls;
  const sameAlerts = runs.memory[0].alerts === runs.janusgraph[0].alerts;
  return [
    'Command: `npm run bench -- --only store-scan` (options: `--store-scan-rounds <n>`, `--store-scan-baseline <revision>`).',
    '',
    `The \`small\` bank (seed 42, 90 days; ${fmt(bank.vertices.length)} vertices, ${fmt(bank.edges.length)} edges) in both stores; ` +
      `the scan covers every movement (${new Date(from).toISOString().slice(0, 10)} to ${new Date(to).toISOString().slice(0, 10)}) with all ${runs.memory[0].rules} rules. ` +
      `JanusGraph loaded by the store's upserts in ${fmt(loadSeconds, 1)} s. ${options.rounds} alternating rounds, medians; ` +
      `peak memory is the scanning process's high-water mark (the memory side holds the whole bank in it).` +
      (serverRss === undefined
        ? ''
        : ` The JanusGraph server process held ${fmt(serverRss)} MiB afterwards.`),
    '',
    '| store | seconds | × memory | alerts | movements | peak RSS of the scan |',
    '|---|---:|---:|---:|---:|---:|',
    row('memory (embedded)', runs.memory, '1.0'),
    ...baselineRow,
    row('JanusGraph (current)', runs.janusgraph, fmt(janusSeconds / memorySeconds, 1)),
    '',
    sameAlerts
      ? 'Both stores raise the same number of alerts.'
      : '**The two stores raised different numbers of alerts.**',
    '',
    'Where the JanusGraph scan waits (store calls of the last round, one at a time):',
    '',
    '| store call | calls | seconds | ms per call |',
    '|---|---:|---:|---:|',
    ...Object.entries(calls)
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(
        ([name, s]) =>
          `| \`${name}\` | ${fmt(s.calls)} | ${fmt(s.ms / 1000, 1)} | ${fmt(s.ms / s.calls, 1)} |`,
      ),
  ].join('\n');
}
