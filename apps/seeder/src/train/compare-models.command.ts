import type { Command } from 'commander';
import { ALL_DETECTORS, DetectorRegistry } from '@app/detectors';
import { compareRiskModels, readRiskModelFile } from '@app/risk-model';
import type { ComparedModel, ModelComparison, RiskModelFile, SplitMetrics } from '@app/risk-model';
import {
  DatedRateMoney,
  DomainError,
  InvalidInputError,
  shippedFxRateTable,
} from '@app/vocabulary';
import type { BaseMoney } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import type { SeederContext } from '../generate/generate.command';
import { addLabelledDataOptions, openLabelledData } from './labelled-data';
import type { LabelledDataOptions } from './labelled-data';

export interface CompareModelsCommandDeps {
  boot: (options: { graph: boolean }) => Promise<SeederContext>;
  print?: (line: string) => void;
  money?: () => BaseMoney;
}

interface CompareOptions extends LabelledDataOptions {
  current: string;
  candidate: string;
}

const EXAMPLES = `
Examples:
  $ npm run seed -- compare-models --current ./out/model.json --candidate ./out/model-new.json \\
      --profile small --seed 42
  $ npm run seed -- compare-models --current ./out/model.json --candidate ./out/model-new.json \\
      --dataset ./out/bank

Both models score the same movements: the test split of the data (the last 20% of its time
span, as \`seeder train\` reports), each with its own threshold. The verdict compares the models
alone on F1 (laundering as the minority class). Compare on data neither model was trained on,
or on the test split of the data both were trained on.`;

const percent = (value: number | null): string =>
  value === null ? '—' : `${(value * 100).toFixed(1)}%`;

/** `seeder compare-models`: a new model against the one in use, on the same test movements. */
export function registerCompareModelsCommand(
  program: Command,
  deps: CompareModelsCommandDeps,
): Command {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const command: Command = addLabelledDataOptions(
    program
      .command('compare-models')
      .description(
        'Compare a candidate risk model with the current one on the same labelled test movements',
      ),
  )
    .requiredOption('--current <file>', 'the model file in use (RISK_MODEL_FILE)')
    .requiredOption('--candidate <file>', 'the model file that would replace it')
    .addHelpText('after', EXAMPLES);

  const fail = (message: string, code: string): never =>
    command.error(`error: ${message}`, { exitCode: 2, code: `seeder.compare-models.${code}` });

  command.action(async () => {
    const opts = command.opts<CompareOptions>();
    // Both files are checked before any data is read: a refusal costs nothing.
    const current = readModel('--current', opts.current, fail);
    const candidate = readModel('--candidate', opts.candidate, fail);
    const context = await deps.boot({ graph: false });
    try {
      const registry = new DetectorRegistry(ALL_DETECTORS, context.detectors, deps.money?.());
      const money = deps.money?.() ?? new DatedRateMoney(shippedFxRateTable(), 'USD');
      const data = await openLabelledData(opts, context);
      if (data === undefined)
        return fail('--inject-patterns works on a generated bank, not with --dataset', 'options');
      const comparison = await compareRiskModels(
        registry,
        data.chunks,
        { current, candidate },
        {
          money,
          highRiskJurisdictions: context.detectors.highRiskJurisdictions,
          observedSince: data.observedSince,
        },
      );
      const names = { current: opts.current, candidate: opts.candidate };
      for (const line of comparisonLines(comparison, data.facts, names)) print(line);
    } catch (error: unknown) {
      if (error instanceof DomainError) failCommand(command, 'compare-models', error);
      throw error;
    } finally {
      await context.close();
    }
  });
  return command;
}

function readModel(
  option: string,
  path: string,
  fail: (message: string, code: string) => never,
): RiskModelFile {
  try {
    return readRiskModelFile(path);
  } catch (error: unknown) {
    if (error instanceof InvalidInputError)
      return fail(`${option} ${path}: ${error.message}`, 'model');
    throw error;
  }
}

function comparisonLines(
  c: ModelComparison,
  facts: Record<string, string | number>,
  names: { current: string; candidate: string },
): string[] {
  const data = Object.entries(facts)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');
  const row = (label: string, m: SplitMetrics): string =>
    `${label.padEnd(34)} ${String(m.predicted).padStart(9)} ${percent(m.precision).padStart(9)} ` +
    `${percent(m.recall).padStart(7)} ${percent(m.f1).padStart(6)}`;
  const lines = [
    `data: ${data}`,
    `test split: ${c.test.from} to ${c.test.end}, ${c.test.movements} movements, ${c.test.labelled} labelled laundering`,
    `current   ${c.current.modelVersion} (threshold ${c.current.threshold.toFixed(4)}): ${names.current}`,
    `candidate ${c.candidate.modelVersion} (threshold ${c.candidate.threshold.toFixed(4)}): ${names.candidate}`,
    `${'per transaction, AML, test split'.padEnd(34)} ${'flagged'.padStart(9)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(6)}`,
    row('current: model alone', c.current.model),
    row('candidate: model alone', c.candidate.model),
    row('current: rules + model', c.current.rulesAndModel),
    row('candidate: rules + model', c.candidate.rulesAndModel),
    row('rules alone (for reference)', c.rules),
  ];
  for (const [name, model] of [
    ['current', c.current],
    ['candidate', c.candidate],
  ] as [string, ComparedModel][])
    if (model.trainedIntoTest)
      lines.push(
        `note: the ${name} model was trained on movements before ${model.trainedBefore}, after this test split starts; if it was trained on this same data, its figures here include movements it learned from.`,
      );
  const f1 = `${percent(c.candidate.model.f1)} against ${percent(c.current.model.f1)}`;
  const points = `${Math.abs(c.f1Points).toFixed(2)} points`;
  lines.push(
    c.verdict === 'better'
      ? `Verdict: the candidate is better on F1 (model alone, ${f1}: ${points} higher).`
      : c.verdict === 'worse'
        ? `Verdict: the candidate is worse on F1 (model alone, ${f1}: ${points} lower); keep the current model.`
        : `Verdict: the candidate is equal on F1 (model alone, ${f1}).`,
  );
  return lines;
}
