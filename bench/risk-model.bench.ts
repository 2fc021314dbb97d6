import { performance } from 'node:perf_hooks';
import {
  activitiesOf,
  ALL_DETECTORS,
  DetectorRegistry,
  MemoryAccountDirectory,
  StreamDetectionEngine,
} from '@app/detectors';
import { generateBankInMemory } from '@app/generators';
import type { ProfileName } from '@app/generators';
import { RiskScorer, trainRiskModel } from '@app/risk-model';
import { loadAllSettings } from '@app/settings';
import { DatedRateMoney, shippedFxRateTable } from '@app/vocabulary';

/**
 * Risk model benchmark: trains on a generated bank (time), then feeds the same activities to the
 * per-event engine alone and to the engine plus the model (features and trees), and prints the
 * CPU time per movement of each. Run: `node -r ts-node/register/transpile-only -r
 * tsconfig-paths/register bench/risk-model.bench.ts [profile]`.
 */
export async function benchRiskModel(profile: ProfileName = 'small'): Promise<string> {
  const settings = loadAllSettings();
  const money = new DatedRateMoney(shippedFxRateTable(), 'USD');
  const registry = new DetectorRegistry(ALL_DETECTORS, settings.detectors, money);
  const referenceTime = '2025-01-01T00:00:00Z';
  const dataset = await generateBankInMemory({ profile, seed: 42, referenceTime, days: 90 });
  const started = performance.now();
  const { file, timings } = await trainRiskModel(registry, [dataset], {
    seed: 42,
    money,
    highRiskJurisdictions: settings.detectors.highRiskJurisdictions,
    observedSince: Date.parse(referenceTime) - 90 * 86_400_000,
  });
  const trainMs = performance.now() - started;
  const activities = activitiesOf(dataset);
  const movements = activities.filter((a) => a.type === 'movement').length;

  const pass = (withModel: boolean): number => {
    const accounts = new MemoryAccountDirectory(dataset.vertices, dataset.edges);
    const engine = new StreamDetectionEngine(registry.instantiate(), accounts);
    const scorer = withModel
      ? new RiskScorer(file, {
          accounts,
          money,
          highRiskJurisdictions: settings.detectors.highRiskJurisdictions,
          reportingRules: registry.reportingRuleIds(),
        })
      : undefined;
    // CPU time of this process, not wall time: other work on a shared machine does not count.
    const t = process.cpuUsage();
    for (const a of activities) {
      if (a.type === 'event') engine.onEvent(a.event);
      else {
        const alerts = engine.onMovement(a.movement);
        scorer?.onMovement(a.movement, alerts);
      }
    }
    const used = process.cpuUsage(t);
    return (used.user + used.system) / 1000;
  };
  // Each pass twice, alternating; the second of each is reported (the first warms the JIT up).
  pass(false);
  pass(true);
  const rulesOnly = pass(false);
  const withModel = pass(true);
  const us = (ms: number): string => ((ms * 1000) / movements).toFixed(1);
  return [
    `profile ${profile}: ${movements} movements, ${activities.length - movements} events`,
    `training: ${(trainMs / 1000).toFixed(1)} s in all (rules and features ${(timings.featuresMs / 1000).toFixed(1)} s, boosting ${(timings.trainingMs / 1000).toFixed(1)} s), ${file.model.trees.length} trees`,
    `per event, rules only: ${us(rulesOnly)} µs per movement (${Math.round(movements / (rulesOnly / 1000))} movements/s)`,
    `per event, rules + model: ${us(withModel)} µs per movement (${Math.round(movements / (withModel / 1000))} movements/s)`,
  ].join('\n');
}

if (require.main === module) {
  benchRiskModel((process.argv[2] as ProfileName | undefined) ?? 'small').then(
    (text) => process.stdout.write(`${text}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
