import { basename, dirname, extname, join } from 'node:path';
import { FEATURE_WINDOW_DAYS, FEATURES } from '../features/feature-set';
import { MAX_RECENT_PER_ACCOUNT } from '../features/feature-extractor';
import { MAX_USERS_PER_IDENTIFIER } from '../features/identifier-uses';
import type { RiskModelFile, SplitMetrics } from './risk-model-file';

/** Below this many labelled movements in the test split, the card warns that figures are rough. */
export const FEW_TEST_LABELS = 50;

export interface ModelCardOptions {
  /** When the card is written (from the injected clock), epoch ms. */
  writtenAt: number;
  /** Where the model file was written, as the reader should name it in RISK_MODEL_FILE. */
  modelFile: string;
  /** The program and version that trained it ("seeder 0.1.0 (…)"). */
  producedBy?: string;
}

/** The card's path beside the model file: `model.json` → `model.card.md`. */
export function modelCardPath(modelFile: string): string {
  const extension = extname(modelFile);
  const stem = extension === '' ? basename(modelFile) : basename(modelFile, extension);
  return join(dirname(modelFile), `${stem}.card.md`);
}

const percent = (value: number | null): string =>
  value === null ? '—' : `${(value * 100).toFixed(1)}%`;

const count = (n: number): string => n.toLocaleString('en-US');

/** Markdown cell text: no pipes or line breaks from data. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

const METRIC_ROWS: [string, string][] = [
  ['rules', 'rules alone'],
  ['model', 'model alone'],
  ['rulesAndModel', 'rules + model (either flags)'],
];

/**
 * The model card of a trained model: what a model-risk reviewer asks for, in Markdown, from the
 * model file alone (data and its fingerprint, features and their meaning, the split dates,
 * threshold, metrics, limits) plus the date it was written and the program that wrote it.
 */
export function renderModelCard(file: RiskModelFile, options: ModelCardOptions): string {
  const { training } = file;
  const lines: string[] = [
    `# Model card: risk model ${file.modelVersion}`,
    '',
    'Learned risk scoring of payments (issue 15): gradient-boosted decision trees that give each',
    'movement a laundering score from 0 to 1, from features computed only from what happened',
    'before it, and explain the score by the features that raised it most.',
    '',
    '## Identity',
    '',
    `- Model version: \`${file.modelVersion}\` (stored on every alert it scores)`,
    `- Written: ${new Date(options.writtenAt).toISOString()}`,
    ...(options.producedBy === undefined ? [] : [`- Trained by: ${options.producedBy}`]),
    `- Model file: \`${options.modelFile}\` (format ${file.format}, version ${file.formatVersion})`,
    `- Feature set: \`${file.featureSet.version}\`, ${file.featureSet.names.length} features`,
    `- Seed of the training sample: ${file.seed} (the same seed and data give the same file)`,
    '',
    '## Data',
    '',
    ...dataLines(file),
    `- Training-data fingerprint (sha256 over movement ids, labels, features and parameters):`,
    `  \`${training.fingerprint}\``,
    '',
    'Labels are the dataset’s ground truth: movements of laundering instances (decoys excluded)',
    'count as laundering, every other movement as normal.',
    '',
    '## Split by time',
    '',
    '| part | from | until (exclusive) |',
    '| ---- | ---- | ----------------- |',
    `| train | ${training.split.spanStart} | ${training.split.validationFrom} |`,
    `| validation (threshold picked here) | ${training.split.validationFrom} | ${training.split.testFrom} |`,
    `| test (reported) | ${training.split.testFrom} | ${training.split.end} (inclusive) |`,
    '',
    `Trained on ${count(training.rows.train)} movements of the training part: all ${count(training.rows.trainPositives)} laundering ones and a seeded ${percent(training.rows.negativeSampleRate)} sample of the others; scores are corrected back to the full share of normal movements.`,
    '',
    '## Method',
    '',
    `Gradient-boosted trees written for this project: ${file.model.trees.length} trees, depth up to ${training.params.maxDepth}, learning rate ${training.params.learningRate}, L2 penalty ${training.params.lambda}, at least ${training.params.minChildWeight} (hessian weight) per leaf, ${training.params.maxBins} bins per feature.`,
    '',
    `**Threshold: ${file.threshold.toFixed(4)}.** A movement scoring at or above it counts as suspicious; it is the score with the best F1 on validation.`,
    '',
    '## Metrics',
    '',
    'Per movement, laundering as the minority class. "Rules alone" is the evidence of the AML rule',
    'alerts; "rules + model" flags a movement when either does.',
    '',
    ...metricsTable(file),
    '',
    '## Features',
    '',
    '| feature | meaning |',
    '| ------- | ------- |',
    ...FEATURES.map((f) => `| \`${f.name}\` | ${cell(f.meaning)} |`),
    '',
    '## Limits and caveats',
    '',
    ...caveats(file).map((c) => `- ${c}`),
    '',
    '## Use',
    '',
    `Set \`RISK_MODEL_FILE=${options.modelFile}\` to score movements with it. Before replacing a model`,
    'in use, compare the two on the same labelled data:',
    `\`npm run seed -- compare-models --current <model in use> --candidate ${options.modelFile} …\`.`,
    '',
  ];
  return lines.join('\n');
}

function dataLines(file: RiskModelFile): string[] {
  const facts = file.training.facts;
  const lines: string[] = [];
  if (facts.dataset !== undefined) lines.push(`- Dataset folder: \`${String(facts.dataset)}\``);
  if (facts.profile !== undefined)
    lines.push(
      `- Generated bank: profile ${String(facts.profile)}, seed ${String(facts.seed)}, ${String(facts.days)} days up to ${String(facts.referenceTime)}`,
    );
  if (facts.injectPatterns !== undefined)
    lines.push(
      `- AMLworld patterns grafted in: \`${String(facts.injectPatterns)}\` (${String(facts.injectedAttempts ?? '?')} attempts)`,
    );
  lines.push(
    `- Movements: ${count(Number(facts.movements ?? 0))}, of which labelled laundering: ${count(Number(facts.labelled ?? 0))}`,
  );
  const known = new Set([
    'dataset',
    'profile',
    'seed',
    'days',
    'referenceTime',
    'injectPatterns',
    'injectedAttempts',
    'movements',
    'labelled',
  ]);
  for (const [key, value] of Object.entries(facts))
    if (!known.has(key)) lines.push(`- ${key}: ${String(value)}`);
  return lines;
}

function metricsTable(file: RiskModelFile): string[] {
  const lines = [
    '| split | scorer | labelled | flagged | precision | recall | F1 |',
    '| ----- | ------ | -------: | ------: | --------: | -----: | -: |',
  ];
  for (const split of ['validation', 'test']) {
    const metrics = file.metrics[split] ?? {};
    for (const [key, label] of METRIC_ROWS) {
      const m: SplitMetrics | undefined = metrics[key];
      if (m === undefined) continue;
      lines.push(
        `| ${split} | ${label} | ${count(m.labelled)} | ${count(m.predicted)} | ${percent(m.precision)} | ${percent(m.recall)} | ${percent(m.f1)} |`,
      );
    }
  }
  for (const split of ['validation', 'test']) {
    const m = file.metrics[split];
    if (m?.amlworldModel === undefined) continue;
    lines.push(
      '',
      `AMLworld's own movements in ${split} (recall only): rules ${percent(m.amlworldRules.recall)}, model ${percent(m.amlworldModel.recall)}, rules + model ${percent(m.amlworldRulesAndModel.recall)} of ${count(m.amlworldModel.labelled)}.`,
    );
  }
  return lines;
}

/** Plain limits, general ones and those this model's own figures call for. */
function caveats(file: RiskModelFile): string[] {
  const facts = file.training.facts;
  const test = file.metrics.test;
  const list: string[] = [];
  if (facts.profile !== undefined)
    list.push(
      'Trained on a generated bank: its normal traffic (and most of its laundering) comes from the project’s own generator. How the model does on a real bank is unknown until it is measured on that bank’s labelled data.',
    );
  if (test !== undefined && test.model.labelled < FEW_TEST_LABELS)
    list.push(
      `Only ${test.model.labelled} labelled movements fall in the test split: the test figures are rough and could move by many points on other data.`,
    );
  if (
    test !== undefined &&
    test.model.f1 !== null &&
    test.rules.f1 !== null &&
    test.model.f1 < test.rules.f1
  )
    list.push(
      'On test the model alone scores below the rules alone: use it beside the rules (the rules + model row), not instead of them.',
    );
  list.push(
    'The model learns what the labels say. Laundering missing from the labels is learned as normal, and a label pattern the data does not show cannot be learned.',
    'The rules’ own hits are features: "model alone" is not independent of the rules; it reweights their signal with the graph features.',
    'The split is by time only. Accounts are not kept apart across the parts: an account seen laundering in training can reappear in test, and attempts that straddle a boundary have movements on both sides.',
    `Features look back at most ${FEATURE_WINDOW_DAYS} days and ${MAX_RECENT_PER_ACCOUNT} movements per account; longer or slower schemes are invisible to them.`,
    `Shared identifiers count only the identifier uses (USES edges) the scorer was given with a first use before the payment: on the stream, a use that arrives after a payment is not seen by it. An identifier more than ${MAX_USERS_PER_IDENTIFIER} accounts used (a public Wi-Fi) counts as a hub and links no one.`,
    'The score estimates laundering odds at the base rate of the training data; a bank with another rate of laundering gets scores shifted accordingly, and the threshold should be checked on its own data.',
    'Traffic changes (new products, customers, fraud patterns) make the model stale: retrain, and compare the new model with the one in use before switching.',
  );
  return list;
}
