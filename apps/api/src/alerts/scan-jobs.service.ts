import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { DetectionService } from '@app/detectors';
import type { ScanProgress, ScanReport, ScanRequest } from '@app/detectors';
import { ApiMetrics } from '../metrics/api-metrics';
import { Clock, ConflictError, DomainError, EntityNotFoundError } from '@app/vocabulary';

export const SCAN_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type ScanJobStatus = (typeof SCAN_JOB_STATUSES)[number];

/** A scan run in the background, as the API keeps it (times are epoch ms of the injected clock). */
export interface ScanJob {
  jobId: string;
  status: ScanJobStatus;
  request: ScanRequest;
  progress: ScanProgress;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** True once a cancel was asked; the scan stops at its next store read. */
  cancelRequested: boolean;
  report?: ScanReport;
  /** Why a failed job failed: the error code and message of the API's error body. */
  error?: { error: string; message: string };
}

/** Limits of the registry (in-process, so they also bound memory). */
export interface ScanJobLimits {
  /** Scans running at once; a scan asked for beyond it is refused with 409. */
  maxRunning: number;
  /** Finished jobs kept for GET; the oldest finished job is forgotten first. */
  maxKept: number;
}

export const DEFAULT_SCAN_JOB_LIMITS: ScanJobLimits = { maxRunning: 1, maxKept: 100 };
export const SCAN_JOB_LIMITS = Symbol('SCAN_JOB_LIMITS');

const FINISHED: ReadonlySet<ScanJobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

interface Entry {
  job: ScanJob;
  abort: AbortController;
  done: Promise<void>;
}

/** The reason a cancelled scan stops with (never shown as an error: the job says cancelled). */
class ScanCancelled extends Error {}

/**
 * Alert scans as background jobs, kept in a bounded in-process registry: `start` checks the
 * request (bad rules, parameters or window throw at once) and answers a queued job; the scan
 * then runs on the event loop, reporting progress, until it succeeds, fails or is cancelled.
 *
 * At most `maxRunning` scans run at once: one more is refused with a ConflictError (409) naming
 * the running job, rather than queued, so that no request waits unseen behind a long scan. A
 * cancelled scan stops at its next store read and stores nothing. Jobs live only in this
 * process: a restart forgets them (alerts already saved stay saved).
 */
@Injectable()
export class ScanJobs implements OnApplicationShutdown {
  private readonly logger = new Logger(ScanJobs.name);
  private readonly jobs = new Map<string, Entry>();

  constructor(
    private readonly detection: DetectionService,
    private readonly clock: Clock,
    @Optional()
    @Inject(SCAN_JOB_LIMITS)
    private readonly limits: ScanJobLimits = DEFAULT_SCAN_JOB_LIMITS,
    @Optional() private readonly metrics?: ApiMetrics,
  ) {}

  /** Checks the request, then starts the scan in the background; answers the queued job. */
  start(request: ScanRequest): ScanJob {
    const planned = this.detection.plan(request);
    const running = [...this.jobs.values()].filter((e) => !FINISHED.has(e.job.status));
    if (running.length >= this.limits.maxRunning) {
      const ids = running.map((e) => e.job.jobId);
      throw new ConflictError(
        `${running.length === 1 ? 'A scan is' : `${running.length} scans are`} already running (${ids.join(', ')}); at most ${this.limits.maxRunning} at a time. Wait for it to finish (GET /api/v1/alerts/scan/{jobId}) or cancel it (DELETE /api/v1/alerts/scan/{jobId}), then ask again.`,
        { runningJobIds: ids, maxRunning: this.limits.maxRunning },
      );
    }
    const job: ScanJob = {
      jobId: `scan-${randomUUID()}`,
      status: 'queued',
      request,
      progress: {
        phase: 'detecting',
        rulesDone: 0,
        rulesTotal: planned.instances.length,
        movementsScanned: 0,
      },
      createdAt: this.clock.now(),
      cancelRequested: false,
    };
    const abort = new AbortController();
    const entry: Entry = { job, abort, done: Promise.resolve() };
    this.jobs.set(job.jobId, entry);
    this.evict();
    entry.done = this.execute(entry, () =>
      this.detection.run(planned, {
        signal: abort.signal,
        onProgress: (progress) => {
          job.progress = progress;
        },
      }),
    );
    return { ...job };
  }

  /** A copy of the job; EntityNotFoundError (404) for an unknown or forgotten id. */
  get(jobId: string): ScanJob {
    return { ...this.entry(jobId).job };
  }

  /** Jobs the registry still holds, newest first. */
  list(): ScanJob[] {
    return [...this.jobs.values()].map((e) => ({ ...e.job })).reverse();
  }

  /**
   * Cancels a queued or running scan: it stops at its next store read and saves nothing.
   * ConflictError (409) when the job has already finished.
   */
  cancel(jobId: string): ScanJob {
    const entry = this.entry(jobId);
    if (FINISHED.has(entry.job.status)) {
      throw new ConflictError(
        `Scan job ${jobId} has already ${entry.job.status === 'cancelled' ? 'been cancelled' : entry.job.status}; only a queued or running scan can be cancelled.`,
        { jobId, status: entry.job.status },
      );
    }
    entry.job.cancelRequested = true;
    entry.abort.abort(new ScanCancelled(`scan job ${jobId} cancelled`));
    if (entry.job.status === 'queued') this.finish(entry.job, 'cancelled');
    return { ...entry.job };
  }

  /** Resolves when the job has finished (for tests and shutdown); unknown ids -> 404. */
  async settled(jobId: string): Promise<ScanJob> {
    const entry = this.entry(jobId);
    await entry.done;
    return { ...entry.job };
  }

  /** Cancels what still runs, so that shutdown does not wait for a long scan. */
  async onApplicationShutdown(): Promise<void> {
    const open = [...this.jobs.values()].filter((e) => !FINISHED.has(e.job.status));
    for (const entry of open) entry.abort.abort(new ScanCancelled('the API is shutting down'));
    await Promise.all(open.map((e) => e.done));
  }

  private entry(jobId: string): Entry {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new EntityNotFoundError('Scan job', jobId);
    return entry;
  }

  private async execute(entry: Entry, run: () => Promise<ScanReport>): Promise<void> {
    // Let the POST answer first: the scan starts on a later turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { job } = entry;
    if (FINISHED.has(job.status)) return;
    job.status = 'running';
    job.startedAt = this.clock.now();
    try {
      job.report = await run();
      for (const rule of job.report.rules)
        this.metrics?.alertsRaised('scan', rule.ruleId, rule.alerts);
      this.finish(job, 'succeeded');
    } catch (error: unknown) {
      if (entry.abort.signal.aborted) {
        this.finish(job, 'cancelled');
        return;
      }
      job.error =
        error instanceof DomainError
          ? { error: error.code, message: error.message }
          : { error: 'internal_error', message: 'The scan failed unexpectedly; see the API log.' };
      if (!(error instanceof DomainError))
        this.logger.error({ err: error, jobId: job.jobId }, 'scan job failed');
      this.finish(job, 'failed');
    }
  }

  private finish(job: ScanJob, status: 'succeeded' | 'failed' | 'cancelled'): void {
    this.metrics?.scanFinished(status);
    job.status = status;
    job.finishedAt = this.clock.now();
    this.evict();
  }

  /** Forgets the oldest finished jobs beyond `maxKept` (running ones are never forgotten). */
  private evict(): void {
    const finished = [...this.jobs.values()].filter((e) => FINISHED.has(e.job.status));
    for (const entry of finished.slice(0, Math.max(0, finished.length - this.limits.maxKept)))
      this.jobs.delete(entry.job.jobId);
  }
}
