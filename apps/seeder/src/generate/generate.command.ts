import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CsvSink,
  type DatasetSink,
  GENERATOR_VERSION,
  generateBank,
  type GenerateBankOptions,
  GraphStoreSink,
  JsonlSink,
  MIN_DAYS,
  PROFILE_NAMES,
  type ProfileName,
  TeeSink,
  writeDataset,
} from '@app/generators';
import type { GraphStore } from '@app/graph-store';
import type { DetectorsConfig, GraphConfig, SeederConfig } from '@app/settings';
import { DomainError, toMinorUnits } from '@app/vocabulary';
import { type ProgressReporter, SILENT_PROGRESS } from './progress.reporter';
import { summaryTable } from './summary.table';

export const SINK_KINDS = ['jsonl', 'csv', 'graph'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];
export const JSONL_LAYOUTS = ['combined', 'per-label'] as const;

/** What the command needs from the application context (settings and, for --sink graph, the store). */
export interface SeederContext {
  seeder: SeederConfig;
  detectors: DetectorsConfig;
  graph: GraphConfig;
  graphStore?: GraphStore;
  close(): Promise<void>;
}

export interface GenerateCommandDeps {
  /** Boots the application context; with `graph: true` it provides the GraphStore port. */
  boot: (options: { graph: boolean }) => Promise<SeederContext>;
  /** Where the summary goes (default: standard output). */
  print?: (line: string) => void;
  /** Progress bars (default: none). */
  progress?: () => ProgressReporter;
}

interface GenerateOptions {
  profile?: ProfileName;
  seed?: number;
  referenceTime?: string;
  days?: number;
  out?: string;
  sink: SinkKind;
  layout: (typeof JSONL_LAYOUTS)[number];
  overwrite?: boolean;
  batchSize?: number;
  progress: boolean;
}

function wholeNumber(min: number, max: number, unit = ''): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be a whole number${unit} between ${min} and ${max}`);
    }
    return value;
  };
}

function isoInstant(text: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ||
    Number.isNaN(Date.parse(text))
  ) {
    throw new InvalidArgumentError('must be an ISO 8601 timestamp such as 2025-01-01T00:00:00Z');
  }
  return text;
}

function notEmpty(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('must not be empty');
  return text;
}

const EXAMPLES = `
Examples:
  $ npm run seed -- generate                                   # settings defaults (SEEDER_*), JSON lines into ./out/seed
  $ npm run seed -- generate --profile tiny --seed 7 --out ./out/tiny
  $ npm run seed -- generate --profile medium --sink csv --out ./out/medium --overwrite
  $ GRAPH_BACKEND=janusgraph npm run seed -- generate --profile small --sink graph

Output (jsonl): vertices.jsonl, edges.jsonl (or one file per label with --layout per-label),
ground-truth.jsonl (one line per injected pattern or decoy) and manifest.json (options and counts).
The same profile, seed, reference time, days and generator version always give the same files.
An existing output folder is refused unless --overwrite; output is written to a temporary folder
and renamed into place only when generation succeeded.`;

/**
 * `seeder generate`: a synthetic bank with injected AML, fraud and ownership patterns and their
 * exact ground truth, into JSON lines, CSV or the graph store.
 */
export function registerGenerateCommand(program: Command, deps: GenerateCommandDeps): Command {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const command = program
    .command('generate')
    .description(
      'Generate a synthetic bank (parties, accounts, ownership, movements, logins) with labelled patterns',
    )
    .addOption(
      new Option(
        '--profile <name>',
        'size: tiny (unit tests), small (~3k accounts, ~50k movements), medium, large (~500k accounts, ~5M movements); default SEEDER_PROFILE',
      ).choices(PROFILE_NAMES),
    )
    .option(
      '--seed <n>',
      'random seed, 0 to 4294967295; default SEEDER_SEED',
      wholeNumber(0, 4_294_967_295),
    )
    .option(
      '--reference-time <iso>',
      'end of the simulated period (UTC); default SEEDER_REFERENCE_TIME',
      isoInstant,
    )
    .option(
      '--days <n>',
      'length of the simulated period; default SEEDER_DAYS',
      wholeNumber(MIN_DAYS, 3650, ' of days'),
    )
    .option(
      '--out <dir>',
      'output folder (for --sink graph: where the ground truth goes); default SEEDER_OUTPUT_DIR',
      notEmpty,
    )
    .addOption(
      new Option(
        '--sink <kind>',
        'jsonl or csv files, or graph (upsert into the graph store chosen by GRAPH_BACKEND)',
      )
        .choices(SINK_KINDS)
        .default('jsonl'),
    )
    .addOption(
      new Option('--layout <layout>', 'jsonl: combined files or one file per label')
        .choices(JSONL_LAYOUTS)
        .default('combined'),
    )
    .option(
      '--overwrite',
      'replace an existing output folder once generation succeeded; default SEEDER_OVERWRITE',
    )
    .option(
      '--batch-size <n>',
      'graph sink: items per upsert; default GRAPH_BATCH_SIZE',
      wholeNumber(1, 5000),
    )
    .option('--no-progress', 'do not draw progress bars')
    .addHelpText('after', EXAMPLES);

  command.action(async () => {
    const opts = command.opts<GenerateOptions>();
    const context = await deps.boot({ graph: opts.sink === 'graph' });
    const progress = opts.progress ? (deps.progress?.() ?? SILENT_PROGRESS) : SILENT_PROGRESS;
    try {
      const profile: ProfileName = opts.profile ?? context.seeder.profile;
      const referenceTime = opts.referenceTime ?? context.seeder.referenceTime;
      const options: GenerateBankOptions = {
        profile,
        seed: opts.seed ?? context.seeder.seed,
        referenceTime,
        days: opts.days ?? context.seeder.days,
        thresholds: {
          cashThresholdMinor: toMinorUnits(context.detectors.cashReportingThreshold, 'USD'),
          structuringBandPercent: context.detectors.structuringBandPercent,
          dormantDays: context.detectors.dormantDays,
          highRiskJurisdictions: context.detectors.highRiskJurisdictions,
        },
      };
      const out = opts.out ?? context.seeder.outputDir;
      const overwrite = opts.overwrite ?? context.seeder.overwrite;
      const manifest = {
        generator: 'synthetic-bank',
        version: GENERATOR_VERSION,
        profile: options.profile,
        seed: options.seed,
        referenceTime: options.referenceTime,
        days: options.days,
        thresholds: options.thresholds,
      };
      const sink = await openSink(opts, context, out, overwrite, manifest);
      const started = performance.now();
      const summary = await writeDataset(generateBank(options), sink, (chunk, sofar) =>
        progress.update(chunk, sofar),
      );
      progress.stop();
      const seconds = (performance.now() - started) / 1000;
      print(
        `Generated the ${profile} bank (seed ${options.seed}, ${options.days} days up to ${referenceTime}) ` +
          `in ${seconds.toFixed(1)} s: ${opts.sink === 'graph' ? `upserted into the ${context.graphStore?.backend ?? ''} graph store, ground truth in ${out}` : `${opts.sink} files in ${out}`}`,
      );
      if (opts.sink === 'graph' && context.graphStore?.backend === 'memory') {
        print(
          'note: GRAPH_BACKEND=memory keeps the graph inside this process only; it is gone when the seeder exits (use GRAPH_BACKEND=janusgraph to keep it).',
        );
      }
      print('');
      for (const line of summaryTable(summary)) print(line);
    } catch (error: unknown) {
      progress.stop();
      if (error instanceof DomainError) {
        command.error(`error: ${error.message}`, {
          exitCode: 2,
          code: `seeder.generate.${error.code}`,
        });
      }
      throw error;
    } finally {
      await context.close();
    }
  });
  return command;
}

async function openSink(
  opts: GenerateOptions,
  context: SeederContext,
  out: string,
  overwrite: boolean,
  manifest: Readonly<Record<string, unknown>>,
): Promise<DatasetSink> {
  switch (opts.sink) {
    case 'jsonl':
      return JsonlSink.open({ directory: out, overwrite, manifest, layout: opts.layout });
    case 'csv':
      return CsvSink.open({ directory: out, overwrite, manifest });
    case 'graph': {
      if (!context.graphStore)
        throw new Error('The application context was booted without the graph store');
      const files = await JsonlSink.open({
        directory: out,
        overwrite,
        manifest: { ...manifest, graph: context.graphStore.backend },
        content: 'ground-truth',
      });
      return new TeeSink([
        new GraphStoreSink(context.graphStore, opts.batchSize ?? context.graph.batchSize),
        files,
      ]);
    }
  }
}
