import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { GraphStore, JanusGraphGraphStore, MemoryGraphStore } from '@app/graph-store';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';
import { benchDetectors } from './detectors.bench';
import { benchDetectorsStreamed } from './detectors-streamed.bench';
import { benchDetectorsBusy } from './detectors-busy.bench';
import { benchDetectorVersions } from './detectors-versions.bench';
import { benchGenerators } from './generators.bench';
import { benchGraphLoad, type IngestTuning } from './graph-load.bench';
import { benchGraphStore } from './graph-store.bench';
import { benchPulsarThroughput, PULSAR_BENCH_CLIENTS } from './pulsar-throughput.bench';
import { benchRiskModel } from './risk-model.bench';
import { benchScoreLatency } from './score-latency.bench';
import {
  benchStoreScan,
  STORE_SCAN_BACKENDS,
  STORE_SCAN_PROFILES,
  type StorageBackend,
} from './store-scan.bench';
import { benchStreaming } from './streaming.bench';
import { benchUbo } from './ubo.bench';

/** A command-line option the benchmark cannot use: reported in one line, without a stack. */
class OptionError extends Error {}

/**
 * One benchmark section of docs/benchmarks.md. A section that measures whatever server it is
 * pointed at names a `variant` (the storage backend), kept as its own block in the document.
 */
interface Section {
  name: string;
  title: string;
  run: () => Promise<string | { markdown: string; variant: string }>;
}

const clients: JanusGraphClient[] = [];

/** A JanusGraph store on the server named by the settings (npm run bench starts one). */
async function janusGraphStore(): Promise<GraphStore> {
  const client = new JanusGraphClient(loadAllSettings().graph);
  clients.push(client);
  await client.open();
  await bootstrapSchema(client);
  return new JanusGraphGraphStore(client, { batchSize: loadAllSettings().graph.batchSize });
}

async function uboSection(): Promise<string> {
  const memory = await benchUbo(() => new MemoryGraphStore());
  const janus = await benchUbo(janusGraphStore);
  return `### Embedded memory store\n\n${withoutHeading(memory)}\n\n### Real JanusGraph\n\n${withoutHeading(janus)}`;
}

const SECTIONS: Section[] = [
  {
    name: 'generators',
    title: 'Synthetic bank generator: throughput and peak memory per profile (issue 4)',
    run: () => benchGenerators({ profiles: ['tiny', 'small', 'medium', 'large'] }),
  },
  {
    name: 'graph-store',
    title: 'Graph store: batched loading, queries (issue 3)',
    run: () => benchGraphStore(),
  },
  {
    name: 'graph-load',
    title: 'Graph loading: every project path against the server-side limit, same run (issue 11)',
    run: () =>
      benchGraphLoad(
        given({
          rounds: numberFlag('--graph-load-rounds'),
          edges: numberFlag('--graph-load-edges'),
          batchSizes: sweepFlag('--graph-load-sweep'),
          servicesDir: textFlag('--graph-load-services-dir'),
          ingestBefore: process.argv.includes('--graph-load-ingest-before') || undefined,
          ingestTunings: tuningsFlag('--graph-load-ingest-tunings'),
        }),
      ),
  },
  {
    name: 'ubo',
    title: 'UBO latency: deep chain, wide structure, cyclic web (issue 5)',
    run: uboSection,
  },
  {
    name: 'detectors',
    title: 'Detectors: batch scan and per-event latency (issue 6)',
    run: () => benchDetectors(),
  },
  {
    name: 'detectors-streamed',
    title:
      'Detectors: batch evaluation of the medium and large profiles in bounded memory (issue 6)',
    run: () => benchDetectorsStreamed(),
  },
  {
    name: 'detectors-versions',
    title: 'Detectors: medium-bank scan before and after the shape-tolerant rules (issue 10)',
    run: () => Promise.resolve(benchDetectorVersions()),
  },
  {
    name: 'detectors-busy',
    title:
      "Detectors: busy accounts, before and after keeping the rules' state up to date (issue 11)",
    run: () => Promise.resolve(benchDetectorsBusy(given({ rounds: numberFlag('--busy-rounds') }))),
  },
  {
    name: 'risk-model',
    title: 'Learned risk model: training time and per-event cost (issue 15)',
    run: () => benchRiskModel(given({ rounds: numberFlag('--risk-model-rounds') })),
  },
  {
    name: 'pulsar-throughput',
    title:
      'Pulsar: the project producer and consumer against a bare WebSocket client and the native Java client, same run (issue 11)',
    run: () =>
      benchPulsarThroughput(
        given({
          rounds: numberFlag('--pulsar-rounds'),
          messages: numberFlag('--pulsar-messages'),
          clients: listFlag('--pulsar-clients', PULSAR_BENCH_CLIENTS),
        }),
      ),
  },
  {
    name: 'store-scan',
    title: 'Detectors: the store scan on JanusGraph against the embedded store (issue 11)',
    run: () =>
      benchStoreScan(
        given({
          rounds: numberFlag('--store-scan-rounds'),
          baseline: textFlag('--store-scan-baseline'),
          profile: oneOfFlag('--store-scan-profile', STORE_SCAN_PROFILES),
          backends: listFlag('--store-scan-backends', STORE_SCAN_BACKENDS) as
            StorageBackend[] | undefined,
          janusGraphPort: numberFlag('--store-scan-janusgraph-port'),
          cassandraPort: numberFlag('--store-scan-cassandra-port'),
        }),
      ),
  },
  {
    name: 'score-latency',
    title:
      'Real-time scoring: latency and throughput of POST /api/v1/score from a second process (issue 12)',
    run: () => benchScoreLatency(),
  },
  {
    name: 'streaming',
    title: 'Streaming: ingest throughput and end-to-end latency (issue 2)',
    run: () => benchStreaming(loadAllSettings().streaming.webUrl),
  },
];

/** Sections bring their own heading sometimes; the runner adds one, so drop theirs. */
function withoutHeading(markdown: string): string {
  return markdown.trim().replace(/^#{1,2} [^\n]*\n+/, '');
}

const DOC = join(__dirname, '..', 'docs', 'benchmarks.md');
const begin = (name: string): string => `<!-- bench:${name}:begin -->`;
const end = (name: string): string => `<!-- bench:${name}:end -->`;

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let java = 'unknown';
  try {
    java = execSync('java -version 2>&1', { encoding: 'utf8' }).split('\n')[0] ?? java;
  } catch {
    // Java is only needed for the real services; say so in the report.
  }
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${java}`;
}

function header(): string {
  return [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (or `npm run bench -- --only <section,…>` for some sections), which',
    'starts a real JanusGraph 1.1.0 and Pulsar 3.0.7 on loopback, runs every comparison side by side in',
    'one process and rewrites the sections below. The machines are shared and noisy: read the **ratios**',
    'between the columns of one run, not absolute numbers across runs.',
    '',
  ].join('\n');
}

/** The keys of `options` whose value is given (so that defaults apply to the others). */
function given<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** A whole-number option of the command line (`--name 12`), or undefined when absent. */
function numberFlag(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new OptionError(`${name} needs a whole number of at least 1`);
  }
  return value;
}

/** A text option of the command line (`--name value`), or undefined when absent. */
function textFlag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new OptionError(`${name} needs a value`);
  return value;
}

/** `none`, or (items per request)x(requests in flight) pairs: `200x4,500x2`; undefined when absent. */
function sweepFlag(name: string): (readonly [number, number])[] | undefined {
  const value = textFlag(name);
  if (value === undefined) return undefined;
  if (value === 'none') return [];
  return value.split(',').map((pair) => {
    const [size, inFlight] = pair.split('x').map(Number);
    if (!Number.isSafeInteger(size) || size < 1 || !Number.isSafeInteger(inFlight) || inFlight < 1)
      throw new OptionError(
        `${name}: "${pair}" is not <items per request>x<requests in flight>, for example 500x4 (or none)`,
      );
    return [size, inFlight] as const;
  });
}

/**
 * Ingest tunings `200x1,500x2:1500`: <INGEST_BATCH_SIZE>x<INGEST_WRITE_CONCURRENCY>, optionally
 * :<PULSAR_RECEIVE_QUEUE_SIZE>; undefined when absent.
 */
function tuningsFlag(name: string): IngestTuning[] | undefined {
  const value = textFlag(name);
  if (value === undefined) return undefined;
  return value.split(',').map((item) => {
    const [withoutHold, hold, ...extraHold] = item.split('+');
    const [tuning, bundle, ...extra] = withoutHold.split('@');
    const [pair, queue, ...rest] = tuning.split(':');
    const [size, inFlight, ...more] = pair.split('x').map(Number);
    const receiveQueueSize = queue === undefined ? undefined : Number(queue);
    const bundleSize = bundle === undefined ? undefined : Number(bundle);
    const holdMaxMessages = hold === undefined ? undefined : Number(hold);
    const whole = (n: number | undefined): boolean => Number.isSafeInteger(n) && (n ?? 0) >= 1;
    if (
      rest.length > 0 ||
      more.length > 0 ||
      extra.length > 0 ||
      extraHold.length > 0 ||
      (holdMaxMessages !== undefined && !whole(holdMaxMessages)) ||
      (bundleSize !== undefined && !whole(bundleSize)) ||
      !whole(size) ||
      !whole(inFlight) ||
      (receiveQueueSize !== undefined && !whole(receiveQueueSize))
    )
      throw new OptionError(
        `${name}: "${item}" is not <batch size>x<writes at once>[:<receive queue size>][@<envelopes per message>][+<most messages held>], for example 500x2:1500@50+5000`,
      );
    return {
      batchSize: size,
      writeConcurrency: inFlight,
      receiveQueueSize,
      bundleSize,
      holdMaxMessages,
    };
  });
}

/** A comma-separated option whose items must be among `known`, or undefined when absent. */
function listFlag(name: string, known: readonly string[]): string[] | undefined {
  const value = textFlag(name);
  if (value === undefined) return undefined;
  const items = value.split(',');
  const unknown = items.filter((item) => !known.includes(item));
  if (unknown.length > 0) {
    throw new OptionError(`${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return items;
}

/** An option whose value must be one of `known` (`--name small`), or undefined when absent. */
function oneOfFlag<T extends string>(name: string, known: readonly T[]): T | undefined {
  const value = textFlag(name);
  if (value === undefined) return undefined;
  const found = known.find((item) => item === value);
  if (found === undefined)
    throw new OptionError(`${name}: "${value}" is not one of ${known.join(', ')}`);
  return found;
}

/** Short names accepted by `--only` for a section. */
const ALIASES: Readonly<Record<string, string>> = { pulsar: 'pulsar-throughput' };

function parseOnly(argv: readonly string[]): Set<string> | undefined {
  const index = argv.indexOf('--only');
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value === undefined) throw new OptionError('--only needs a comma-separated list of sections');
  const names = new Set(value.split(',').map((name) => ALIASES[name] ?? name));
  for (const name of names) {
    if (!SECTIONS.some((s) => s.name === name)) {
      throw new OptionError(
        `--only: unknown section "${name}" (known: ${SECTIONS.map((s) => s.name).join(', ')})`,
      );
    }
  }
  return names;
}

async function main(): Promise<void> {
  const only = parseOnly(process.argv.slice(2));
  let doc: string;
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc = header();
  }
  for (const section of SECTIONS) {
    if (only && !only.has(section.name)) continue;
    process.stdout.write(`\n== ${section.title}\n`);
    const started = Date.now();
    const result = await section.run();
    const { markdown, variant } =
      typeof result === 'string' ? { markdown: result, variant: undefined } : result;
    const body = withoutHeading(markdown);
    const key = variant === undefined ? section.name : `${section.name}:${variant}`;
    const title = variant === undefined ? section.title : `${section.title}: ${variant}`;
    const stamp = `_Run ${new Date().toISOString().slice(0, 16)} UTC on ${machine()}; took ${Math.round((Date.now() - started) / 1000)} s._`;
    const block = `${begin(key)}\n## ${title}\n\n${stamp}\n\n${body.trim()}\n${end(key)}`;
    const from = doc.indexOf(begin(key));
    const to = doc.indexOf(end(key));
    doc =
      from >= 0 && to > from
        ? doc.slice(0, from) + block + doc.slice(to + end(key).length)
        : `${doc.trimEnd()}\n\n${block}\n`;
    writeFileSync(DOC, doc);
    process.stdout.write(`${body.trim()}\n`);
  }
  process.stdout.write(`\nWrote ${DOC}\n`);
  await Promise.all(clients.map((client) => client.close()));
}

main().catch((error: unknown) => {
  if (error instanceof OptionError) {
    process.stderr.write(
      `Benchmark not run: ${error.message}.\nEach section's options are listed under its heading in docs/benchmarks.md (the "Command:" line).\n`,
    );
    process.exit(2);
  }
  process.stderr.write(
    `Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
