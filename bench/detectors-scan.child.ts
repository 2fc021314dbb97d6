/**
 * Child process of the detectors-versions benchmark: generates one bank in memory, replays it
 * through every rule once (`detectInDataset`) and prints one JSON line with the figures. It uses
 * only APIs that the baseline version has too, so the same file runs in both source trees.
 *
 * Usage: node -r ts-node/register/transpile-only -r tsconfig-paths/register
 *          bench/detectors-scan.child.ts <profile> <days>
 */
import { performance } from 'node:perf_hooks';
import { ALL_DETECTORS, DetectorRegistry, detectInDataset } from '@app/detectors';
import { generateBankInMemory } from '@app/generators';
import type { ProfileName } from '@app/generators';
import { loadAllSettings } from '@app/settings';

async function main(): Promise<void> {
  const [profile = 'medium', days = '90'] = process.argv.slice(2);
  const dataset = await generateBankInMemory({
    profile: profile as ProfileName,
    seed: 42,
    referenceTime: '2025-01-01T00:00:00Z',
    days: Number(days),
  });
  const instances = new DetectorRegistry(ALL_DETECTORS, loadAllSettings().detectors).instantiate();
  const started = performance.now();
  const result = detectInDataset(instances, dataset);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      movements: result.movements,
      events: result.events,
      rules: instances.length,
      alerts: result.alerts.length,
      seconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
