/**
 * Child process of the detectors-busy benchmark: feeds a stream of movements among a few busy
 * accounts through each activity rule alone (StreamDetectionEngine, as ingest and real-time
 * scoring do) and prints one JSON line with each rule's time. Only APIs that the baseline
 * version has too, so the same file runs in both source trees.
 *
 * Usage: node -r ts-node/register/transpile-only -r tsconfig-paths/register
 *          bench/detectors-busy.child.ts <movements> <accounts> <minutes apart>
 */
import { performance } from 'node:perf_hooks';
import {
  ALL_DETECTORS,
  DetectorRegistry,
  MemoryAccountDirectory,
  StreamDetectionEngine,
} from '@app/detectors';
import { loadAllSettings } from '@app/settings';
import type { AccountVertex, Movement } from '@app/vocabulary';

const T0 = Date.UTC(2025, 0, 6, 10);

function main(): void {
  const [count = '16000', accounts = '4', minutes = '1'] = process.argv.slice(2);
  const n = Number(accounts);
  const uids = Array.from({ length: n }, (_, i) => `account:busy:${i}`);
  const vertices = uids.map((uid): AccountVertex => ({
    label: 'Account',
    uid,
    props: {
      accountType: 'business',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'busy',
      country: 'US',
    },
  }));
  // Every account pays every other in turn, amounts varying a little: each payment a
  // possible hop of a chain, a cycle, a fan leg.
  const movements = Array.from({ length: Number(count) }, (_, i): Movement => {
    const from = i % n;
    const step = 1 + (Math.floor(i / n) % (n - 1));
    return Object.freeze({
      movementId: `mv:busy:${String(i).padStart(6, '0')}`,
      fromAccount: uids[from],
      toAccount: uids[(from + step) % n],
      amountMinor: 1_000_00 + (i % 97) * 13,
      currency: 'USD',
      timestamp: T0 + i * Number(minutes) * 60_000,
      channel: 'wire',
    });
  });
  const registry = new DetectorRegistry(ALL_DETECTORS, loadAllSettings().detectors);
  const accountsDirectory = new MemoryAccountDirectory(vertices, []);
  const rules: Record<string, { seconds: number; alerts: number }> = {};
  for (const detector of ALL_DETECTORS) {
    if (detector.kind !== 'activity') continue;
    const engine = new StreamDetectionEngine(
      registry.instantiate([detector.id]),
      accountsDirectory,
    );
    let alerts = 0;
    const started = performance.now();
    for (const m of movements) alerts += engine.onMovement(m).length;
    rules[detector.id] = { seconds: (performance.now() - started) / 1000, alerts };
  }
  process.stdout.write(`${JSON.stringify({ movements: movements.length, rules })}\n`);
}

main();
