import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_BANK_ID,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_MAX_PROBLEMS,
  importAmlsim,
  importAmlworld,
  importBankExportFolder,
  type ImportRun,
  type ImportSummary,
} from '@app/generators';
import type { GraphStore } from '@app/graph-store';
import { DomainError, InvalidInputError, shippedBaseMoney } from '@app/vocabulary';
import type { BaseMoney } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import { utcInstantOption } from '../date-options';
import { writeAtomically } from '../output/atomic-output-dir';
import { type CommandInput, OVERWRITE_HELP } from '../output/output-folder.guard';
import { GraphImportSink } from './graph.import-sink';
import { IMPORT_SINK_KINDS, type ImportSinkFactory, type ImportSinkKind } from './import-sink';
import { JsonlImportSink } from './jsonl.import-sink';

export interface ImportCommandDeps {
  /** Opens the sinks; by default JSON lines, and `GraphImportSink` over `graphStore` for `--sink graph`. */
  createSink?: ImportSinkFactory;
  /** The graph store for `--sink graph` (the seeder's application context provides it). */
  graphStore?: () => Promise<GraphStore>;
  /**
   * How long a `--sink graph` write keeps trying a graph store that does not answer
   * (GRAPH_OUTAGE_WAIT_MS, read when the sink opens); default 0, fail at once.
   */
  graphOutageWaitMs?: () => number;
  /** Where the summary lines go (default: standard output). */
  print?: (line: string) => void;
  /**
   * The base currency and rate table of the `money` settings: `import bank` refuses movements
   * it cannot convert (default: the built-in FX table in USD).
   */
  money?: () => BaseMoney;
  /** The clock `import bank` refuses later dates against (default: the system clock). */
  now?: () => number;
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

interface BankCommandOptions extends CommonOptions {
  dir: string;
  bankId: string;
  maxProblems: number;
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
 *   seeder import bank --dir <bank export folder> --out <dir> [--sink jsonl|graph] [--bank-id <id>]
 *
 * Output is written to a temporary folder next to `--out` and renamed into place only when the
 * whole import succeeded. A malformed file stops the import with a message naming the file,
 * the line and the rule (exit code 2).
 */
export function registerImportCommands(program: Command, deps: ImportCommandDeps = {}): Command {
  const createSink =
    deps.createSink ?? defaultSinkFactory(deps.graphStore, deps.graphOutageWaitMs ?? (() => 0));
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const group = program
    .command('import')
    .description(
      "Import a bank's own export (bank exchange format) or a public AML dataset (IBM AMLworld, AMLSim) into the graph model",
    );
  const context: RunContext = { print, createSink, graphStore: deps.graphStore };

  const bank = withCommonOptions(
    group
      .command('bank')
      .description(
        "Import a bank's own data: a folder of CSV or JSON-lines files in the bank exchange format (docs/import-format.md)",
      )
      .requiredOption(
        '--dir <dir>',
        'the export folder: persons, companies, accounts, holders, ownership, identifiers, identifier-uses, movements, events (.csv or .jsonl)',
      )
      .option(
        '--bank-id <id>',
        "this bank's id inside the business ids (account:<bank-id>:<account_id>); keep it the same for every import of one bank",
        DEFAULT_BANK_ID,
      )
      .option(
        '--max-problems <n>',
        'problems to list before the export is refused',
        parsePositiveInteger,
        DEFAULT_MAX_PROBLEMS,
      )
      .addHelpText(
        'after',
        '\nExample:\n  $ npm run seed -- import bank --dir examples/bank-export --out ./out/my-bank\n\n' +
          'The whole export is validated first (JSON Schemas in schemas/bank-exchange/v1, then references\n' +
          'between files); if anything is wrong, every problem is listed with file, line, field and rule,\n' +
          'and nothing is written.',
      ),
  );
  bank.action(async () => {
    const opts = bank.opts<BankCommandOptions>();
    await runCommand(bank, opts, [{ option: '--dir', path: opts.dir }], context, () =>
      importBankExportFolder(opts.dir, {
        bankId: opts.bankId,
        maxProblems: opts.maxProblems,
        chunkSize: opts.chunkSize,
        money: deps.money?.() ?? shippedBaseMoney('USD'),
        now: (deps.now ?? Date.now)(),
      }),
    );
  });

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
    const inputs: CommandInput[] = [
      ...(opts.transactions !== undefined
        ? [{ option: '--transactions', path: opts.transactions }]
        : []),
      ...(opts.patterns !== undefined ? [{ option: '--patterns', path: opts.patterns }] : []),
    ];
    await runCommand(amlworld, opts, inputs, context, () =>
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
        utcInstantOption,
      ),
  );
  amlsim.action(async () => {
    const opts = amlsim.opts<AmlsimCommandOptions>();
    await runCommand(amlsim, opts, [{ option: '--dir', path: opts.dir }], context, () =>
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
      `replace an existing output folder once the import has succeeded ${OVERWRITE_HELP}`,
      false,
    );
}

interface RunContext {
  print: (line: string) => void;
  createSink: ImportSinkFactory;
  graphStore?: () => Promise<GraphStore>;
}

async function runCommand<S extends ImportSummary>(
  command: Command,
  opts: CommonOptions,
  inputs: readonly CommandInput[],
  { print, createSink, graphStore }: RunContext,
  start: () => ImportRun<S>,
): Promise<void> {
  try {
    const request = { out: opts.out, overwrite: opts.overwrite, inputs };
    const summary = await writeAtomically(request, async (dir) => {
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
    if (opts.sink === 'graph' && graphStore && (await graphStore()).backend === 'memory') {
      for (const line of IN_MEMORY_WARNING) print(line);
    }
  } catch (error) {
    if (error instanceof DomainError) failCommand(command, 'import', error);
    throw error;
  }
}

/**
 * Printed after `--sink graph` into the embedded in-memory store: the store dies with this
 * process, so the import is lost as soon as the command ends.
 */
export const IN_MEMORY_WARNING: readonly string[] = [
  '',
  '!!! WARNING: NOTHING OF THIS IMPORT WAS KEPT.',
  '!!! The graph store is the embedded in-memory one (GRAPH_BACKEND=memory, the default). It lives',
  '!!! only as long as this process, and this process ends now: the data above is gone.',
  '!!! To keep it, do one of these instead:',
  '!!!   - start the services (npm run services:up) and import again with GRAPH_BACKEND=janusgraph;',
  '!!!   - import with --sink jsonl (the default) and start the API on that output folder;',
  '!!!   - send the files to a running API with POST /api/v1/imports.',
];

/** The lines printed after a successful import. */
export function describeSummary(
  summary: ImportSummary,
  opts: Pick<CommonOptions, 'out' | 'sink'>,
): string[] {
  const files = summary.files.map((file) => `${file.path} (${file.rows} rows)`).join(', ');
  const where = opts.sink === 'graph' ? ' (vertices and edges upserted into the graph store)' : '';
  const counts =
    summary.source === 'bank'
      ? `  ${summary.vertices} vertices, ${summary.edges} edges (holdings, ownership, identifier uses, movements, events)${where}`
      : `  ${summary.vertices} vertices, ${summary.edges} movements, ${summary.groundTruth} ground-truth records${where}`;
  return [
    `Imported ${summary.source} from ${files}`,
    counts,
    `  written to ${opts.out}`,
    ...summary.notes.map((note) => `  note: ${note}`),
  ];
}

function defaultSinkFactory(
  graphStore: (() => Promise<GraphStore>) | undefined,
  outageWaitMs: () => number,
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
        return GraphImportSink.open(await graphStore(), dir, outageWaitMs());
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
