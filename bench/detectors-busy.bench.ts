import { fmt, median, ROOT, runChildScript, shortCommit, withBaselineTree } from './baseline-tree';

export interface DetectorBusyOptions {
  /** Git revision to compare against (default: before the rules' state was kept up to date). */
  baseline?: string;
  /** Alternating rounds (baseline, current, …). */
  rounds?: number;
}

/** The commit before the busy-account work on the detectors' state (issue 11 stop 40). */
export const DEFAULT_BUSY_BASELINE = 'b51b605';

const CHILD = 'bench/detectors-busy.child.ts';

interface BusyFigures {
  movements: number;
  rules: Record<string, { seconds: number; alerts: number }>;
}

/** The two streams: dense (one burst window) and spread over more than the rules' look-back. */
const SCENARIOS = [
  {
    label: '16,000 movements among 4 accounts, 1 minute apart (11 days)',
    args: ['16000', '4', '1'],
  },
  {
    label: '16,000 movements among 4 accounts, 6 minutes apart (67 days)',
    args: ['16000', '4', '6'],
  },
] as const;

/**
 * Busy accounts: per rule, the time to feed movements among a few accounts that deal with each
 * other all the time (a merchant, a payroll, a pair of mule accounts) through the per-event
 * engine, the current code against an earlier revision side by side in one run (each run in its
 * own process, alternating). Before the rules kept their per-account state up to date, each
 * movement of such an account cost as much as its whole window. Returns a markdown section.
 */
export function benchDetectorsBusy(options: DetectorBusyOptions = {}): string {
  const baseline = shortCommit(options.baseline ?? DEFAULT_BUSY_BASELINE);
  const head = shortCommit('HEAD');
  const rounds = options.rounds ?? 1;
  return withBaselineTree(baseline, [CHILD], (tree) => {
    const lines: string[] = [
      `\`npm run bench -- --only detectors-busy [--busy-rounds N]\`. Each activity rule alone in a \`StreamDetectionEngine\` fed the stream in time order; baseline \`${baseline}\` and current \`${head}\` alternating, each run in its own process (${rounds} round${rounds === 1 ? '' : 's'}, median). Only rules taking 0.2 s or more in either version are listed; the alerts are the engine's raised counts (growing alerts counted each time), which must be equal.`,
    ];
    for (const scenario of SCENARIOS) {
      const before: BusyFigures[] = [];
      const after: BusyFigures[] = [];
      for (let round = 0; round < rounds; round += 1) {
        before.push(runChildScript<BusyFigures>(tree, CHILD, scenario.args));
        after.push(runChildScript<BusyFigures>(ROOT, CHILD, scenario.args));
      }
      const seconds = (runs: readonly BusyFigures[], rule: string): number =>
        median(runs.map((r) => r.rules[rule]?.seconds ?? 0));
      const rules = Object.keys(after[0].rules).filter(
        (rule) => Math.max(seconds(before, rule), seconds(after, rule)) >= 0.2,
      );
      const total = (runs: readonly BusyFigures[]): number =>
        Object.keys(runs[0].rules).reduce((sum, rule) => sum + seconds(runs, rule), 0);
      lines.push(
        '',
        `**${scenario.label}**`,
        '',
        '| rule | baseline | current | current / baseline | alerts raised (baseline / current) |',
        '|---|---:|---:|---:|---:|',
        ...rules.map((rule) => {
          const b = seconds(before, rule);
          const a = seconds(after, rule);
          return `| ${rule} | ${fmt(b, 2)} s | ${fmt(a, 2)} s | ${fmt(a / b, 3)} | ${before[0].rules[rule]?.alerts ?? 0} / ${after[0].rules[rule].alerts} |`;
        }),
        `| every rule | ${fmt(total(before), 1)} s | ${fmt(total(after), 1)} s | ${fmt(total(after) / total(before), 3)} | |`,
      );
    }
    return lines.join('\n');
  });
}
