import { performance } from 'node:perf_hooks';
import {
  activitiesOf,
  ALL_DETECTORS,
  DetectorRegistry,
  identifierUsesOf,
  MemoryAccountDirectory,
  StreamDetectionEngine,
} from '@app/detectors';
import type { Activity } from '@app/detectors';
import { generateBankInMemory } from '@app/generators';
import type { InMemoryDataset, ProfileName } from '@app/generators';
import {
  FEATURE_NAMES,
  MovementFeatureExtractor,
  RiskScorer,
  trainRiskModel,
} from '@app/risk-model';
import type { FeatureContext, RiskModelFile } from '@app/risk-model';
import { loadAllSettings } from '@app/settings';
import { DatedRateMoney, shippedFxRateTable } from '@app/vocabulary';

export interface RiskModelBenchOptions {
  /** Generated bank (default small). */
  profile?: ProfileName;
  /** Measured rounds of the three passes, after one warm-up round (default 3). */
  rounds?: number;
}

const REFERENCE_TIME = '2025-01-01T00:00:00Z';
const DAYS = 90;

type PassKind = 'rules' | 'features' | 'model';

const PASS_LABEL: Record<PassKind, string> = {
  rules: 'rules alone',
  features: 'rules + features',
  model: 'rules + model (features, trees, reasons)',
};

/** CPU time of this process in ms: work of other processes on a shared machine does not count. */
function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Risk model benchmark: trains on a generated bank (CPU time), then feeds the same activities to
 * the per-event engine alone, to the engine plus the features, and to the engine plus the whole
 * model (features, trees and the top three reasons), one pass of each in turn, several rounds,
 * and reports the CPU time per movement of each and the ratio to the rules alone. Part of
 * `npm run bench -- --only risk-model`; returns a markdown section.
 */
export async function benchRiskModel(options: RiskModelBenchOptions = {}): Promise<string> {
  const profile = options.profile ?? 'small';
  const rounds = options.rounds ?? 3;
  const settings = loadAllSettings();
  const money = new DatedRateMoney(shippedFxRateTable(), 'USD');
  const registry = new DetectorRegistry(ALL_DETECTORS, settings.detectors, money);
  const dataset = await generateBankInMemory({
    profile,
    seed: 42,
    referenceTime: REFERENCE_TIME,
    days: DAYS,
  });

  const wallStarted = performance.now();
  const cpuStarted = cpuMs();
  const { file, timings } = await trainRiskModel(registry, [dataset], {
    seed: 42,
    money,
    highRiskJurisdictions: settings.detectors.highRiskJurisdictions,
    observedSince: Date.parse(REFERENCE_TIME) - DAYS * 86_400_000,
  });
  const trainCpu = cpuMs() - cpuStarted;
  const trainWall = performance.now() - wallStarted;

  const activities = activitiesOf(dataset);
  const movements = activities.filter((a) => a.type === 'movement').length;
  const context = (accounts: MemoryAccountDirectory): FeatureContext => ({
    accounts,
    money,
    highRiskJurisdictions: settings.detectors.highRiskJurisdictions,
    reportingRules: registry.reportingRuleIds(),
  });
  const run = (kind: PassKind): PassResult =>
    pass(kind, dataset, activities, registry, file, context);

  // One warm-up round (the JIT), then the measured rounds; each round runs the passes in turn
  // so that a slow spell of the shared machine falls on all of them.
  const kinds: PassKind[] = ['rules', 'features', 'model'];
  for (const kind of kinds) run(kind);
  const measured: Record<PassKind, number[]> = { rules: [], features: [], model: [] };
  let state = { accounts: 0, movements: 0, identifiers: 0, uses: 0 };
  for (let round = 0; round < rounds; round += 1)
    for (const kind of kinds) {
      const result = run(kind);
      measured[kind].push((result.cpuMs * 1000) / movements);
      if (result.state) state = result.state;
    }

  const rules = median(measured.rules);
  const lines = [
    `Generated bank: profile ${profile}, seed 42, ${DAYS} days: ${fmt(movements)} movements and ${fmt(activities.length - movements)} account events.`,
    '',
    `**Training** (\`trainRiskModel\`, ${file.model.trees.length} trees, ${FEATURE_NAMES.length} features): ${fmt(trainCpu / 1000, 1)} s CPU (${fmt(trainWall / 1000, 1)} s wall), of which rules and features ${fmt(timings.featuresMs / 1000, 1)} s and boosting ${fmt(timings.trainingMs / 1000, 1)} s wall; ${fmt(file.training.rows.train)} training rows.`,
    '',
    `**Per event**: the same activities fed one at a time to a fresh engine, in three passes run in turn, one warm-up round and ${rounds} measured; CPU time per movement, median of the rounds. The features' passes are given the bank's ${fmt(identifierUsesOf(dataset.edges).length)} identifier uses (USES edges) first, outside the timing (on the stream they come with the entities, not per movement).`,
    '',
    '| pass | CPU per movement | movements/s | vs rules alone |',
    '| ---- | ---------------: | ----------: | -------------: |',
    ...kinds.map((kind) => {
      const us = median(measured[kind]);
      return `| ${PASS_LABEL[kind]} | ${fmt(us, 1)} µs | ${fmt(1e6 / us)} | ${fmt(us / rules, 2)}× |`;
    }),
    '',
    `Each round (µs per movement, rules / rules + features / rules + model): ${measured.rules
      .map(
        (r, i) => `${fmt(r, 1)} / ${fmt(measured.features[i], 1)} / ${fmt(measured.model[i], 1)}`,
      )
      .join('; ')}.`,
    '',
    `State held by the model at the end: ${fmt(state.movements)} past movements of ${fmt(state.accounts)} accounts (the last 7 days, at most 256 per account), and ${fmt(state.uses)} identifier uses of ${fmt(state.identifiers)} identifiers (at most 50 users per identifier).`,
  ];
  return lines.join('\n');
}

interface PassResult {
  cpuMs: number;
  state?: { accounts: number; movements: number; identifiers: number; uses: number };
}

function pass(
  kind: PassKind,
  dataset: InMemoryDataset,
  activities: readonly Activity[],
  registry: DetectorRegistry,
  file: RiskModelFile,
  context: (accounts: MemoryAccountDirectory) => FeatureContext,
): PassResult {
  const accounts = new MemoryAccountDirectory(dataset.vertices, dataset.edges);
  const engine = new StreamDetectionEngine(registry.instantiate(), accounts);
  const scorer = kind === 'model' ? new RiskScorer(file, context(accounts)) : undefined;
  const extractor =
    kind === 'features' ? new MovementFeatureExtractor(context(accounts)) : undefined;
  for (const use of identifierUsesOf(dataset.edges)) {
    scorer?.onIdentifierUse(use);
    extractor?.onIdentifierUse(use);
  }
  const started = cpuMs();
  for (const a of activities) {
    if (a.type === 'event') {
      engine.onEvent(a.event);
      continue;
    }
    const alerts = engine.onMovement(a.movement);
    if (scorer) scorer.onMovement(a.movement, alerts);
    else if (extractor) extractor.onMovement(a.movement, alerts);
  }
  return {
    cpuMs: cpuMs() - started,
    ...(scorer ? { state: { ...scorer.stateSize(), ...scorer.identifierStateSize() } } : {}),
  };
}

if (require.main === module) {
  const profile = (process.argv[2] as ProfileName | undefined) ?? 'small';
  benchRiskModel({ profile }).then(
    (text) => process.stdout.write(`${text}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
