import { fmt, median, ROOT, runChildScript, shortCommit, withBaselineTree } from './baseline-tree';

export interface DetectorVersionsOptions {
  /** Git revision of the rules to compare against (default: before issue 10's rule changes). */
  baseline?: string;
  profile?: string;
  days?: number;
  /** Alternating rounds (baseline, current, baseline, current, …). */
  rounds?: number;
}

/** The commit before the issue-10 work on the detectors (FX, shape-tolerant rules). */
export const DEFAULT_BASELINE = 'ad28cb8';

interface ScanFigures {
  movements: number;
  events: number;
  rules: number;
  alerts: number;
  seconds: number;
  peakRssMiB: number;
}

const CHILD = 'bench/detectors-scan.child.ts';

function runChild(tree: string, profile: string, days: number): ScanFigures {
  return runChildScript<ScanFigures>(tree, CHILD, [profile, String(days)]);
}

/**
 * Detection throughput of the current rules against an earlier revision, side by side in one
 * run: the baseline's source tree is checked out into a temporary folder (sharing this
 * checkout's node_modules), and the same child script replays the same generated bank through
 * every rule in each tree, alternating, each run in its own process. Returns a markdown section.
 */
export function benchDetectorVersions(options: DetectorVersionsOptions = {}): string {
  const baseline = options.baseline ?? DEFAULT_BASELINE;
  const profile = options.profile ?? 'medium';
  const days = options.days ?? 90;
  const rounds = options.rounds ?? 2;
  const commit = shortCommit(baseline);
  const head = shortCommit('HEAD');
  return withBaselineTree(commit, [CHILD], (tree) => {
    const before: ScanFigures[] = [];
    const after: ScanFigures[] = [];
    for (let round = 0; round < rounds; round += 1) {
      before.push(runChild(tree, profile, days));
      after.push(runChild(ROOT, profile, days));
    }
    const row = (label: string, runs: readonly ScanFigures[]): string => {
      const seconds = median(runs.map((r) => r.seconds));
      const first = runs[0];
      return `| ${label} | ${first.rules} | ${fmt(first.movements)} | ${runs.map((r) => fmt(r.seconds, 1)).join(' / ')} s | ${fmt(first.movements / seconds)} | ${first.alerts} | ${fmt(Math.max(...runs.map((r) => r.peakRssMiB)))} MiB |`;
    };
    const ratio = median(after.map((r) => r.seconds)) / median(before.map((r) => r.seconds));
    return [
      `Generated **${profile}** bank (seed 42, ${days} days), every rule in one in-memory batch replay (\`detectInDataset\`); each run in its own process, baseline and current alternating (${rounds} rounds). Throughput uses the median time. Generation is not timed.`,
      '',
      '| version | rules | movements | time per run | movements/s | alerts | peak RSS |',
      '|---|---:|---:|---:|---:|---:|---:|',
      row(`baseline \`${commit}\``, before),
      row(`current \`${head}\``, after),
      '',
      `Current / baseline time: **${fmt(ratio, 2)}×**.`,
    ].join('\n');
  });
}
