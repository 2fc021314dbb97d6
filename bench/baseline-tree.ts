import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** This checkout's root. */
export const ROOT = join(__dirname, '..');

/** The short hash of a revision of this checkout. */
export function shortCommit(revision: string): string {
  return execFileSync('git', ['rev-parse', '--short', revision], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
}

/**
 * Runs `run` with the source tree of an earlier revision unpacked into a temporary folder
 * (`git archive`, no .git) that shares this checkout's node_modules, the given child scripts
 * copied in when the revision lacks them; the folder is removed afterwards. For benchmarks that
 * compare the current code with an earlier one side by side in one run.
 */
export function withBaselineTree<T>(
  revision: string,
  childScripts: readonly string[],
  run: (tree: string) => T,
): T {
  const tree = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
  try {
    execFileSync('bash', ['-c', `git archive "${revision}" | tar -x -C "${tree}"`], { cwd: ROOT });
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    for (const script of childScripts)
      if (!existsSync(join(tree, script))) copyFileSync(join(ROOT, script), join(tree, script));
    return run(tree);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** Runs a TypeScript child script in `tree` and parses the last line it prints as JSON. */
export function runChildScript<T>(tree: string, script: string, args: readonly string[]): T {
  const out = execFileSync(
    process.execPath,
    [
      '--max-old-space-size=8192',
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      script,
      ...args,
    ],
    { cwd: tree, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
