/**
 * Production-dependency audit for CI: runs `npm audit --omit=dev --json`, fails on high or
 * critical advisories unless `audit-allowlist.json` accepts them (with a reason and an expiry
 * date), and says plainly when the advisory service could not be asked.
 *
 *   npx ts-node scripts/audit-production.ts            # unreachable service: loud notice, exit 0
 *   npx ts-node scripts/audit-production.ts --strict   # unreachable service: exit 1 (hosted CI)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AllowListEntry {
  /** The advisory's URL as npm reports it (for example a GHSA link). */
  advisory: string;
  package: string;
  reason: string;
  /** Accepted until this day (YYYY-MM-DD, inclusive); then the build fails again. */
  until: string;
}

interface Advisory {
  package: string;
  severity: string;
  title: string;
  url: string;
}

export interface AuditVerdict {
  ok: boolean;
  lines: string[];
}

const BLOCKING = new Set(['high', 'critical']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Advisories in an `npm audit --json` report (npm 7 and later), one per package and advisory. */
export function advisoriesOf(report: unknown): Advisory[] {
  if (!isRecord(report) || !isRecord(report.vulnerabilities)) return [];
  const found = new Map<string, Advisory>();
  for (const [name, entry] of Object.entries(report.vulnerabilities)) {
    if (!isRecord(entry) || !Array.isArray(entry.via)) continue;
    for (const via of entry.via as unknown[]) {
      if (!isRecord(via)) continue; // a string names another vulnerable package, listed itself
      const advisory: Advisory = {
        package: typeof via.name === 'string' ? via.name : name,
        severity: typeof via.severity === 'string' ? via.severity : 'unknown',
        title: typeof via.title === 'string' ? via.title : '(no title)',
        url:
          typeof via.url === 'string'
            ? via.url
            : typeof via.source === 'number'
              ? `npm advisory ${via.source}`
              : '(no id)',
      };
      found.set(`${advisory.package} ${advisory.url}`, advisory);
    }
  }
  return [...found.values()];
}

/** The problem with the allow-list file, or undefined when every entry is well formed. */
export function allowListProblem(entries: unknown): string | undefined {
  if (!Array.isArray(entries)) return 'audit-allowlist.json must be a JSON array';
  for (const [index, entry] of entries.entries()) {
    if (
      !isRecord(entry) ||
      typeof entry.advisory !== 'string' ||
      typeof entry.package !== 'string' ||
      typeof entry.reason !== 'string' ||
      entry.reason.trim() === '' ||
      typeof entry.until !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(entry.until)
    ) {
      return `audit-allowlist.json entry ${index} needs advisory, package, a non-empty reason and until (YYYY-MM-DD)`;
    }
  }
  return undefined;
}

/** Decides the build: blocking advisories not accepted (or accepted past their date) fail it. */
export function judgeAudit(
  report: unknown,
  allowList: readonly AllowListEntry[],
  today: string,
): AuditVerdict {
  const lines: string[] = [];
  let ok = true;
  const advisories = advisoriesOf(report);
  for (const advisory of advisories) {
    if (!BLOCKING.has(advisory.severity)) continue;
    const accepted = allowList.find(
      (entry) => entry.advisory === advisory.url && entry.package === advisory.package,
    );
    const label = `${advisory.severity} ${advisory.package}: ${advisory.title} (${advisory.url})`;
    if (accepted === undefined) {
      ok = false;
      lines.push(`FAIL ${label}: upgrade it, or accept it in audit-allowlist.json with a reason`);
    } else if (accepted.until < today) {
      ok = false;
      lines.push(`FAIL ${label}: its acceptance ended on ${accepted.until}; review it again`);
    } else {
      lines.push(`accepted until ${accepted.until}: ${label} (${accepted.reason})`);
    }
  }
  const others = advisories.filter((a) => !BLOCKING.has(a.severity)).length;
  lines.push(
    `${advisories.length - others} high or critical and ${others} lower advisories in production dependencies`,
  );
  return { ok, lines };
}

function main(): void {
  const strict = process.argv.includes('--strict');
  const root = join(__dirname, '..');
  const allowList: unknown = JSON.parse(readFileSync(join(root, 'audit-allowlist.json'), 'utf8'));
  const problem = allowListProblem(allowList);
  if (problem !== undefined) {
    console.error(problem);
    process.exit(1);
  }
  let output: string;
  try {
    output = execFileSync('npm', ['audit', '--omit=dev', '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // npm audit exits 1 when it finds advisories; its JSON is still on standard output.
    output = isRecord(error) && typeof error.stdout === 'string' ? error.stdout : '';
  }
  let report: unknown;
  try {
    report = JSON.parse(output);
  } catch {
    report = undefined;
  }
  if (!isRecord(report) || !isRecord(report.vulnerabilities)) {
    const why = isRecord(report) && typeof report.message === 'string' ? report.message : output;
    console.error(
      `NOT CHECKED: the npm advisory service did not answer (${why.trim().slice(0, 200)}).` +
        ' Production dependencies were not audited in this run.',
    );
    process.exit(strict ? 1 : 0);
  }
  const verdict = judgeAudit(
    report,
    allowList as AllowListEntry[],
    new Date().toISOString().slice(0, 10),
  );
  for (const line of verdict.lines) console.log(line);
  process.exit(verdict.ok ? 0 : 1);
}

if (require.main === module) main();
