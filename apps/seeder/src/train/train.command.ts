import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { ALL_DETECTORS, DetectorRegistry } from '@app/detectors';
import { versionLine } from '@app/observability';
import {
  modelCardPath,
  renderModelCard,
  serializeRiskModel,
  trainRiskModel,
} from '@app/risk-model';
import type { RiskModelFile, SplitMetrics } from '@app/risk-model';
import { DatedRateMoney, DomainError, shippedFxRateTable } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import type { BaseMoney } from '@app/vocabulary';
import type { SeederContext } from '../generate/generate.command';
import { addLabelledDataOptions, openLabelledData, wholeNumber } from './labelled-data';
import type { LabelledDataOptions } from './labelled-data';
import { checkOutputFiles, OVERWRITE_FILE_HELP } from '../output/output-file.guard';

export interface TrainCommandDeps {
  boot: (options: { graph: boolean }) => Promise<SeederContext>;
  print?: (line: string) => void;
  now?: () => number;
  money?: () => BaseMoney;
}

interface TrainOptions extends LabelledDataOptions {
  out: string;
  overwrite: boolean;
  modelSeed: number;
  rounds?: number;
}

/** Below this many laundering movements in a split, its figures are called rough. */
const MIN_LABELLED_FOR_FIGURES = 20;

const percent = (value: number | null): string =>
  value === null ? '—' : `${(value * 100).toFixed(1)}%`;

const EXAMPLES = `
Examples:
  $ npm run seed -- train --profile small --seed 42 --out ./out/model-small.json
  $ npm run seed -- train --dataset ./out/bank --out ./out/model.json
  $ npm run seed -- train --profile medium --seed 42 --days 90 --reference-time 2025-01-01T00:00:00Z \\
      --inject-patterns ./LI-Medium_Patterns.txt --out ./out/model-medium-lim.json

Beside the model file, a model card (<name>.card.md) describes the data, the features, the
split, the threshold, the metrics and the limits, for review before the model is switched on.
The labels are the dataset's ground truth (ground-truth.jsonl of a dataset folder, or the
generator's). Movements are split by time: training before 60% of the span, validation 60-80%
(the alert threshold is picked there), test the last 20% (the same test split as evaluate).
Name the written file in RISK_MODEL_FILE to score movements with it.`;

/** `seeder train`: learns a risk model from a labelled dataset and writes the model file. */
export function registerTrainCommand(program: Command, deps: TrainCommandDeps): Command {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = deps.now ?? Date.now;
  const command: Command = addLabelledDataOptions(
    program
      .command('train')
      .description(
        'Train the risk model (gradient-boosted trees on graph features) on labelled movements',
      ),
  )
    .requiredOption('--out <file>', 'where to write the model file (JSON)')
    .option('--overwrite', OVERWRITE_FILE_HELP, false)
    .option('--model-seed <n>', 'seed of the training sample', wholeNumber(0, 4_294_967_295), 42)
    .option('--rounds <n>', 'boosting rounds (default 150)', wholeNumber(1, 2000))
    .addHelpText('after', EXAMPLES);

  command.action(async () => {
    const opts = command.opts<TrainOptions>();
    const context = await deps.boot({ graph: false });
    try {
      // Before the run, not at its end: the files may not be written.
      await checkOutputFiles('--out', [opts.out, modelCardPath(opts.out)], opts.overwrite);
      const registry = new DetectorRegistry(ALL_DETECTORS, context.detectors, deps.money?.());
      const money = deps.money?.() ?? new DatedRateMoney(shippedFxRateTable(), 'USD');
      const data = await openLabelledData(opts, context);
      if (data === undefined)
        command.error('error: --inject-patterns works on a generated bank, not with --dataset', {
          exitCode: 2,
          code: 'seeder.train.options',
        });
      const { chunks, observedSince, facts } = data;
      const { file, timings } = await trainRiskModel(
        registry,
        chunks,
        {
          seed: opts.modelSeed,
          money,
          highRiskJurisdictions: context.detectors.highRiskJurisdictions,
          observedSince,
          facts,
          ...(opts.rounds !== undefined ? { params: { rounds: opts.rounds } } : {}),
        },
        now,
      );
      await mkdir(dirname(opts.out), { recursive: true });
      await writeFile(opts.out, serializeRiskModel(file), 'utf8');
      const card = modelCardPath(opts.out);
      await writeFile(
        card,
        renderModelCard(file, {
          writtenAt: now(),
          modelFile: opts.out,
          producedBy: versionLine('seeder'),
        }),
        'utf8',
      );
      for (const line of summaryLines(file, timings)) print(line);
      print(`Model card (data, features, metrics, limits) written to ${card}.`);
      print(`Model written to ${opts.out}; set RISK_MODEL_FILE=${opts.out} to score with it.`);
    } catch (error: unknown) {
      if (error instanceof DomainError) failCommand(command, 'train', error);
      throw error;
    } finally {
      await context.close();
    }
  });
  return command;
}

function summaryLines(
  file: RiskModelFile,
  timings: { featuresMs: number; trainingMs: number },
): string[] {
  const { training } = file;
  const row = (label: string, m: SplitMetrics | undefined): string =>
    m === undefined
      ? ''
      : `${label.padEnd(28)} ${String(m.labelled).padStart(8)} ${String(m.predicted).padStart(9)} ` +
        `${percent(m.precision).padStart(9)} ${percent(m.recall).padStart(7)} ${percent(m.labelled === 0 ? null : m.f1).padStart(6)}`;
  const lines = [
    `model ${file.modelVersion}: ${file.model.trees.length} trees, ${file.featureSet.names.length} features, seed ${file.seed}`,
    `split by time: train < ${training.split.validationFrom} <= validation < ${training.split.testFrom} <= test <= ${training.split.end}`,
    `trained on ${training.rows.train} movements (${training.rows.trainPositives} laundering; other movements sampled at ${(training.rows.negativeSampleRate * 100).toFixed(1)}%)`,
    `threshold ${file.threshold.toFixed(4)} (best F1 on validation)`,
    `${'per transaction, AML'.padEnd(28)} ${'labelled'.padStart(8)} ${'predicted'.padStart(9)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(6)}`,
  ];
  for (const split of ['validation', 'test']) {
    const m = file.metrics[split];
    lines.push(
      row(`${split}: rules alone`, m.rules),
      row(`${split}: model alone`, m.model),
      row(`${split}: rules + model`, m.rulesAndModel),
    );
    if (m.amlworldModel)
      lines.push(
        `${split}: AMLworld movements found: rules ${percent(m.amlworldRules.recall)}, model ${percent(m.amlworldModel.recall)}, both ${percent(m.amlworldRulesAndModel.recall)} of ${m.amlworldModel.labelled}`,
      );
  }
  for (const split of ['validation', 'test']) {
    const labelled = file.metrics[split].model?.labelled ?? 0;
    if (labelled === 0) {
      lines.push(
        `warning: the ${split} split holds no laundering movement, so its recall and F1 say nothing (shown as —)${split === 'validation' ? ' and the threshold was not chosen on any' : ''}; train on a dataset whose last days hold labelled movements, or on more days`,
      );
    } else if (labelled < MIN_LABELLED_FOR_FIGURES) {
      lines.push(
        `warning: the ${split} split holds only ${labelled} laundering movement${labelled === 1 ? '' : 's'}, so its figures${split === 'validation' ? ' and the threshold chosen on them' : ''} are rough`,
      );
    }
  }
  lines.push(
    `features and rules ${(timings.featuresMs / 1000).toFixed(1)} s, boosting ${(timings.trainingMs / 1000).toFixed(1)} s`,
  );
  return lines.filter((l) => l !== '');
}
