import type { DetectionService, PlannedScan, ScanControl, ScanReport } from '@app/detectors';
import { ConflictError, EntityNotFoundError, FixedClock, InvalidInputError } from '@app/vocabulary';
import { ScanJobs } from './scan-jobs.service';

const NOW = Date.UTC(2025, 2, 1);
const WINDOW = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 1, 1) };

function report(): ScanReport {
  return {
    ...WINDOW,
    movementsScanned: 0,
    eventsScanned: 0,
    movementsNotConverted: 0,
    currenciesWithoutRate: [],
    rules: [],
    alerts: { detected: 0, created: 0, updated: 0, unchanged: 0 },
    alertIds: [],
    risk: { modelConfigured: false, modelVersion: null, alertsScored: 0, movementsFed: 0 },
    durationMs: 0,
  };
}

/** A DetectionService double: `plan` checks like the real one, `run` does what the test says. */
function detection(run: (control: ScanControl) => Promise<ScanReport>): DetectionService {
  return {
    plan: (request: PlannedScan['request']): PlannedScan => {
      if (request.from >= request.to)
        throw new InvalidInputError('The detection window is empty or invalid', [
          { field: 'window', rule: 'from before to' },
        ]);
      return { request, instances: [] };
    },
    run: (_planned: PlannedScan, control: ScanControl) => run(control),
  } as unknown as DetectionService;
}

describe('ScanJobs', () => {
  it('refuses a bad request before any job exists', () => {
    const jobs = new ScanJobs(
      detection(() => Promise.resolve(report())),
      new FixedClock(NOW),
    );
    expect(() => jobs.start({ from: 2, to: 1 })).toThrow(InvalidInputError);
    expect(jobs.list()).toEqual([]);
  });

  it('records a failed scan with the error code and message, and frees the slot', async () => {
    const jobs = new ScanJobs(
      detection(() => Promise.reject(new EntityNotFoundError('Vertex', 'account:x'))),
      new FixedClock(NOW),
    );
    const job = jobs.start(WINDOW);
    const failed = await jobs.settled(job.jobId);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { error: 'not_found', message: 'Vertex "account:x" was not found' },
      finishedAt: NOW,
    });
    expect(failed.report).toBeUndefined();
    // The slot is free again.
    expect(jobs.start(WINDOW).status).toBe('queued');
  });

  it('hides an unexpected error behind a generic message', async () => {
    const jobs = new ScanJobs(
      detection(() => Promise.reject(new Error('socket hang up at 10.0.0.7'))),
      new FixedClock(NOW),
    );
    const failed = await jobs.settled(jobs.start(WINDOW).jobId);
    expect(failed.error?.error).toBe('internal_error');
    expect(failed.error?.message).not.toContain('10.0.0.7');
  });

  it('cancels a queued job before it starts, without running it', async () => {
    const run = jest.fn(() => Promise.resolve(report()));
    const jobs = new ScanJobs(detection(run), new FixedClock(NOW));
    const job = jobs.start(WINDOW);
    expect(jobs.cancel(job.jobId)).toMatchObject({ status: 'cancelled', cancelRequested: true });
    await jobs.settled(job.jobId);
    expect(run).not.toHaveBeenCalled();
    expect(() => jobs.cancel(job.jobId)).toThrow(ConflictError);
  });

  it('keeps at most maxKept finished jobs, forgetting the oldest first; unknown ids are 404', async () => {
    const jobs = new ScanJobs(
      detection(() => Promise.resolve(report())),
      new FixedClock(NOW),
      { maxRunning: 1, maxKept: 2 },
    );
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const job = jobs.start(WINDOW);
      ids.push(job.jobId);
      expect((await jobs.settled(job.jobId)).status).toBe('succeeded');
    }
    expect(jobs.list().map((j) => j.jobId)).toEqual([ids[2], ids[1]]);
    expect(() => jobs.get(ids[0])).toThrow(EntityNotFoundError);
  });

  it('allows maxRunning scans at once and refuses one more with a ConflictError naming them', async () => {
    const releases: (() => void)[] = [];
    const jobs = new ScanJobs(
      detection(
        () =>
          new Promise<ScanReport>((resolve) => {
            releases.push(() => resolve(report()));
          }),
      ),
      new FixedClock(NOW),
      { maxRunning: 2, maxKept: 10 },
    );
    const a = jobs.start(WINDOW);
    const b = jobs.start(WINDOW);
    let refused: unknown;
    try {
      jobs.start(WINDOW);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).details).toEqual({
      runningJobIds: [a.jobId, b.jobId],
      maxRunning: 2,
    });
    // Let both start, then finish them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    releases.forEach((release) => release());
    expect((await jobs.settled(a.jobId)).status).toBe('succeeded');
    expect((await jobs.settled(b.jobId)).status).toBe('succeeded');
  });

  it('cancels what still runs when the application shuts down', async () => {
    const jobs = new ScanJobs(
      detection(
        (control) =>
          new Promise<ScanReport>((_resolve, reject) => {
            control.signal?.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      ),
      new FixedClock(NOW),
    );
    const job = jobs.start(WINDOW);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(jobs.get(job.jobId).status).toBe('running');
    await jobs.onApplicationShutdown();
    expect(jobs.get(job.jobId).status).toBe('cancelled');
  });
});
