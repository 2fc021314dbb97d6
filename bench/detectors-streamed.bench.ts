import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ALL_DETECTORS,
  DetectorRegistry,
  evaluateChunks,
  evaluateDataset,
  type DatasetEvaluation,
} from '@app/detectors';
import {
  type DatasetChunk,
  generateBank,
  generateBankInMemory,
  type ProfileName,
} from '@app/generators';
import { loadAllSettings } from '@app/settings';

/** How one child process ran. */
type Mode = 'generate-only' | 'streamed' | 'in-memory';

interface ChildResult {
  mode: Mode;
  profile: ProfileName;
  seconds: number;
  movements: number;
  events: number;
  alerts: number;
  peakRssMb: number;
  /** Resident memory after 25, 50, 75 and 100 % of the simulated days (streamed mode). */
  rssAtQuarterMb: number[];
  peakStateSize: number;
  instances: number;
  detected: number;
  decoys: number;
  decoysAlerted: number;
  generationSeconds: number;
}

const DAYS = 90;
const SEED = 42;
const REFERENCE = '2025-01-01T00:00:00Z';
const DAY_MS = 86_400_000;

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** Runs in the child: one mode over one profile, prints one JSON line. */
async function child(mode: Mode, profile: ProfileName): Promise<ChildResult> {
  const registry = new DetectorRegistry(ALL_DETECTORS, loadAllSettings().detectors);
  const bank = { profile, seed: SEED, referenceTime: REFERENCE, days: DAYS };
  const observedSince = Date.parse(REFERENCE) - DAYS * DAY_MS;
  const started = performance.now();
  const quarters: number[] = [];
  let movements = 0;
  let run: DatasetEvaluation | undefined;
  let peakStateSize = 0;
  if (mode === 'generate-only') {
    for await (const chunk of sampled(generateBank(bank), quarters)) {
      for (const edge of chunk.edges) if (edge.label === 'TRANSFERRED') movements += 1;
    }
  } else if (mode === 'streamed') {
    run = await evaluateChunks(registry, sampled(generateBank(bank), quarters), {
      observedSince,
      onChunk: (p) => {
        peakStateSize = Math.max(peakStateSize, p.stateSize);
      },
    });
  } else {
    run = evaluateDataset(registry, await generateBankInMemory(bank), { observedSince });
  }
  const seconds = (performance.now() - started) / 1000;
  const totals = run?.summary.consolidated.totals;
  return {
    mode,
    profile,
    seconds,
    movements: run ? run.detection.movements : movements,
    events: run?.detection.events ?? 0,
    alerts: run?.detection.alerts.length ?? 0,
    peakRssMb: peakRssMb(),
    rssAtQuarterMb: quarters,
    peakStateSize,
    instances: totals?.instances ?? 0,
    detected: totals?.detected ?? 0,
    decoys: totals?.decoys ?? 0,
    decoysAlerted: totals?.decoysAlerted ?? 0,
    generationSeconds: Number(run?.summary.dataset.generationMs ?? 0) / 1000,
  };
}

/** Passes the generator's chunks on, noting RSS when 25, 50, 75 and 100 % of the days are out. */
async function* sampled(
  chunks: AsyncIterable<DatasetChunk>,
  quarters: number[],
): AsyncGenerator<DatasetChunk> {
  for await (const chunk of chunks) {
    // The chunk is noted after the consumer has handled it (the next pull comes back here).
    yield chunk;
    const { done, total } = chunk.progress;
    if (chunk.stage !== 'movements' || total === 0) continue;
    while (quarters.length < 4 && done >= (total * (quarters.length + 1)) / 4)
      quarters.push(rssMb());
  }
}

/** Starts a child process running one mode; resolves with its JSON line. */
function runChild(mode: Mode, profile: ProfileName): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--max-old-space-size=12288',
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        join(__dirname, 'detectors-streamed.bench.ts'),
        mode,
        profile,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (data: Buffer) => (out += data.toString('utf8')));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`bench child ${mode} ${profile} exited with code ${code}: ${out.trim()}`));
        return;
      }
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Batch detection in bounded memory: each run is its own process (so peak RSS is that run's),
 * side by side — generation alone, generation with the streamed batch evaluation (all rules,
 * scored against the ground truth), and, where it fits, the same evaluation with the whole bank
 * held in memory. Returns a markdown section.
 */
export async function benchDetectorsStreamed(
  plan: readonly { profile: ProfileName; modes: readonly Mode[] }[] = [
    { profile: 'medium', modes: ['generate-only', 'streamed', 'in-memory'] },
    { profile: 'large', modes: ['generate-only', 'streamed'] },
  ],
): Promise<string> {
  const rows: string[] = [];
  const notes: string[] = [];
  for (const { profile, modes } of plan) {
    const results: ChildResult[] = [];
    for (const mode of modes) {
      process.stdout.write(`  ${profile}: ${mode}…\n`);
      results.push(await runChild(mode, profile));
    }
    const base = results.find((r) => r.mode === 'generate-only');
    for (const r of results) {
      const extra =
        base && r !== base ? ` (${fmt(r.peakRssMb / base.peakRssMb, 2)}× generation alone)` : '';
      const quality =
        r.mode === 'generate-only'
          ? '—'
          : `${r.detected} of ${r.instances} detected; ${r.decoysAlerted} of ${r.decoys} decoys alerted`;
      rows.push(
        `| ${profile} | ${r.mode} | ${fmt(r.movements)} | ${fmt(r.seconds, 1)} s | ${fmt(r.movements / r.seconds)} | ` +
          `${r.mode === 'generate-only' ? '—' : fmt(r.alerts)} | ${quality} | ${fmt(r.peakRssMb)} MiB${extra} |`,
      );
      if (r.rssAtQuarterMb.length === 4) {
        notes.push(
          `- ${profile}, ${r.mode}: RSS after 25/50/75/100 % of the days: ${r.rssAtQuarterMb.map((m) => fmt(m)).join(' / ')} MiB.`,
        );
      }
      if (r.mode === 'streamed') {
        notes.push(
          `- ${profile}, streamed: most rule state held at once ${fmt(r.peakStateSize)} entries; ` +
            `${fmt(r.generationSeconds, 1)} s of the ${fmt(r.seconds, 1)} s were spent generating.`,
        );
      }
    }
  }
  return [
    `Seed ${SEED}, ${DAYS} days, all ${ALL_DETECTORS.length} rules, scored against the ground truth after case consolidation ` +
      '(what `npm run seed -- evaluate --profile <name>` does). Each row is a separate process, so its peak RSS is its own. ' +
      '**streamed** replays the bank day by day as the generator yields it (`evaluateChunks`): only the population, the ' +
      "rules' bounded state and the alerts are held. **in-memory** holds the whole bank first (`evaluateDataset`); on the " +
      'large profile it does not fit (an earlier attempt passed 12 GB before it was stopped), so it is not run there.',
    '',
    '| profile | mode | movements | time | movements/s | alerts | detection | peak RSS |',
    '|---|---|---:|---:|---:|---:|---|---:|',
    ...rows,
    '',
    ...notes,
    '',
  ].join('\n');
}

if (require.main === module) {
  const [mode, profile] = process.argv.slice(2) as [Mode | undefined, ProfileName | undefined];
  if (mode === undefined || profile === undefined) {
    benchDetectorsStreamed().then(
      (text) => process.stdout.write(`${text}\n`),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  } else {
    child(mode, profile).then(
      (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      (error: unknown) => {
        process.stderr.write(
          `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exitCode = 1;
      },
    );
  }
}
