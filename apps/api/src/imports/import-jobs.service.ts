import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  BankExportInvalidError,
  DEFAULT_BANK_ID,
  parseBankExport,
  planBankFiles,
  type BankExportFile,
  type ParsedBankExport,
} from '@app/generators';
import { BASE_MONEY } from '@app/detectors';
import { GraphStore, type UpsertResult } from '@app/graph-store';
import { GraphConfig, graphSettings } from '@app/settings';
import { Clock, ConflictError, DomainError, EntityNotFoundError } from '@app/vocabulary';
import type { BaseMoney } from '@app/vocabulary';
import { ApiMetrics } from '../metrics/api-metrics';
import { ErasedSubjects } from '../subjects/erased-subjects';
import {
  loadGraph,
  memoryStoreWarning,
  movementWindow,
  recordsOf,
  type MovementWindow,
} from './graph-loader';
import type {
  ImportDetectionDto,
  ImportFailureDto,
  ImportJobDto,
  ImportSourceDto,
  ImportStatus,
  ImportSummaryDto,
} from './import-job.dto';
import { ImportLimits } from './import-limits';

/** One file as received: its name and its bytes (held in memory until the job ends). */
export interface ReceivedFile {
  name: string;
  chunks: readonly Uint8Array[];
}

export interface StartImport {
  kind: ImportSourceDto['kind'];
  files: readonly ReceivedFile[];
  bankId?: string;
  /** The correlation id of the request, repeated in a failure. */
  correlationId: string;
}

interface ImportJob {
  id: string;
  status: ImportStatus;
  source: ImportSourceDto;
  bankId: string;
  correlationId: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  linesRead: number;
  recordsValidated?: number;
  recordsTotal?: number;
  written: UpsertResult;
  summary?: ImportSummaryDto;
  detection?: ImportDetectionDto;
  error?: ImportFailureDto;
}

const FINISHED: ReadonlySet<ImportStatus> = new Set(['succeeded', 'failed']);
/** Size of the pieces a received file is handed to the parser in (so progress moves). */
const PIECE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Import jobs for `POST /api/v1/imports`: one at a time, in the background.
 *
 * A job validates the whole upload first (`parseBankExport`: every row against the bank
 * exchange schemas, then the references between files); only a valid upload is written, into
 * the API's graph store in batches (GRAPH_BATCH_SIZE, GRAPH_WRITE_CONCURRENCY). A refused upload
 * writes nothing. The registry keeps the running job and the last `keptJobs` finished ones.
 */
@Injectable()
export class ImportJobsService {
  private readonly logger = new Logger('Imports');
  /** Jobs in the order they were created (a Map keeps insertion order). */
  private readonly jobs = new Map<string, ImportJob>();
  private running: ImportJob | undefined;
  /** Settles when the running job ends (tests and shutdown wait for it). */
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: GraphStore,
    @Inject(graphSettings.KEY) private readonly graph: GraphConfig,
    private readonly metrics: ApiMetrics,
    private readonly limits: ImportLimits,
    private readonly clock: Clock,
    private readonly erasures: ErasedSubjects,
    @Inject(BASE_MONEY) private readonly money: BaseMoney,
  ) {}

  /** Throws the 409 when an import is running (checked before an upload is received, and again at start). */
  assertIdle(): void {
    const running = this.running;
    if (running === undefined) return;
    throw new ConflictError(
      `An import is already running (job ${running.id}, ${running.status}); only one import runs at a time. ` +
        `Follow it with GET /api/v1/imports/${running.id} and send this one when it has finished.`,
      { runningJobId: running.id },
    );
  }

  /**
   * Checks the file names (400 at once when one cannot be placed), takes the single import
   * slot (409 when taken) and starts the job in the background. Answers the job as queued.
   */
  start(request: StartImport): ImportJobDto {
    const job: ImportJob = {
      id: `import-${randomUUID()}`,
      status: 'queued',
      source: {
        kind: request.kind,
        files: request.files.map((file) => ({ name: file.name, bytes: byteLength(file.chunks) })),
      },
      bankId: request.bankId ?? DEFAULT_BANK_ID,
      correlationId: request.correlationId,
      createdAt: this.clock.now(),
      linesRead: 0,
      written: { created: 0, updated: 0, unchanged: 0 },
    };
    const files = request.files.map((file) => asBankFile(file, job));
    planBankFiles(files);
    this.assertIdle();
    this.jobs.set(job.id, job);
    this.running = job;
    this.evictFinished();
    const view = this.view(job);
    this.current = this.run(job, files);
    return view;
  }

  get(jobId: string): ImportJobDto {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new EntityNotFoundError('import job', jobId);
    return this.view(job);
  }

  /** Settles when the running job (if any) has ended. */
  idle(): Promise<void> {
    return this.current;
  }

  private async run(job: ImportJob, files: readonly BankExportFile[]): Promise<void> {
    job.startedAt = this.clock.now();
    this.logger.log(
      { jobId: job.id, files: job.source.files },
      `Import ${job.id} started: ${job.source.files.map((f) => f.name).join(', ')}`,
    );
    try {
      job.status = 'validating';
      const parsed = await parseBankExport(files, {
        bankId: job.bankId,
        maxProblems: this.limits.maxProblems,
        // A day's movements may name accounts and parties an earlier import stored.
        storedVertices: (uids) => this.store.getVertices(uids),
        // A booked movement is not changed (the evidence of its alerts): refused, not rewritten.
        storedEdges: (eids) => this.store.getEdges(eids),
        // Every movement must be one the rules can judge: its currency in the rate table.
        money: this.money,
        // Dates after the clock (a movement more than 7 days ahead, a future birth) are refused.
        now: this.clock.now(),
      });
      job.recordsValidated = Object.values(parsed.summary.records).reduce((a, b) => a + b, 0);
      job.recordsTotal = parsed.vertices.length + parsed.edges.length;
      job.status = 'loading';
      // Erased subjects stay erased: their personal data in the upload is not written again.
      const kept = await this.erasures.keep(parsed.vertices);
      const written = await loadGraph(this.store, kept.vertices, parsed.edges, {
        batchSize: this.graph.batchSize,
        writeConcurrency: this.graph.writeConcurrency,
        onProgress: (so) => (job.written = { ...so }),
        outageWaitMs: this.graph.outageWaitMs,
        onOutageWait: (line) => this.logger.warn({ jobId: job.id }, `Import ${job.id}: ${line}`),
        erasuresKept: true,
      });
      this.succeed(job, parsed, written, kept.notes);
    } catch (error) {
      this.fail(job, error);
    } finally {
      job.finishedAt = this.clock.now();
      this.running = undefined;
      this.evictFinished();
    }
  }

  private succeed(
    job: ImportJob,
    parsed: ParsedBankExport,
    written: UpsertResult,
    erasureNotes: readonly string[],
  ): void {
    const { summary } = parsed;
    job.written = written;
    job.summary = {
      format: summary.format,
      bankId: summary.bankId,
      records: { ...summary.records },
      vertices: summary.vertices,
      edges: summary.edges,
      externalAccounts: summary.externalAccounts,
      cashPoints: summary.cashPoints,
      written,
      notes: [...summary.notes, ...erasureNotes],
    };
    const window = movementWindow(parsed.edges);
    if (window !== undefined) job.detection = detectionHint(window);
    job.status = 'succeeded';
    this.metrics.importFinished('succeeded', recordsOf(written));
    const warning = memoryStoreWarning(this.store.backend);
    this.logger.log(
      { jobId: job.id, records: summary.records, written },
      `Import ${job.id} succeeded: ${summary.vertices} vertices and ${summary.edges} edges ` +
        `(${written.created} created, ${written.updated} updated, ${written.unchanged} unchanged)`,
    );
    if (warning !== undefined) this.logger.warn(warning);
  }

  private fail(job: ImportJob, error: unknown): void {
    job.status = 'failed';
    job.error = this.failure(job, error);
    this.metrics.importFinished('failed', recordsOf(job.written));
    if (error instanceof DomainError) {
      this.logger.warn({ jobId: job.id, error: job.error }, `Import ${job.id} failed`);
    } else {
      this.logger.error({ jobId: job.id, err: error }, `Import ${job.id} failed unexpectedly`);
    }
  }

  private failure(job: ImportJob, error: unknown): ImportFailureDto {
    const base = { correlationId: job.correlationId };
    if (error instanceof BankExportInvalidError) {
      return {
        ...base,
        error: error.code,
        message: error.message,
        details: { problems: error.located.map((p) => ({ ...p })) },
      };
    }
    const partly =
      job.status === 'loading' || recordsOf(job.written) > 0
        ? ` ${recordsOf(job.written)} of ${job.recordsTotal ?? 0} records were stored before the failure; ` +
          'imports are idempotent (same business ids), so sending the same files again completes it.'
        : '';
    if (error instanceof DomainError) {
      const failure: ImportFailureDto = {
        ...base,
        error: error.code,
        message: error.message + partly,
      };
      if (error.code === 'invalid_input' && isProblems(error.details))
        failure.details = error.details;
      return failure;
    }
    return {
      ...base,
      error: 'internal_error',
      message:
        `The import failed unexpectedly (${error instanceof Error ? error.message : String(error)}).${partly} ` +
        `Quote job id ${job.id} when reporting it.`,
    };
  }

  /** Keeps the running job and at most `keptJobs` finished ones; the oldest finished go first. */
  private evictFinished(): void {
    let excess = this.jobs.size - this.limits.keptJobs;
    for (const [id, job] of this.jobs) {
      if (excess <= 0) break;
      if (FINISHED.has(job.status)) {
        this.jobs.delete(id);
        excess -= 1;
      }
    }
  }

  private view(job: ImportJob): ImportJobDto {
    const backend = this.store.backend;
    const warning = memoryStoreWarning(backend);
    const view: ImportJobDto = {
      jobId: job.id,
      status: job.status,
      source: { kind: job.source.kind, files: job.source.files.map((f) => ({ ...f })) },
      bankId: job.bankId,
      progress: {
        recordsValidated: job.recordsValidated ?? job.linesRead,
        recordsWritten: recordsOf(job.written),
        recordsTotal: job.recordsTotal ?? null,
      },
      createdAt: iso(job.createdAt),
      storage: { backend, lasting: warning === undefined },
    };
    if (warning !== undefined) view.storage.warning = warning;
    if (job.startedAt !== undefined) view.startedAt = iso(job.startedAt);
    if (job.finishedAt !== undefined) view.finishedAt = iso(job.finishedAt);
    if (job.summary !== undefined) view.summary = job.summary;
    if (job.detection !== undefined) view.detection = job.detection;
    if (job.error !== undefined) view.error = job.error;
    return view;
  }
}

/** A received file as the importer reads it, counting lines as they go by. */
function asBankFile(file: ReceivedFile, job: ImportJob): BankExportFile {
  return {
    name: file.name,
    open: () => pieces(file.chunks, (lines) => (job.linesRead += lines)),
  };
}

function detectionHint(window: MovementWindow): ImportDetectionDto {
  return {
    ...window,
    message:
      `The imported data is in the graph store: ${window.movements} money movements from ${window.from} ` +
      `to ${window.to}. Run the detectors over them with POST /api/v1/alerts/scan and the body below ` +
      '(an admin key; add "rules" to run only some).',
    scan: {
      method: 'POST',
      path: '/api/v1/alerts/scan',
      body: { from: window.from, to: window.to },
    },
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function byteLength(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
}

/** Hands out the received bytes in pieces and reports the lines in each. */
async function* pieces(
  chunks: readonly Uint8Array[],
  onLines: (lines: number) => void,
): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    for (let start = 0; start < chunk.byteLength; start += PIECE_BYTES) {
      const piece = chunk.subarray(start, start + PIECE_BYTES);
      let lines = 0;
      for (const byte of piece) if (byte === NEWLINE) lines += 1;
      onLines(lines);
      yield piece;
      // Let the event loop answer other requests (status reads) between pieces.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

function isProblems(details: unknown): details is { problems: { field: string; rule: string }[] } {
  if (typeof details !== 'object' || details === null || !('problems' in details)) return false;
  return Array.isArray(details.problems);
}
