import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CsvSink,
  type DatasetSink,
  GENERATOR_VERSION,
  generateBank,
  type GenerateBankOptions,
  generateBankWithPatterns,
  GraphStoreSink,
  JsonlSink,
  MIN_DAYS,
  PROFILE_NAMES,
  type ProfileName,
  TeeSink,
  writeDataset,
} from '@app/generators';
import { type GraphStore, outageWaitingWriter } from '@app/graph-store';
import type { DetectorsConfig, GraphConfig, SeederConfig, StreamingConfig } from '@app/settings';
import { type BrokerKind, DEFAULT_PUBLISH_BATCH_SIZE, PulsarDatasetSink } from '@app/streaming';
import { DomainError, StreamUnavailableError, toMinorUnits } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import { isoInstantOption } from '../date-options';
import { graphOutageWait } from '../graph-outage';
import { checkOutputFolder, OVERWRITE_HELP } from '../output/output-folder.guard';
import { type ProgressReporter, SILENT_PROGRESS } from './progress.reporter';
import { summaryTable } from './summary.table';

export const SINK_KINDS = ['jsonl', 'csv', 'graph', 'pulsar'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];
export const JSONL_LAYOUTS = ['combined', 'per-label'] as const;

/** What the command needs from the application context (settings and, for --sink graph, the store). */
export interface SeederContext {
  seeder: SeederConfig;
  detectors: DetectorsConfig;
  graph: GraphConfig;
  streaming: StreamingConfig;
  graphStore?: GraphStore;
  close(): Promise<void>;
}

/** Builds the sink of `--sink pulsar` from the streaming settings (it owns its broker). */
export type PulsarSinkFactory = (
  config: StreamingConfig,
  options: { batchSize: number },
) => PulsarDatasetSink;

/** The real one: the Pulsar of the settings, whatever STREAMING_BACKEND says. */
const pulsarSinkFromSettings: PulsarSinkFactory = (config, options) =>
  PulsarDatasetSink.fromSettings(config, new Logger('seeder'), options);

export interface GenerateCommandDeps {
  /** Boots the application context; with `graph: true` it provides the GraphStore port. */
  boot: (options: { graph: boolean }) => Promise<SeederContext>;
  /** Where the summary goes (default: standard output). */
  print?: (line: string) => void;
  /** Progress bars (default: none). */
  progress?: () => ProgressReporter;
  /** The sink of `--sink pulsar` (default: `PulsarDatasetSink.fromSettings`). */
  pulsarSink?: PulsarSinkFactory;
}

/** The bank a command's options name: the option where given, else the seeder settings. */
export interface ChosenBank {
  profile?: ProfileName;
  seed?: number;
  referenceTime?: string;
  days?: number;
}

/** A generated bank fully resolved, with the thresholds the detectors use (so patterns sit around them). */
export interface ChosenBankOptions extends GenerateBankOptions {
  profile: ProfileName;
  referenceTime: string;
}

/** Generation options for the chosen bank; generate, evaluate and train build their bank this way. */
export function bankOptionsFor(
  chosen: ChosenBank,
  context: Pick<SeederContext, 'seeder' | 'detectors'>,
): ChosenBankOptions {
  return {
    profile: chosen.profile ?? context.seeder.profile,
    seed: chosen.seed ?? context.seeder.seed,
    referenceTime: chosen.referenceTime ?? context.seeder.referenceTime,
    days: chosen.days ?? context.seeder.days,
    thresholds: {
      cashThresholdMinor: toMinorUnits(context.detectors.cashReportingThreshold, 'USD'),
      structuringBandPercent: context.detectors.structuringBandPercent,
      dormantDays: context.detectors.dormantDays,
      highRiskJurisdictions: context.detectors.highRiskJurisdictions,
    },
  };
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
  injectPatterns?: string;
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

function notEmpty(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('must not be empty');
  return text;
}

const EXAMPLES = `
Examples:
  $ npm run seed -- generate                                   # settings defaults (SEEDER_*), JSON lines into ./out/seed
  $ npm run seed -- generate --profile tiny --seed 7 --out ./out/tiny
  $ npm run seed -- generate --profile medium --sink csv --out ./out/medium --overwrite
  $ npm run seed -- generate --profile medium --seed 42 --inject-patterns ./LI-Medium_Patterns.txt --out ./out/medium-lim
  $ GRAPH_BACKEND=janusgraph npm run seed -- generate --profile small --sink graph
  $ PULSAR_WEB_URL=http://127.0.0.1:8080 npm run seed -- generate --profile small --sink pulsar --out ./out/small-truth

Output (jsonl): vertices.jsonl, edges.jsonl (or one file per label with --layout per-label),
ground-truth.jsonl (one line per injected pattern or decoy) and manifest.json (options and counts).
The same profile, seed, reference time, days and generator version always give the same files.
--inject-patterns adds the attempts of an AMLworld *_Patterns.txt file: each AMLworld account
becomes one of the bank's customer accounts (chosen with the seed, the same currency when
possible), each attempt is moved by whole days into the period (its own timing kept), amounts and
currencies stay as in the file; ground truth gets one record per attempt (amlworld-<file>-0001…).
An existing output folder is refused unless --overwrite; output is written to a temporary folder
and renamed into place only when generation succeeded.

Output (graph, pulsar): the bank goes to the graph store or to Pulsar; the output folder gets only
ground-truth.jsonl and manifest.json, so the labels stay at hand (\`seeder evaluate\` with the
manifest's profile, seed, reference time and days regenerates the identical bank to score it).
--sink pulsar publishes vertices and relations to PULSAR_TOPIC_ENTITIES and movements to
PULSAR_TOPIC_MOVEMENTS on the Pulsar at PULSAR_WEB_URL (PULSAR_SERVICE_URL with the native client),
in the format the ingest worker consumes. It always needs a running Pulsar: STREAMING_BACKEND=memory
does not apply to it (an in-memory broker would vanish when the seeder exits). Start the ingest
worker first: a new subscription starts at the end of the topics.`;

/**
 * `seeder generate`: a synthetic bank with injected AML, fraud and ownership patterns and their
 * exact ground truth, into JSON lines, CSV, the graph store or Pulsar topics.
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
      isoInstantOption,
    )
    .option(
      '--days <n>',
      'length of the simulated period; default SEEDER_DAYS',
      wholeNumber(MIN_DAYS, 3650, ' of days'),
    )
    .option(
      '--out <dir>',
      'output folder (for --sink graph or pulsar: where the ground truth goes); default SEEDER_OUTPUT_DIR',
      notEmpty,
    )
    .addOption(
      new Option(
        '--sink <kind>',
        'jsonl or csv files, graph (upsert into the graph store chosen by GRAPH_BACKEND) or pulsar (publish to the PULSAR_TOPIC_* topics for the ingest worker)',
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
      `replace an existing output folder once generation succeeded ${OVERWRITE_HELP}; default SEEDER_OVERWRITE`,
    )
    .option(
      '--batch-size <n>',
      `graph sink: items per upsert (default GRAPH_BATCH_SIZE); pulsar sink: messages per publish call (default ${DEFAULT_PUBLISH_BATCH_SIZE})`,
      wholeNumber(1, 5000),
    )
    .option(
      '--inject-patterns <file>',
      "graft the laundering attempts of an AMLworld *_Patterns.txt file onto the bank's own customer accounts, with their ground truth",
      notEmpty,
    )
    .option('--no-progress', 'do not draw progress bars')
    .addHelpText('after', EXAMPLES);

  command.action(async () => {
    const opts = command.opts<GenerateOptions>();
    const context = await deps.boot({ graph: opts.sink === 'graph' });
    const progress = opts.progress ? (deps.progress?.() ?? SILENT_PROGRESS) : SILENT_PROGRESS;
    try {
      const options = bankOptionsFor(opts, context);
      const { profile, referenceTime } = options;
      const out = opts.out ?? context.seeder.outputDir;
      const overwrite = opts.overwrite ?? context.seeder.overwrite;
      // Refuse an output folder that may not be written (or replaced) before generating.
      await checkOutputFolder({
        out,
        overwrite,
        inputs:
          opts.injectPatterns === undefined
            ? []
            : [{ option: '--inject-patterns', path: opts.injectPatterns }],
      });
      // A bad patterns file is refused before any output exists.
      const injected =
        opts.injectPatterns === undefined
          ? undefined
          : await generateBankWithPatterns(options, opts.injectPatterns);
      const manifest = {
        generator: 'synthetic-bank',
        version: GENERATOR_VERSION,
        profile: options.profile,
        seed: options.seed,
        referenceTime: options.referenceTime,
        days: options.days,
        thresholds: options.thresholds,
        ...(injected && opts.injectPatterns !== undefined
          ? {
              injectPatterns: {
                ...injected.injection,
                sha256: createHash('sha256')
                  .update(await readFile(opts.injectPatterns))
                  .digest('hex'),
              },
            }
          : {}),
      };
      const { sink, pulsar } = await openSink(
        opts,
        context,
        out,
        overwrite,
        manifest,
        deps.pulsarSink ?? pulsarSinkFromSettings,
      );
      const started = performance.now();
      const chunks = injected ? injected.chunks : generateBank(options);
      const summary = await writeDataset(chunks, sink, (chunk, sofar) =>
        progress.update(chunk, sofar),
      ).catch((error: unknown) => {
        throw pulsar ? publishFailure(error, pulsar, context.streaming) : error;
      });
      progress.stop();
      const seconds = (performance.now() - started) / 1000;
      print(
        `Generated the ${profile} bank (seed ${options.seed}, ${options.days} days up to ${referenceTime}) ` +
          `in ${seconds.toFixed(1)} s: ${destination(opts.sink, context, out, pulsar)}`,
      );
      if (injected) {
        const { attempts, movements, accounts, sameCurrency, file } = injected.injection;
        print(
          `Injected ${attempts} laundering attempts from ${file}: ${movements} movements between ${accounts} customer accounts ` +
            `(${sameCurrency} of them in the AMLworld account's own currency), one ground-truth record per attempt.`,
        );
      }
      if (opts.sink === 'graph' && context.graphStore?.backend === 'memory') {
        print(
          'note: GRAPH_BACKEND=memory keeps the graph inside this process only; it is gone when the seeder exits (use GRAPH_BACKEND=janusgraph to keep it).',
        );
      }
      if (pulsar) {
        print(
          `note: the ingest worker writes these messages into the graph when its subscription (PULSAR_SUBSCRIPTION=${context.streaming.subscription}) existed before they were published; a new subscription starts at the end of the topics.` +
            (context.streaming.backend === 'memory'
              ? ' Run it with STREAMING_BACKEND=pulsar: with memory it has its own in-process broker and never sees these topics.'
              : ''),
        );
      }
      print('');
      for (const line of summaryTable(summary)) print(line);
    } catch (error: unknown) {
      progress.stop();
      if (error instanceof DomainError) failCommand(command, 'generate', error);
      throw error;
    } finally {
      await context.close();
    }
  });
  return command;
}

interface OpenedSink {
  sink: DatasetSink;
  /** The Pulsar sink inside `sink`, for `--sink pulsar`. */
  pulsar?: PulsarDatasetSink;
}

async function openSink(
  opts: GenerateOptions,
  context: SeederContext,
  out: string,
  overwrite: boolean,
  manifest: Readonly<Record<string, unknown>>,
  pulsarSink: PulsarSinkFactory,
): Promise<OpenedSink> {
  switch (opts.sink) {
    case 'jsonl':
      return {
        sink: await JsonlSink.open({ directory: out, overwrite, manifest, layout: opts.layout }),
      };
    case 'csv':
      return { sink: await CsvSink.open({ directory: out, overwrite, manifest }) };
    case 'graph': {
      if (!context.graphStore)
        throw new Error('The application context was booted without the graph store');
      const files = await JsonlSink.open({
        directory: out,
        overwrite,
        manifest: { ...manifest, graph: context.graphStore.backend },
        content: 'ground-truth',
      });
      return {
        sink: new TeeSink([
          new GraphStoreSink(
            outageWaitingWriter(context.graphStore, graphOutageWait(context.graph.outageWaitMs)),
            opts.batchSize ?? context.graph.batchSize,
            context.graph.writeConcurrency,
          ),
          files,
        ]),
      };
    }
    case 'pulsar': {
      // Connect before generating anything, so that an unreachable Pulsar leaves no files behind.
      const pulsar = await connectPulsar(context.streaming, opts.batchSize, pulsarSink);
      try {
        const files = await JsonlSink.open({
          directory: out,
          overwrite,
          manifest: {
            ...manifest,
            pulsar: {
              url: pulsarEndpoint(context.streaming, pulsar.brokerKind).url,
              entitiesTopic: pulsar.topics.entities,
              movementsTopic: pulsar.topics.movements,
            },
          },
          content: 'ground-truth',
        });
        return { sink: new TeeSink([pulsar, files]), pulsar };
      } catch (error: unknown) {
        await pulsar.abort();
        throw error;
      }
    }
  }
}

/** The URL the broker talks to and the variable that sets it. */
function pulsarEndpoint(
  config: StreamingConfig,
  kind: BrokerKind | undefined,
): { url: string; variable: string; transport: string } {
  const native = kind === undefined ? config.transport === 'native' : kind === 'pulsar-native';
  return native
    ? { url: config.serviceUrl, variable: 'PULSAR_SERVICE_URL', transport: 'native client' }
    : { url: config.webUrl, variable: 'PULSAR_WEB_URL', transport: 'WebSocket API' };
}

/** An `Error` from any realm (`instanceof Error` fails for errors of another VM context). */
function isErrorLike(value: unknown): value is { message: string; cause?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** The error message with the messages of its causes (e.g. `fetch failed: connect ECONNREFUSED …`). */
function reasonOf(error: unknown): string {
  if (!isErrorLike(error)) return String(error);
  const parts: string[] = [];
  let current: unknown = error;
  while (isErrorLike(current) && parts.length < 4) {
    const message = current.message;
    // Wrappers often repeat their cause's message; keep each text once.
    if (message !== '' && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current.cause;
  }
  return parts.join(': ');
}

const MEMORY_BACKEND_NOTE =
  '\n--sink pulsar always needs a real Pulsar: STREAMING_BACKEND=memory does not apply to it (an in-memory broker would vanish when the seeder exits).';

/** Builds the Pulsar sink and checks that Pulsar answers; a clear refusal otherwise. */
async function connectPulsar(
  config: StreamingConfig,
  batchSize: number | undefined,
  factory: PulsarSinkFactory,
): Promise<PulsarDatasetSink> {
  let sink: PulsarDatasetSink | undefined;
  try {
    sink = factory(config, { batchSize: batchSize ?? DEFAULT_PUBLISH_BATCH_SIZE });
    await sink.ping();
    return sink;
  } catch (error: unknown) {
    await sink?.abort();
    const endpoint = pulsarEndpoint(config, sink?.brokerKind);
    throw new StreamUnavailableError(
      `--sink pulsar cannot reach Pulsar at ${endpoint.url} (${endpoint.variable}, ${endpoint.transport}): ${reasonOf(error)}\n` +
        'Nothing was generated or published. Check that Pulsar is running (for a local one: ' +
        `bash docker/local/pulsar/service.sh start) and that ${endpoint.variable} points at it; ` +
        'PULSAR_TRANSPORT chooses the client, PULSAR_AUTH_TOKEN is sent when set.' +
        (config.backend === 'memory' ? MEMORY_BACKEND_NOTE : ''),
      { url: endpoint.url },
      { cause: error },
    );
  }
}

/** A failure while publishing, with what was published already and what to do. */
function publishFailure(error: unknown, sink: PulsarDatasetSink, config: StreamingConfig): unknown {
  if (!(error instanceof StreamUnavailableError)) return error;
  const { url, variable } = pulsarEndpoint(config, sink.brokerKind);
  const { vertices, entityEdges, movements } = sink.published;
  return new StreamUnavailableError(
    `Publishing to Pulsar at ${url} (${variable}) failed: ${reasonOf(error)}\n` +
      `${vertices} vertices, ${entityEdges} entity edges and ${movements} movements were published before; ` +
      'the ground truth was not written. Publishing the same bank again is harmless (the ingest worker upserts).',
    { url, published: { ...sink.published } },
    { cause: error },
  );
}

/** The end of the summary line: where the bank and its ground truth went. */
function destination(
  kind: SinkKind,
  context: SeederContext,
  out: string,
  pulsar: PulsarDatasetSink | undefined,
): string {
  switch (kind) {
    case 'jsonl':
    case 'csv':
      return `${kind} files in ${out}`;
    case 'graph':
      return `upserted into the ${context.graphStore?.backend ?? ''} graph store, ground truth in ${out}`;
    case 'pulsar': {
      if (!pulsar) return `published to Pulsar, ground truth in ${out}`;
      const { vertices, entityEdges, movements } = pulsar.published;
      const count = (n: number): string => n.toLocaleString('en-US');
      return (
        `published ${count(vertices)} vertices and ${count(entityEdges)} entity edges to ${pulsar.topics.entities}, ` +
        `${count(movements)} movements to ${pulsar.topics.movements} ` +
        `(Pulsar at ${pulsarEndpoint(context.streaming, pulsar.brokerKind).url}); ground truth and manifest in ${out}`
      );
    }
  }
}
