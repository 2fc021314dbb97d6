import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  ALL_DETECTORS,
  DetectorRegistry,
  evaluateChunks,
  evaluateDataset,
  renderEvaluationSummaryMarkdown,
} from '@app/detectors';
import type {
  AccountEvaluation,
  BinaryScores,
  DatasetEvaluation,
  EvaluationSummary,
  SourceScore,
  TransactionEvaluation,
} from '@app/detectors';
import {
  addToSummary,
  emptySummary,
  generateBank,
  generateBankWithPatterns,
  PROFILE_NAMES,
} from '@app/generators';
import type { DatasetChunk, GenerateBankOptions, ProfileName } from '@app/generators';
import { readRiskModelFile } from '@app/risk-model';
import { DomainError } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import { isoInstantOption } from '../date-options';
import type { BaseMoney } from '@app/vocabulary';
import { bankOptionsFor } from '../generate/generate.command';
import type { SeederContext } from '../generate/generate.command';
import { type ProgressReporter, SILENT_PROGRESS } from '../generate/progress.reporter';
import { readJsonlDataset } from './jsonl-dataset.reader';
import { compareAccounts } from './model-comparison';
import type { AccountComparison, AccountScores } from './model-comparison';
import { checkOutputFilesIn, OVERWRITE_FILE_HELP } from '../output/output-file.guard';

/** The files evaluate writes into --report (accounts-by-scorer.json only with a risk model). */
const REPORT_FILES = ['report.json', 'report.md', 'accounts-by-scorer.json'];

const DAY_MS = 86_400_000;

export interface EvaluateCommandDeps {
  /** Boots the application context (settings; the graph store is not needed). */
  boot: (options: { graph: boolean }) => Promise<SeederContext>;
  /** Where the summary goes (default: standard output). */
  print?: (line: string) => void;
  /** Wall clock for timings (default Date.now). */
  now?: () => number;
  /** Progress bars while a bank is generated and replayed (default: none). */
  progress?: () => ProgressReporter;
  /**
   * Converts amounts into the base currency the rules compare in (main.ts: FX_RATES_FILE and
   * BASE_CURRENCY; default: the built-in FX table in USD).
   */
  money?: () => BaseMoney;
}

interface EvaluateOptions {
  profile?: ProfileName;
  seed?: number;
  referenceTime?: string;
  days?: number;
  dataset?: string;
  report: string;
  overwrite: boolean;
  rules?: string[];
  injectPatterns?: string;
  progress: boolean;
  model?: string;
}

function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be a whole number between ${min} and ${max}`);
    }
    return value;
  };
}

function ruleList(text: string): string[] {
  const rules = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (rules.length === 0) throw new InvalidArgumentError('must name at least one rule id');
  return rules;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

const EXAMPLES = `
Examples:
  $ npm run seed -- evaluate --profile medium --seed 42 --report ./out/eval-medium
  $ npm run seed -- evaluate --dataset ./out/tiny --report ./out/eval-tiny
  $ npm run seed -- evaluate --profile small --rules aml.fan-out,aml.fan-in --report ./out/eval-fans
  $ npm run seed -- evaluate --profile medium --seed 42 --inject-patterns ./LI-Medium_Patterns.txt --report ./out/eval-inject

Writes report.json and report.md into --report: precision, recall and F1 per typology against the
ground truth, raw and after case consolidation, alerts on decoys, and the matching rule.`;

/**
 * `seeder evaluate`: runs the detectors in batch mode over a generated bank (in memory) or a
 * JSON-lines dataset, and scores them against its ground truth.
 */
export function registerEvaluateCommand(program: Command, deps: EvaluateCommandDeps): Command {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = deps.now ?? Date.now;
  const command = program
    .command('evaluate')
    .description('Score the AML and fraud detectors against the ground truth of a synthetic bank')
    .addOption(
      new Option('--profile <name>', 'profile to generate; default SEEDER_PROFILE').choices(
        PROFILE_NAMES,
      ),
    )
    .option('--seed <n>', 'random seed; default SEEDER_SEED', wholeNumber(0, 4_294_967_295))
    .option(
      '--reference-time <iso>',
      'end of the simulated period (UTC); default SEEDER_REFERENCE_TIME',
      isoInstantOption,
    )
    .option(
      '--days <n>',
      'length of the simulated period; default SEEDER_DAYS',
      wholeNumber(1, 3650),
    )
    .option(
      '--dataset <dir>',
      'evaluate a folder written by `seeder generate --sink jsonl` instead of generating',
    )
    .requiredOption('--report <dir>', 'folder for report.json and report.md')
    .option('--overwrite', OVERWRITE_FILE_HELP, false)
    .option('--rules <ids>', 'comma-separated rule ids (default: all)', ruleList)
    .option(
      '--inject-patterns <file>',
      'graft the laundering attempts of an AMLworld *_Patterns.txt file onto the generated bank (not with --dataset)',
    )
    .option('--no-progress', 'do not draw progress bars')
    .option(
      '--model <file>',
      'with --dataset: also compare rules, this model file (`seeder train`) and both, per account',
    )
    .addHelpText('after', EXAMPLES);

  command.action(async () => {
    const opts = command.opts<EvaluateOptions>();
    const context = await deps.boot({ graph: false });
    try {
      // Before the run, not at its end: the files may not be written.
      await checkOutputFilesIn('--report', opts.report, REPORT_FILES, opts.overwrite);
      const registry = new DetectorRegistry(ALL_DETECTORS, context.detectors, deps.money?.());
      let run: DatasetEvaluation;
      let comparisonText: string[] = [];
      if (opts.dataset !== undefined) {
        if (opts.injectPatterns !== undefined) {
          command.error(
            'error: --inject-patterns grafts attempts onto a generated bank; it cannot be combined with --dataset (use `seeder generate --inject-patterns` to write such a dataset)',
            { exitCode: 2, code: 'seeder.evaluate.options' },
          );
        }
        const dataset = await readJsonlDataset(opts.dataset);
        const reference = dataset.manifest.referenceTime;
        const days = dataset.manifest.days;
        const facts: Record<string, string | number> = { dataset: opts.dataset };
        for (const key of ['profile', 'seed', 'referenceTime', 'days', 'version'] as const) {
          const value = dataset.manifest[key];
          if (typeof value === 'string' || typeof value === 'number') facts[key] = value;
        }
        // Written by `seeder generate --inject-patterns`: which file was grafted on.
        const injected = dataset.manifest.injectPatterns;
        if (typeof injected === 'object' && injected !== null && 'file' in injected) {
          if (typeof injected.file === 'string') facts.injectPatterns = injected.file;
        }
        const observedSince =
          typeof reference === 'string' && typeof days === 'number'
            ? Date.parse(reference) - days * DAY_MS
            : undefined;
        run = evaluateDataset(registry, dataset, { rules: opts.rules, observedSince, facts }, now);
        if (opts.model !== undefined) {
          const comparison = await compareAccounts(
            registry,
            dataset,
            run.detection.alerts,
            readRiskModelFile(opts.model),
            {
              money: registry.money,
              highRiskJurisdictions: context.detectors.highRiskJurisdictions,
              observedSince,
            },
          );
          await mkdir(opts.report, { recursive: true });
          await writeFile(
            join(opts.report, 'accounts-by-scorer.json'),
            JSON.stringify(comparison, null, 2) + '\n',
            'utf8',
          );
          comparisonText = comparisonLines(comparison);
        }
      } else {
        if (opts.model !== undefined)
          command.error(
            'error: --model works with --dataset (write the bank with `seeder generate --sink jsonl`)',
            {
              exitCode: 2,
              code: 'seeder.evaluate.options',
            },
          );
        // The bank is generated and replayed day by day, never held whole: every profile fits in
        // memory (the population and the rules' bounded state are what is held).
        const bankOptions = bankOptionsFor(opts, context);
        const { profile, seed, referenceTime, days } = bankOptions;
        const facts: Record<string, string | number> = { profile, seed, referenceTime, days };
        let chunks = generateBank(bankOptions);
        // The ground truth comes last: the same bank generated again dates the labelled
        // movements for the temporal test split (generation is deterministic).
        let reread = (): AsyncIterable<DatasetChunk> => generateBank(bankOptions);
        if (opts.injectPatterns !== undefined) {
          const patterns = opts.injectPatterns;
          reread = () => chunksWithPatterns(bankOptions, patterns);
          const injected = await generateBankWithPatterns(bankOptions, opts.injectPatterns);
          const { attempts, movements, accounts } = injected.injection;
          print(
            `Injecting ${attempts} laundering attempts (${movements} movements, ${accounts} accounts) from ${opts.injectPatterns}`,
          );
          facts.injectPatterns = injected.injection.file;
          facts.injectedAttempts = attempts;
          chunks = injected.chunks;
        }
        const progress = opts.progress ? (deps.progress?.() ?? SILENT_PROGRESS) : SILENT_PROGRESS;
        run = await evaluateChunks(
          registry,
          withProgress(chunks, progress),
          {
            reread,
            rules: opts.rules,
            // The generated period is complete; older movements exist only for a few accounts.
            observedSince: Date.parse(referenceTime) - days * DAY_MS,
            facts,
          },
          now,
        );
      }
      await writeReport(opts.report, run.summary);
      for (const line of [...summaryLines(run.summary), ...comparisonText]) print(line);
      print(`Report written to ${join(opts.report, 'report.md')} and report.json`);
    } catch (error: unknown) {
      if (error instanceof DomainError) failCommand(command, 'evaluate', error);
      throw error;
    } finally {
      await context.close();
    }
  });
  return command;
}

/** The chunks of a generated bank with an AMLworld patterns file grafted on. */
async function* chunksWithPatterns(
  options: GenerateBankOptions,
  patterns: string,
): AsyncGenerator<DatasetChunk> {
  yield* (await generateBankWithPatterns(options, patterns)).chunks;
}

/** Passes chunks on, drawing the generator's progress (days simulated and replayed). */
async function* withProgress(
  chunks: AsyncIterable<DatasetChunk>,
  progress: ProgressReporter,
): AsyncGenerator<DatasetChunk> {
  const summary = emptySummary();
  try {
    for await (const chunk of chunks) {
      yield chunk;
      addToSummary(summary, chunk);
      progress.update(chunk, summary);
    }
  } finally {
    progress.stop();
  }
}

async function writeReport(directory: string, summary: EvaluationSummary): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'report.json'), JSON.stringify(summary, null, 2) + '\n', 'utf8');
  await writeFile(join(directory, 'report.md'), renderEvaluationSummaryMarkdown(summary), 'utf8');
}

/**
 * One line per typology (after consolidation): strict recall, precision and F1, then the same
 * under lenient matching in labelled columns.
 */
function summaryLines(summary: EvaluationSummary): string[] {
  const width = Math.max(...summary.consolidated.typologies.map((t) => t.typology.length), 8);
  const lines = [
    `${''.padEnd(width)}  ${'strict'.padEnd(26)}  lenient`,
    `${'typology'.padEnd(width)}  ${'recall'.padStart(7)}  ${'precision'.padStart(9)}  ${'F1'.padStart(6)}  ` +
      `${'recall'.padStart(7)}  ${'precision'.padStart(9)}  ${'F1'.padStart(6)}  (after case consolidation)`,
  ];
  for (const t of summary.consolidated.typologies) {
    lines.push(
      `${t.typology.padEnd(width)}  ${percent(t.recall).padStart(7)}  ${percent(t.precision).padStart(9)}  ${percent(t.f1).padStart(6)}  ` +
        `${percent(t.lenient.recall).padStart(7)}  ${percent(t.lenient.precision).padStart(9)}  ${percent(t.lenient.f1).padStart(6)}`,
    );
  }
  const totals = summary.consolidated.totals;
  lines.push(
    `detected ${totals.detected} of ${totals.instances} instances (lenient ${totals.lenient.detected}); ${totals.alerts} alerts, ` +
      `${totals.unmatched} unmatched (lenient ${totals.lenient.unmatched}), ${totals.decoysAlerted} of ${totals.decoys} decoys alerted`,
    ...sourceSummary(summary.consolidated.sources),
    'strict: an alert counts only when it shares a movement or an event with the instance (rings: two member accounts);',
    'lenient: an alert on the instance key account in an overlapping window also counts.',
    '',
    ...transactionSummary(summary.transactions),
    ...accountSummary(summary.accounts),
  );
  return lines;
}

/** Instance recall per ground-truth source, when the dataset mixes sources (an injected bank). */
function sourceSummary(sources: readonly SourceScore[]): string[] {
  if (sources.length < 2) return [];
  return [
    'recall by source: ' +
      sources
        .map(
          (s) =>
            `${s.source} ${s.detected} of ${s.instances} (${percent(s.recall)}; lenient ${percent(s.lenientRecall)})`,
        )
        .join(', '),
    // The typologies of each source apart: a mixed typology row flatters an injected source.
    ...sources.map(
      (s) =>
        `  ${s.source}: ` +
        s.typologies
          .map((t) => `${t.typology} ${t.detected}/${t.instances} (${percent(t.recall)})`)
          .join(', '),
    ),
  ];
}

/** Per-movement precision, recall and F1 (minority class), overall and on the test split. */
function transactionSummary(transactions: TransactionEvaluation): string[] {
  const split = transactions.testSplit;
  const lines = [
    `per transaction (laundering = movement of a labelled instance; predicted = evidence of an alert)`,
    `${'family, movements'.padEnd(30)}  ${'labelled'.padStart(9)}  ${'predicted'.padStart(9)}  ${'precision'.padStart(9)}  ${'recall'.padStart(7)}  ${'F1'.padStart(6)}`,
  ];
  const row = (label: string, s: BinaryScores): string =>
    `${label.padEnd(30)}  ${String(s.labelled).padStart(9)}  ${String(s.predicted).padStart(9)}  ` +
    `${percent(s.precision).padStart(9)}  ${percent(s.recall).padStart(7)}  ${percent(s.f1).padStart(6)}`;
  for (const family of [transactions.aml, transactions.fraud]) {
    const name = family.family === 'aml' ? 'AML' : 'fraud';
    if (family.overall.labelled === 0 && family.overall.predicted === 0) continue;
    lines.push(row(`${name}, all ${transactions.movements}`, family.overall));
    if (family.test) lines.push(row(`${name}, test split ${family.test.movements}`, family.test));
  }
  if (split)
    lines.push(`test split: the last 20% of the time span, movements at or after ${split.from}`);
  if (transactions.aml.sources.length > 1) {
    lines.push(
      'AML recall by source: ' +
        transactions.aml.sources
          .map(
            (r) =>
              `${r.source} ${percent(r.recall)} of ${r.labelled} (test split ${percent(r.testRecall)} of ${r.testLabelled})`,
          )
          .join(', '),
    );
  }
  if (transactions.aml.flaggedByOtherFamilyOnly > 0) {
    lines.push(
      `${transactions.aml.flaggedByOtherFamilyOnly} AML-labelled movements were flagged only by fraud rules (not counted as found)`,
    );
  }
  if (transactions.labelledNotSeen > 0) {
    lines.push(
      `${transactions.labelledNotSeen} labelled movement ids were not found among the movements and are left out`,
    );
  }
  return lines;
}

/** Per-account precision and recall, when the ground truth names accounts. */
function accountSummary(accounts: AccountEvaluation | null): string[] {
  if (accounts === null) return [];
  return [
    `per account (AML): precision ${percent(accounts.precision)}, recall ${percent(accounts.recall)}, F1 ${percent(accounts.f1)} ` +
      `(${accounts.predicted} accounts alerted, ${accounts.positive} labelled, ${accounts.truePositives} both, of ${accounts.accounts} accounts)`,
  ];
}

/** Rules, model and both per account, on the whole span and on the test split. */
function comparisonLines(c: AccountComparison): string[] {
  const row = (label: string, s: AccountScores): string =>
    `${label.padEnd(34)}  ${String(s.accounts).padStart(8)}  ${String(s.positive).padStart(8)}  ${String(s.predicted).padStart(9)}  ` +
    `${percent(s.precision).padStart(9)}  ${percent(s.recall).padStart(7)}  ${percent(s.f1).padStart(6)}`;
  return [
    '',
    `per account, rules and model ${c.modelVersion} (threshold ${c.threshold.toFixed(4)}); flagged = sends or receives a flagged movement`,
    `${'scorer, part'.padEnd(34)}  ${'accounts'.padStart(8)}  ${'labelled'.padStart(8)}  ${'predicted'.padStart(9)}  ${'precision'.padStart(9)}  ${'recall'.padStart(7)}  ${'F1'.padStart(6)}`,
    row('all: rules alone', c.all.rules),
    row('all: model alone (in-sample)', c.all.model),
    row('all: rules + model', c.all.rulesAndModel),
    `test split: movements at or after ${c.testFrom} (the model never saw them)`,
    row('test: rules alone', c.test.rules),
    row('test: model alone', c.test.model),
    row('test: rules + model', c.test.rulesAndModel),
  ];
}
