import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_CHUNK_SIZE,
  importAmlsim,
  importAmlworld,
  type ImportRun,
  type ImportSummary,
} from '@app/generators';
import type { GraphStore } from '@app/graph-store';
import { DomainError, InvalidInputError } from '@app/vocabulary';
import { writeAtomically } from './atomic-output-dir';
import { GraphImportSink } from './graph.import-sink';
import { IMPORT_SINK_KINDS, type ImportSinkFactory, type ImportSinkKind } from './import-sink';
import { JsonlImportSink } from './jsonl.import-sink';

export interface ImportCommandDeps {
  /** Opens the sinks; by default JSON lines, and `GraphImportSink` over `graphStore` for `--sink graph`. */
  createSink?: ImportSinkFactory;
  /** The graph store for `--sink graph` (the seeder's application context provides it). */
  graphStore?: () => Promise<GraphStore>;
  /** Where the summary lines go (default: standard output). */
  print?: (line: string) => void;
}

interface CommonOptions {
  out: string;
  sink: ImportSinkKind;
  chunkSize: number;
  overwrite: boolean;
}

interface AmlworldCommandOptions extends CommonOptions {
  transactions?: string;
  patterns?: string;
}

interface AmlsimCommandOptions extends CommonOptions {
  dir: string;
  bankId?: string;
  currency?: string;
  country?: string;
  stepEpoch?: number;
}

/**
 * Adds `import amlworld` and `import amlsim` to the seeder's command line:
 *
 *   seeder import amlworld --transactions HI-Small_Trans.csv [--patterns HI-Small_Patterns.txt] --out <dir> [--sink jsonl|graph]
 *   seeder import amlsim --dir <AMLSim output folder> --out <dir> [--sink jsonl|graph]
 *
 * Output is written to a temporary folder next to `--out` and renamed into place only when the
 * whole import succeeded. A malformed file stops the import with a message naming the file,
 * the line and the rule (exit code 2).
 */
export function registerImportCommands(program: Command, deps: ImportCommandDeps = {}): Command {
  const createSink = deps.createSink ?? defaultSinkFactory(deps.graphStore);
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const group = program
    .command('import')
    .description(
      'Import a public AML dataset (IBM AMLworld or AMLSim) into the graph model, with its labels as ground truth',
    );

  const amlworld = withCommonOptions(
    group
      .command('amlworld')
      .description(
        'Import IBM AMLworld files (Altman et al. 2023): *_Trans.csv and/or *_Patterns.txt',
      )
      .option('--transactions <file>', 'the *_Trans.csv file (every transaction, labelled)')
      .option('--patterns <file>', 'the *_Patterns.txt file (laundering attempts by pattern)'),
  );
  amlworld.action(async () => {
    const opts = amlworld.opts<AmlworldCommandOptions>();
    if (opts.transactions === undefined && opts.patterns === undefined) {
      amlworld.error('error: give --transactions <file>, --patterns <file> or both', {
        exitCode: 2,
        code: 'seeder.import.missing-input',
      });
    }
    await runCommand(amlworld, opts, print, createSink, () =>
      importAmlworld({
        transactionsPath: opts.transactions,
        patternsPath: opts.patterns,
        chunkSize: opts.chunkSize,
      }),
    );
  });

  const amlsim = withCommonOptions(
    group
      .command('amlsim')
      .description(
        'Import an IBM AMLSim output folder (newer transactions.csv schema or old tx.csv schema)',
      )
      .requiredOption('--dir <dir>', 'the AMLSim output folder')
      .option(
        '--bank-id <id>',
        'bank id of accounts whose bank the files do not give (default: amlsim)',
      )
      .option('--currency <code>', 'currency when the files give none (default: USD)')
      .option(
        '--country <code>',
        'ISO 3166 country when the files give none (default: ZZ, unknown)',
      )
      .option(
        '--step-epoch <iso>',
        'old schema: the date of simulation step 0 (default: 2017-01-01T00:00:00Z, as AMLSim dates it)',
        parseInstant,
      ),
  );
  amlsim.action(async () => {
    const opts = amlsim.opts<AmlsimCommandOptions>();
    await runCommand(amlsim, opts, print, createSink, () =>
      importAmlsim({
        dir: opts.dir,
        chunkSize: opts.chunkSize,
        defaultBankId: opts.bankId,
        defaultCurrency: opts.currency,
        defaultCountry: opts.country,
        stepEpoch: opts.stepEpoch,
      }),
    );
  });
  return group;
}

function withCommonOptions(command: Command): Command {
  return command
    .requiredOption('--out <dir>', 'output folder (must not exist unless --overwrite)')
    .addOption(
      new Option(
        '--sink <kind>',
        'jsonl: files only; graph: vertices and edges into the graph store',
      )
        .choices(IMPORT_SINK_KINDS)
        .default('jsonl'),
    )
    .option(
      '--chunk-size <n>',
      'vertices + edges + labels per write',
      parsePositiveInteger,
      DEFAULT_CHUNK_SIZE,
    )
    .option(
      '--overwrite',
      'replace an existing output folder once the import has succeeded',
      false,
    );
}

async function runCommand<S extends ImportSummary>(
  command: Command,
  opts: CommonOptions,
  print: (line: string) => void,
  createSink: ImportSinkFactory,
  start: () => ImportRun<S>,
): Promise<void> {
  try {
    const summary = await writeAtomically(opts.out, opts.overwrite, async (dir) => {
      const sink = await createSink(opts.sink, dir);
      const run = start();
      try {
        for (;;) {
          const step = await run.next();
          if (step.done === true) {
            await sink.close(step.value);
            return step.value;
          }
          await sink.write(step.value);
        }
      } catch (error) {
        // Let the importer close its files (its `finally` blocks run), then discard the sink.
        await run.throw(error).catch(() => undefined);
        await sink.abort().catch(() => undefined);
        throw error;
      }
    });
    for (const line of describeSummary(summary, opts)) print(line);
  } catch (error) {
    if (error instanceof DomainError) {
      command.error(`error: ${error.message}`, {
        exitCode: 2,
        code: `seeder.import.${error.code}`,
      });
    }
    throw error;
  }
}

/** The lines printed after a successful import. */
export function describeSummary(
  summary: ImportSummary,
  opts: Pick<CommonOptions, 'out' | 'sink'>,
): string[] {
  const files = summary.files.map((file) => `${file.path} (${file.rows} rows)`).join(', ');
  return [
    `Imported ${summary.source} from ${files}`,
    `  ${summary.vertices} vertices, ${summary.edges} movements, ${summary.groundTruth} ground-truth records` +
      (opts.sink === 'graph' ? ' (vertices and edges upserted into the graph store)' : ''),
    `  written to ${opts.out}`,
    ...summary.notes.map((note) => `  note: ${note}`),
  ];
}

function defaultSinkFactory(
  graphStore: (() => Promise<GraphStore>) | undefined,
): ImportSinkFactory {
  return async (kind, dir) => {
    switch (kind) {
      case 'jsonl':
        return JsonlImportSink.open(dir);
      case 'graph': {
        if (!graphStore) {
          throw new InvalidInputError(
            '--sink graph needs a graph store, and this command was started without one',
            [
              {
                field: 'sink',
                rule: 'graph is available only when the seeder provides a graph store',
              },
            ],
          );
        }
        return GraphImportSink.open(await graphStore(), dir);
      }
    }
  };
}

function parsePositiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError('must be a whole number of at least 1');
  }
  return value;
}

function parseInstant(text: string): number {
  const value = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z)?$/.test(text) || Number.isNaN(value)) {
    throw new InvalidArgumentError('must be a UTC date such as 2017-01-01 or 2017-01-01T00:00:00Z');
  }
  return value;
}
