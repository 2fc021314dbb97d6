import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { delay, POLL_INTERVAL_MS, waitFor } from './wait';

/** The repository root (this file is test/support/faults/ingest-process.ts). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The ingest worker's entry point, run from source through ts-node (no build step). */
const INGEST_MAIN = join('apps', 'ingest', 'src', 'main.ts');

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
 * The ingest worker (`apps/ingest/src/main.ts`) as a child process, configured only through its
 * environment, as an operator runs it. Started with `start()`, which resolves once
 * `/health/ready` answers 200; `kill()` sends SIGKILL (a crash: nothing is drained or
 * acknowledged), `stop()` SIGTERM (graceful shutdown).
 */
export class IngestProcess {
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly options: IngestProcessOptions,
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
    let child: ChildProcess;
    try {
      child = spawn(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', INGEST_MAIN],
        { cwd: REPO_ROOT, env: { ...options.env }, stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    const worker = new IngestProcess(child, options);
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

  /** True once the process has ended. */
  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Asks GET /health/ready once. */
  async readiness(): Promise<Readiness> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.options.httpPort}/health/ready`, {
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 'unreachable';
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
            `${this.options.name} exited (code ${this.exit.code}, signal ${this.exit.signal}) while waiting for /health/ready ${status}; last log lines:\n${this.logTail()}`,
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
