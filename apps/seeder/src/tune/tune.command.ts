import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  ALL_DETECTORS,
  DetectorRegistry,
  RULE_PARAMETERS_FORMAT,
  RULE_PARAMETERS_FORMAT_VERSION,
  serializeRuleParametersFile,
} from '@app/detectors';
import type { BinaryScores, RuleParametersFile } from '@app/detectors';
import { generateBank, generateBankWithPatterns } from '@app/generators';
import type { DatasetChunk, ProfileName } from '@app/generators';
import { DomainError } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import type { BaseMoney, GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';
import { readJsonlDataset } from '../evaluate/jsonl-dataset.reader';
import { addLabelledDataOptions, wholeNumber } from '../train/labelled-data';
import { bankOptionsFor } from '../generate/generate.command';
import type { SeederContext } from '../generate/generate.command';
import { RuleTuner } from './rule-tuner';
import type { TuneResult, TuneStep, TuningDataset } from './rule-tuner';
import { TUNING_GRIDS } from './tuning-grids';
import { checkOutputFiles, OVERWRITE_FILE_HELP } from '../output/output-file.guard';

const DAY_MS = 86_400_000;
export const DEFAULT_MAX_EVALUATIONS = 150;

export interface TuneCommandDeps {
  boot: (options: { graph: boolean }) => Promise<SeederContext>;
  print?: (line: string) => void;
  /** Converts amounts into the base currency the rules compare in (default: built-in FX table). */
  money?: () => BaseMoney;
}

interface TuneOptions {
  dataset?: string;
  profile?: ProfileName;
  seed?: number;
  referenceTime?: string;
  days?: number;
  injectPatterns?: string;
  out: string;
  overwrite: boolean;
  rules?: string[];
  maxEvaluations: number;
  passes: number;
}

function ruleList(text: string): string[] {
  const rules = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (rules.length === 0) throw new InvalidArgumentError('must name at least one rule id');
  return rules;
}

const percent = (value: number | null): string =>
  value === null ? '—' : `${(value * 100).toFixed(1)}%`;

const EXAMPLES = `
Examples:
  $ npm run seed -- tune --profile small --seed 42 --out ./out/rule-parameters.json
  $ npm run seed -- tune --dataset ./out/bank --max-evaluations 60 --out ./out/rule-parameters.json
  $ npm run seed -- tune --dataset ./out/bank --rules aml.fan-in,aml.fan-out --out ./out/fans.json

For banks that want rules only (no learned model). Movements are split by time exactly as
\`seeder train\` splits them: training before 60% of the span, validation 60-80%, test the last
20%. The search tries, one parameter at a time, the values declared for each AML rule
(${Object.keys(TUNING_GRIDS).length} rules), keeps a change only when it raises the per-movement F1 of all AML rules
together on validation, and never looks at the test part: the test figures printed at the end
are an honest estimate. Each candidate is one replay of one rule over the data before the test
split; --max-evaluations bounds them (a wall-clock limit would make results depend on the
machine's load). Name the written file in DETECTORS_PARAMETERS_FILE to use the values.
A generated bank is held in memory while it is tuned: tiny and small fit easily, while holding
the large bank went past 12 GB (docs/evaluation.md, section 1b).`;

/** `seeder tune`: searches AML rule parameters on a labelled dataset, writes a parameters file. */
export function registerTuneCommand(program: Command, deps: TuneCommandDeps): Command {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const command = addLabelledDataOptions(
    program
      .command('tune')
      .description(
        "Tune the AML rules' parameters on labelled movements (best F1 on a validation period)",
      ),
  )
    .requiredOption('--out <file>', 'where to write the rule parameters file (JSON)')
    .option('--overwrite', OVERWRITE_FILE_HELP, false)
    .option(
      '--rules <ids>',
      'comma-separated AML rule ids to tune (default: all with a grid)',
      ruleList,
    )
    .option(
      '--max-evaluations <n>',
      `most candidate runs (one rule over the data each; default ${DEFAULT_MAX_EVALUATIONS})`,
      wholeNumber(1, 100_000),
      DEFAULT_MAX_EVALUATIONS,
    )
    .option(
      '--passes <n>',
      'most sweeps over all parameters (a sweep that changes nothing ends early)',
      wholeNumber(1, 20),
      2,
    )
    .addHelpText('after', EXAMPLES);

  command.action(async () => {
    const opts = command.opts<TuneOptions>();
    const context = await deps.boot({ graph: false });
    try {
      // Before the run, not at its end: the file may not be written.
      await checkOutputFiles('--out', [opts.out], opts.overwrite);
      const registry = new DetectorRegistry(ALL_DETECTORS, context.detectors, deps.money?.());
      const facts: Record<string, string | number> = {};
      let data: TuningDataset;
      if (opts.dataset !== undefined) {
        if (opts.injectPatterns !== undefined)
          command.error('error: --inject-patterns works on a generated bank, not with --dataset', {
            exitCode: 2,
            code: 'seeder.tune.options',
          });
        const dataset = await readJsonlDataset(opts.dataset);
        const { referenceTime, days } = dataset.manifest;
        facts.dataset = opts.dataset;
        data = {
          ...dataset,
          ...(typeof referenceTime === 'string' && typeof days === 'number'
            ? { observedSince: Date.parse(referenceTime) - days * DAY_MS }
            : {}),
        };
      } else {
        const bankOptions = bankOptionsFor(opts, context);
        const { profile, seed, referenceTime, days } = bankOptions;
        Object.assign(facts, { profile, seed, referenceTime, days });
        print(
          `Generating the ${profile} bank (seed ${seed}, ${days} days) and holding it in memory…`,
        );
        let chunks: AsyncIterable<DatasetChunk> = generateBank(bankOptions);
        if (opts.injectPatterns !== undefined) {
          const injected = await generateBankWithPatterns(bankOptions, opts.injectPatterns);
          facts.injectPatterns = injected.injection.file;
          chunks = injected.chunks;
        }
        data = {
          ...(await collect(chunks)),
          observedSince: Date.parse(referenceTime) - days * DAY_MS,
        };
      }
      const tuner = new RuleTuner(registry, data);
      const { split } = tuner;
      print(
        `split by time: train < ${iso(split.validationFrom)} <= validation < ${iso(split.testFrom)} <= test <= ${iso(split.end)}`,
      );
      print(
        `Replaying ${tuner.scoredRules().length} AML rules once at the starting parameters, then up to ${opts.maxEvaluations} candidates (one rule each), then every AML rule over the whole data for the test figures…`,
      );
      const result = tuner.tune({
        maxEvaluations: opts.maxEvaluations,
        maxPasses: opts.passes,
        ...(opts.rules !== undefined ? { rules: opts.rules } : {}),
        onProgress: (step) => {
          const line = progressLine(step);
          if (line !== null) print(line);
        },
      });
      const file: RuleParametersFile = {
        format: RULE_PARAMETERS_FORMAT,
        formatVersion: RULE_PARAMETERS_FORMAT_VERSION,
        parameters: result.parameters,
        provenance: {
          writtenBy: 'seeder tune',
          facts,
          split: {
            spanStart: iso(split.spanStart),
            validationFrom: iso(split.validationFrom),
            testFrom: iso(split.testFrom),
            end: iso(split.end),
          },
          objective: 'per-movement minority-class F1 of all AML rules together, on validation',
          evaluations: result.evaluations,
          budgetExhausted: result.budgetExhausted,
          changes: result.changes,
          metrics: { validation: result.validation, test: result.test },
        },
      };
      await mkdir(dirname(opts.out), { recursive: true });
      await writeFile(opts.out, serializeRuleParametersFile(file), 'utf8');
      for (const line of summaryLines(result)) print(line);
      print(
        `Parameters written to ${opts.out}; set DETECTORS_PARAMETERS_FILE=${opts.out} to use them.`,
      );
    } catch (error: unknown) {
      if (error instanceof DomainError) failCommand(command, 'tune', error);
      throw error;
    } finally {
      await context.close();
    }
  });
  return command;
}

/** The chunks of a generated bank in one dataset (tuning replays it many times). */
async function collect(chunks: AsyncIterable<DatasetChunk>): Promise<TuningDataset> {
  const vertices: GraphVertex[] = [];
  const edges: GraphEdge[] = [];
  const groundTruth: GroundTruthRecord[] = [];
  for await (const chunk of chunks) {
    for (const v of chunk.vertices) vertices.push(v);
    for (const e of chunk.edges) edges.push(e);
    for (const g of chunk.groundTruth) groundTruth.push(g);
  }
  return { vertices, edges, groundTruth };
}

/** A line for every kept change, and one every 10 candidates so a long search shows life. */
function progressLine(step: TuneStep): string | null {
  const where = `[${step.evaluations}/${step.maxEvaluations}]`;
  if (step.improved)
    return `${where} ${step.ruleId} ${step.parameter} = ${String(step.value)}: validation F1 now ${percent(step.best)} (kept)`;
  if (step.evaluations % 10 === 0)
    return `${where} ${step.ruleId} ${step.parameter} = ${String(step.value)}: ${percent(step.f1)}, best so far ${percent(step.best)}`;
  return null;
}

function summaryLines(result: TuneResult): string[] {
  const row = (label: string, m: BinaryScores): string =>
    `${label.padEnd(20)} ${String(m.labelled).padStart(8)} ${String(m.predicted).padStart(9)} ` +
    `${percent(m.precision).padStart(9)} ${percent(m.recall).padStart(7)} ${percent(m.f1).padStart(6)}`;
  const lines = [
    `${result.evaluations} candidates tried in ${result.passes} pass(es)` +
      (result.budgetExhausted
        ? ' (budget used up: raise --max-evaluations to search further)'
        : ''),
    `${'AML, per movement'.padEnd(20)} ${'labelled'.padStart(8)} ${'predicted'.padStart(9)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(6)}`,
    row('validation: before', result.validation.before),
    row('validation: after', result.validation.after),
    row('test: before', result.test.before),
    row('test: after', result.test.after),
  ];
  if (result.changes.length === 0) lines.push('No change raised validation F1; nothing to change.');
  for (const c of result.changes)
    lines.push(`changed ${c.ruleId} ${c.parameter}: ${String(c.from)} -> ${String(c.to)}`);
  return lines;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
