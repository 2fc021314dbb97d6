import type { ScanProgress } from '@app/detectors';
import { isoOf } from '../presentation/analyst-format';
import { scanReportView } from './alert.view';
import type { ScanReportView } from './alert.view';
import type { ScanJob, ScanJobStatus } from './scan-jobs.service';

/** A scan job as the API answers it: ISO times beside epoch ones, the report when done. */
export interface ScanJobView {
  jobId: string;
  status: ScanJobStatus;
  /** Where to follow it: GET to read, DELETE to cancel. */
  href: string;
  request: {
    rules: string[];
    from: number;
    to: number;
    fromIso: string;
    toIso: string;
    persist: boolean;
  };
  progress: ScanProgress;
  createdAt: number;
  createdAtIso: string;
  startedAt?: number;
  startedAtIso?: string;
  finishedAt?: number;
  finishedAtIso?: string;
  cancelRequested: boolean;
  report?: ScanReportView;
  error?: { error: string; message: string };
}

export function scanJobView(job: ScanJob): ScanJobView {
  const view: ScanJobView = {
    jobId: job.jobId,
    status: job.status,
    href: `/api/v1/alerts/scan/${job.jobId}`,
    request: {
      rules: [...(job.request.rules ?? [])],
      from: job.request.from,
      to: job.request.to,
      fromIso: isoOf(job.request.from),
      toIso: isoOf(job.request.to),
      persist: job.request.persist !== false,
    },
    progress: job.progress,
    createdAt: job.createdAt,
    createdAtIso: isoOf(job.createdAt),
    cancelRequested: job.cancelRequested,
  };
  if (job.startedAt !== undefined) {
    view.startedAt = job.startedAt;
    view.startedAtIso = isoOf(job.startedAt);
  }
  if (job.finishedAt !== undefined) {
    view.finishedAt = job.finishedAt;
    view.finishedAtIso = isoOf(job.finishedAt);
  }
  if (job.report) view.report = scanReportView(job.report);
  if (job.error) view.error = job.error;
  return view;
}
