import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { delay, POLL_INTERVAL_MS, waitFor } from './wait';

/** The repository root (this file is test/support/faults/ingest-process.ts). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The ingest worker's source entry point, run through ts-node when no fresh build exists. */
const INGEST_SOURCE_MAIN = join('apps', 'ingest', 'src', 'main.ts');
/** What `npm run build` (`nest build ingest`) produces, as `npm run start:ingest` runs it. */
const INGEST_BUILT_MAIN = join('dist', 'apps', 'ingest', 'main.js');
/** Sources the build is made of (tests excluded). */
const SOURCE_ROOTS = [join('apps', 'ingest', 'src'), 'libs'];

/** Newest modification time of the worker's TypeScript sources (tests left out). */
function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * How to run the worker: the built app (`dist/apps/ingest/main.js`) when it is newer than every
 * source file, as after `npm run build` in CI, else the sources through ts-node (slower to
 * start, never stale). Decided once per test file.
 */
function workerCommand(): { args: string[]; what: string } {
  try {
    const built = statSync(join(REPO_ROOT, INGEST_BUILT_MAIN)).mtimeMs;
    const sources = Math.max(...SOURCE_ROOTS.map((root) => newestSource(join(REPO_ROOT, root))));
    if (built > sources)
      return { args: [INGEST_BUILT_MAIN], what: `the build ${INGEST_BUILT_MAIN}` };
  } catch {
    // No build: run the sources.
  }
  return {
    args: [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      INGEST_SOURCE_MAIN,
    ],
    what: `the sources (${INGEST_SOURCE_MAIN} through ts-node; no build newer than them)`,
  };
}

let command: { args: string[]; what: string } | undefined;

/** Longest wait for a new worker to answer 200 on /health/ready (ts-node compiles on start). */
export const WORKER_START_TIMEOUT_MS = 90_000;

export interface IngestProcessOptions {
  /** Names the worker in errors and its log file ("worker-1"). */
  name: string;
  /** The child's whole environment: its settings (nothing is inherited from the test run). */
  env: Readonly<Record<string, string>>;
  /** INGEST_HTTP_PORT of the child (also in `env`): where /health/ready is asked. */
  httpPort: number;
  /** Where the child's JSON logs go (stdout and stderr). */
  logFile: string;
}

/** What the readiness probe answered: an HTTP status, or that nothing listens. */
export type Readiness = number | 'unreachable';

/**
 * The ingest worker as a child process (the build when fresh, else the sources), configured
 * only through its environment, as an operator runs it. Started with `start()`, which resolves once
 * `/health/ready` answers 200; `kill()` sends SIGKILL (a crash: nothing is drained or
 * acknowledged), `stop()` SIGTERM (graceful shutdown).
 */
export class IngestProcess {
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly options: IngestProcessOptions,
    /** What runs: the build or the sources. */
    readonly runs: string,
  ) {
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
  }

  /** Spawns the worker and waits until it is ready (or fails with its last log lines). */
  static async start(options: IngestProcessOptions): Promise<IngestProcess> {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = openSync(options.logFile, 'a');
    command ??= workerCommand();
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, command.args, {
        cwd: REPO_ROOT,
        env: { ...options.env },
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    const worker = new IngestProcess(child, options, command.what);
    try {
      await worker.waitForReadiness(200, WORKER_START_TIMEOUT_MS);
    } catch (error: unknown) {
      await worker.kill();
      throw error;
    }
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the process ended (undefined while it runs): exit code, or the signal that ended it. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exit;
  }

  /** True once the process has ended. */
  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Asks GET /health/ready once. */
  async readiness(): Promise<Readiness> {
    return (await this.readinessAnswer()).status;
  }

  /** Asks GET /health/ready once: its status and its body (what it says is wrong). */
  async readinessAnswer(): Promise<{ status: Readiness; body: string }> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.options.httpPort}/health/ready`, {
        signal: AbortSignal.timeout(5_000),
      });
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: 'unreachable', body: '' };
    }
  }

  /**
   * Asks /health/ready again and again until `until` settles; resolves to the answers in order,
   * repeats left out (`[200, 503]`: ready, then not).
   */
  async readinessWhile(until: Promise<unknown>): Promise<Readiness[]> {
    let done = false;
    const finished = until.then(
      () => undefined,
      () => undefined,
    );
    void finished.then(() => {
      done = true;
    });
    const seen: Readiness[] = [];
    while (!done) {
      const answer = await this.readiness();
      if (seen[seen.length - 1] !== answer) seen.push(answer);
      await Promise.race([delay(POLL_INTERVAL_MS), finished]);
    }
    return seen;
  }

  /** Waits until /health/ready answers `status`; fails at once if the process ends. */
  async waitForReadiness(status: 200 | 503, timeoutMs: number): Promise<void> {
    let last: Readiness = 'unreachable';
    await waitFor(
      async () => {
        if (this.exit) {
          throw new Error(
            `${this.options.name} (${this.runs}) exited (code ${this.exit.code}, signal ${this.exit.signal}) while waiting for /health/ready ${status}; last log lines:\n${this.logTail()}`,
          );
        }
        last = await this.readiness();
        return last === status;
      },
      `${this.options.name} /health/ready to answer ${status}`,
      timeoutMs,
      () => `${last}; log ${this.options.logFile}`,
    );
  }

  /** SIGKILL, as a crash or `kill -9` would end it; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it has not ended within `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines of the child's log (for error messages). */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.options.logFile, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }
}
