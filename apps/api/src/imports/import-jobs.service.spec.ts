import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import {
  EntityNotFoundError,
  FixedClock,
  GraphUnavailableError,
  InvalidInputError,
  shippedBaseMoney,
} from '@app/vocabulary';
import { MemoryAuditLog } from '../audit/memory.audit-log';
import type { ApiMetrics, JobOutcome } from '../metrics/api-metrics';
import { ErasedSubjects } from '../subjects/erased-subjects';
import { ImportJobsService } from './import-jobs.service';
import { ImportLimits } from './import-limits';

const PERSONS = [
  'person_id,name,birth_date,nationality,residence,is_pep,is_sanctioned',
  'P001,Amelia Hart,1971-04-12,US,US,false,false',
  'P002,Bruno Keller,1968-09-30,DE,US,false,false',
  '',
].join('\n');

function file(name: string, text: string): { name: string; chunks: Uint8Array[] } {
  return { name, chunks: [Buffer.from(text)] };
}

describe('ImportJobsService', () => {
  let store: MemoryGraphStore;
  let finished: { outcome: JobOutcome; records: number }[];
  let service: ImportJobsService;

  beforeEach(() => {
    store = new MemoryGraphStore();
    finished = [];
    const metrics: Pick<ApiMetrics, 'importFinished'> = {
      importFinished: (outcome, records) => void finished.push({ outcome, records }),
    };
    const limits = Object.assign(new ImportLimits(), { keptJobs: 2 });
    service = new ImportJobsService(
      store,
      loadAllSettings({}).graph,
      metrics as ApiMetrics,
      limits,
      new FixedClock(Date.UTC(2025, 5, 1)),
      new ErasedSubjects(store, new MemoryAuditLog()),
      shippedBaseMoney('USD'),
    );
  });

  it('runs a job to the end and reports it to the metrics', async () => {
    const queued = service.start({
      kind: 'upload',
      files: [file('persons.csv', PERSONS)],
      correlationId: 'c-1',
    });
    expect(queued.status).toBe('queued');
    await service.idle();
    const job = service.get(queued.jobId);
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { recordsValidated: 2, recordsWritten: 2, recordsTotal: 2 },
      summary: { records: { persons: 2 }, written: { created: 2, updated: 0, unchanged: 0 } },
      startedAt: '2025-06-01T00:00:00.000Z',
      finishedAt: '2025-06-01T00:00:00.000Z',
    });
    expect(job.detection).toBeUndefined();
    expect(finished).toEqual([{ outcome: 'succeeded', records: 2 }]);
    expect((await store.counts()).vertices.Person).toBe(2);
  });

  it('waits out a graph store that stops answering for a while (GRAPH_OUTAGE_WAIT_MS) and finishes the job', async () => {
    const upsertVertices = store.upsertVertices.bind(store);
    let unavailable = 1;
    store.upsertVertices = (batch) =>
      unavailable-- > 0
        ? Promise.reject(new GraphUnavailableError('JanusGraph is not reachable (ECONNREFUSED)'))
        : upsertVertices(batch);
    const queued = service.start({
      kind: 'upload',
      files: [file('persons.csv', PERSONS)],
      correlationId: 'c-outage',
    });
    await service.idle();
    expect(service.get(queued.jobId)).toMatchObject({
      status: 'succeeded',
      progress: { recordsWritten: 2 },
    });
    expect(unavailable).toBeLessThan(0);
    expect((await store.counts()).vertices.Person).toBe(2);
  });

  it('refuses a movement whose currency the rate table cannot convert, naming file, line and field, and writes nothing', async () => {
    const accounts = [
      'account_id,account_type,currency,opened_on,country,status,bank_id',
      'A1,personal,USD,2020-01-01,US,active,',
      'A2,personal,USD,2020-01-01,US,active,',
      '',
    ].join('\n');
    const movements = [
      'movement_id,timestamp,amount,currency,from_account,to_account,channel',
      'M1,2025-03-03T10:00:00Z,50.00,USD,A1,A2,wire',
      'M2,2025-03-03T11:00:00Z,5000,CLP,A1,A2,wire',
      '',
    ].join('\n');
    const queued = service.start({
      kind: 'upload',
      files: [file('accounts.csv', accounts), file('movements.csv', movements)],
      correlationId: 'c-clp',
    });
    await service.idle();
    const job = service.get(queued.jobId);
    expect(job.status).toBe('failed');
    expect(job.error?.details?.problems).toEqual([
      expect.objectContaining({
        file: 'movements.csv',
        line: 3,
        field: 'currency',
        rule: expect.stringContaining(
          'no exchange rate into USD on or before 2025-03-03',
        ) as unknown,
      }),
    ]);
    expect((await store.counts()).edges.TRANSFERRED ?? 0).toBe(0);
  });

  it('keeps only the last finished jobs, forgetting the oldest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        service.start({
          kind: 'upload',
          files: [file('persons.csv', PERSONS)],
          bankId: `b${i}`,
          correlationId: `c-${i}`,
        }).jobId,
      );
      await service.idle();
    }
    expect(() => service.get(ids[0] ?? '')).toThrow(EntityNotFoundError);
    expect(service.get(ids[1] ?? '').status).toBe('succeeded');
    expect(service.get(ids[2] ?? '').status).toBe('succeeded');
  });

  it('refuses a file name that is not a record type before taking the slot', async () => {
    expect(() =>
      service.start({ kind: 'upload', files: [file('people.csv', PERSONS)], correlationId: 'c' }),
    ).toThrow(InvalidInputError);
    expect(() => service.assertIdle()).not.toThrow();
    await service.idle();
  });
});
