import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { basename, join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { GraphStore, MemoryGraphStore, type UpsertResult } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import type { GraphVertex } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import type { ImportJobDto } from '../../apps/api/src/imports/import-job.dto';
import { ImportJobsService } from '../../apps/api/src/imports/import-jobs.service';
import { scanToEnd } from './scan-job';
import { ImportLimits } from '../../apps/api/src/imports/import-limits';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const CSV_DIR = join(EXAMPLES, 'bank-export');
const JSONL_DIR = join(EXAMPLES, 'bank-export-jsonl');
const ADMIN = 'dev-admin-key';
const ANALYST = 'dev-analyst-key';
/** Small limits, so that the 413 answers can be tried with small bodies. */
const LIMIT_BYTES = 256 * 1024;

/** A memory store whose vertex upserts wait while the gate is closed (an import held in `loading`). */
class GatedGraphStore extends MemoryGraphStore {
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  close(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  override async upsertVertices(batch: readonly GraphVertex[]): Promise<UpsertResult> {
    await this.gate;
    return super.upsertVertices(batch);
  }
}

function server(app: INestApplication): Server {
  return app.getHttpServer() as Server;
}

function csvFiles(): string[] {
  return readdirSync(CSV_DIR)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(CSV_DIR, name));
}

/** Data rows of a CSV file (header and blank lines excluded). */
function csvRows(name: string): string[][] {
  return readFileSync(join(CSV_DIR, name), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
}

/** The JSON-lines sample as one mixed body: every line gets the `type` of its file. */
function mixedJsonLines(): string {
  return readdirSync(JSONL_DIR)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => {
      const type = basename(name, '.jsonl');
      return readFileSync(join(JSONL_DIR, name), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.stringify({ type, ...(JSON.parse(line) as object) }));
    })
    .join('\n');
}

function upload(
  app: INestApplication,
  files: { name: string; content: Buffer }[],
  bankId?: string,
) {
  const post = request(server(app))
    .post(`/api/v1/imports${bankId === undefined ? '' : `?bankId=${bankId}`}`)
    .set('X-API-Key', ADMIN);
  for (const file of files) post.attach('files', file.content, file.name);
  return post;
}

function exampleFiles(replace?: {
  name: string;
  content: string;
}): { name: string; content: Buffer }[] {
  return csvFiles().map((path) => {
    const name = basename(path);
    const content = replace?.name === name ? replace.content : readFileSync(path, 'utf8');
    return { name, content: Buffer.from(content) };
  });
}

describe('Imports (e2e, embedded store)', () => {
  let app: INestApplication;
  let store: GatedGraphStore;
  let jobs: ImportJobsService;

  async function finished(jobId: string): Promise<ImportJobDto> {
    await jobs.idle();
    const response = await request(server(app))
      .get(`/api/v1/imports/${jobId}`)
      .set('X-API-Key', ADMIN)
      .expect(200);
    return response.body as ImportJobDto;
  }

  /** Imports a JSON-lines body as bank `bankId` and waits for the job's end. */
  async function importedAs(bankId: string, body: string): Promise<ImportJobDto> {
    const accepted = await request(server(app))
      .post(`/api/v1/imports?bankId=${bankId}`)
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .send(body)
      .expect(202);
    return finished((accepted.body as ImportJobDto).jobId);
  }

  beforeAll(async () => {
    store = new GatedGraphStore();
    const defaults = loadAllSettings({});
    const limits = Object.assign(new ImportLimits(), {
      maxFileBytes: LIMIT_BYTES,
      maxBodyBytes: LIMIT_BYTES,
    });
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
      .overrideProvider(GraphStore)
      .useValue(store)
      .overrideProvider(appSettings.KEY)
      .useValue({ ...defaults.app, seedOnStart: false, logLevel: 'silent' })
      .overrideProvider(ImportLimits)
      .useValue(limits)
      .compile();
    const nest = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureApi(nest, defaults.app);
    await nest.init();
    app = nest;
    jobs = app.get(ImportJobsService);
  });

  afterAll(async () => {
    store.open();
    await jobs.idle();
    await app.close();
  });

  it('imports the sample CSV upload: 202 at once, then the data is served and the scan finds the structuring', async () => {
    const accepted = await upload(app, exampleFiles()).expect(202);
    const queued = accepted.body as ImportJobDto;
    expect(queued.status).toBe('queued');
    expect(queued.source).toEqual({
      kind: 'upload',
      files: expect.arrayContaining([
        { name: 'movements.csv', bytes: readFileSync(join(CSV_DIR, 'movements.csv')).length },
      ]) as unknown,
    });

    const job = await finished(queued.jobId);
    expect(job.status).toBe('succeeded');
    expect(job.error).toBeUndefined();
    expect(job.summary?.records.persons).toBe(csvRows('persons.csv').length);
    expect(job.summary?.records.movements).toBe(csvRows('movements.csv').length);
    expect(job.progress.recordsTotal).toBe(
      (job.summary?.vertices ?? 0) + (job.summary?.edges ?? 0),
    );
    expect(job.progress.recordsWritten).toBe(job.progress.recordsTotal);
    expect(Date.parse(job.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    expect(job.storage).toEqual({
      backend: 'memory',
      lasting: false,
      warning: expect.stringContaining('GRAPH_BACKEND=janusgraph') as unknown,
    });

    const [personId, personName] = csvRows('persons.csv')[0] ?? [];
    const person = await request(server(app))
      .get(`/api/v1/entities/person:bank:${personId}`)
      .set('X-API-Key', ANALYST)
      .expect(200);
    expect(JSON.stringify(person.body)).toContain(personName);
    await request(server(app))
      .get('/api/v1/entities/account:bank:A-1010')
      .set('X-API-Key', ANALYST)
      .expect(200);

    const timestamps = csvRows('movements.csv').map((row) => Date.parse(row[1] ?? ''));
    expect(job.detection?.from).toBe(new Date(Math.min(...timestamps)).toISOString());
    expect(job.detection?.scan.body).toEqual({ from: job.detection?.from, to: job.detection?.to });
    const scan = await scanToEnd(
      app,
      { 'X-API-Key': ADMIN },
      { ...job.detection?.scan.body, rules: ['aml.structuring'] },
    );
    expect(scan.status).toBe('succeeded');
    const alerts = await request(server(app))
      .get('/api/v1/alerts?rule=aml.structuring&account=account:bank:A-1010')
      .set('X-API-Key', ANALYST)
      .expect(200);
    expect((alerts.body as { items: unknown[] }).items.length).toBeGreaterThan(0);

    const metrics = await request(server(app)).get('/metrics').expect(200);
    expect(metrics.text).toContain('api_imports_total{outcome="succeeded"}');
  });

  it('imports a JSON-lines body whose lines carry their type', async () => {
    const accepted = await request(server(app))
      .post('/api/v1/imports?bankId=harbour')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .send(mixedJsonLines())
      .expect(202);
    const job = await finished((accepted.body as ImportJobDto).jobId);
    expect(job.status).toBe('succeeded');
    expect(job.source.kind).toBe('json-lines-body');
    expect(job.bankId).toBe('harbour');
    expect(job.summary?.records.movements).toBe(csvRows('movements.csv').length);
    await request(server(app))
      .get('/api/v1/entities/account:harbour:A-1010')
      .set('X-API-Key', ANALYST)
      .expect(200);
  });

  it("takes a later day's movements alone, naming accounts an earlier import of the bank stored", async () => {
    const imported = (body: string): Promise<ImportJobDto> => importedAs('daily', body);
    const movement = (id: string, from: string): string =>
      `${JSON.stringify({
        type: 'movements',
        movement_id: id,
        timestamp: '2025-06-02T09:00:00Z',
        amount: '250.00',
        currency: 'USD',
        from_account: from,
        to_account: 'A-1009',
        channel: 'wire',
      })}\n`;
    expect((await imported(mixedJsonLines())).status).toBe('succeeded');
    expect((await imported(movement('DAY2-1', 'A-1005'))).status).toBe('succeeded');
    expect((await store.getEdge('mv:daily:DAY2-1'))?.from).toBe('account:daily:A-1005');
    // An account no import stored is still refused, naming the line and field.
    const refused = await imported(movement('DAY2-2', 'A-NOPE'));
    expect(refused.status).toBe('failed');
    expect(JSON.stringify(refused.error)).toContain(
      'must name an account_id of accounts or an account of bank daily already stored (\\"A-NOPE\\" is in neither)',
    );
  });

  it("stores once a movement recorded in real time (mv:<bankId>:<id>) and then brought by the day's file", async () => {
    const imported = (body: string): Promise<ImportJobDto> => importedAs('live', body);
    expect((await imported(mixedJsonLines())).status).toBe('succeeded');
    await request(server(app))
      .post('/api/v1/score/movement')
      .set('X-API-Key', ADMIN)
      .send({
        movementId: 'mv:live:RT-1',
        fromAccount: 'account:live:A-1005',
        toAccount: 'account:live:A-1009',
        amount: '250.00',
        currency: 'USD',
        timestamp: '2025-06-02T09:00:00Z',
        channel: 'wire',
        record: true,
      })
      .expect(200);
    const before = (await store.counts()).edges.TRANSFERRED;
    const day = {
      type: 'movements',
      movement_id: 'RT-1',
      timestamp: '2025-06-02T09:00:00Z',
      amount: '250.00',
      currency: 'USD',
      from_account: 'A-1005',
      to_account: 'A-1009',
      channel: 'wire',
    };
    expect((await imported(`${JSON.stringify(day)}\n`)).status).toBe('succeeded');
    expect((await store.counts()).edges.TRANSFERRED).toBe(before);
    expect(await store.getEdge('mv:live:RT-1')).toMatchObject({ props: { amountMinor: 25000 } });
  });

  it('imports a JSON-lines body sent compressed (Content-Encoding gzip or br), as the same body sent plain', async () => {
    for (const [encoding, compress, bankId] of [
      ['gzip', gzipSync, 'zipped'],
      ['br', brotliCompressSync, 'brotli'],
    ] as const) {
      const accepted = await request(server(app))
        .post(`/api/v1/imports?bankId=${bankId}`)
        .set('X-API-Key', ADMIN)
        .set('Content-Type', 'application/x-ndjson')
        .set('Content-Encoding', encoding)
        .send(compress(Buffer.from(mixedJsonLines())))
        .expect(202);
      const job = await finished((accepted.body as ImportJobDto).jobId);
      expect({ encoding, status: job.status, movements: job.summary?.records.movements }).toEqual({
        encoding,
        status: 'succeeded',
        movements: csvRows('movements.csv').length,
      });
      await request(server(app))
        .get(`/api/v1/entities/account:${bankId}:A-1010`)
        .set('X-API-Key', ANALYST)
        .expect(200);
    }
  });

  it('refuses a compressed body that does not decompress (400), an unknown encoding (415), and one larger than the limit once decompressed (413)', async () => {
    const broken = await request(server(app))
      .post('/api/v1/imports')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .set('Content-Encoding', 'gzip')
      .send(Buffer.from(mixedJsonLines()))
      .expect(400);
    expect(broken.body).toMatchObject({
      error: 'invalid_input',
      message: expect.stringContaining(
        'The body is not valid gzip data, as its Content-Encoding says it is',
      ) as unknown,
    });
    const unknown = await request(server(app))
      .post('/api/v1/imports')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .set('Content-Encoding', 'zstd')
      .send(Buffer.from(mixedJsonLines()))
      .expect(415);
    expect((unknown.body as { message: string }).message).toContain(
      'Content-Encoding "zstd" is not taken',
    );
    // 64 MiB of zeros compress to about 64 KiB: the limit (256 KiB) counts what they inflate to,
    // and the rest is dropped without being inflated.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(LIMIT_BYTES);
    const tooLarge = await request(server(app))
      .post('/api/v1/imports')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .set('Content-Encoding', 'gzip')
      .send(bomb)
      .expect(413);
    expect(tooLarge.body).toMatchObject({
      error: 'payload_too_large',
      message: expect.stringContaining('larger than 256 KiB once decompressed') as unknown,
    });
  });

  it('fails a job with a bad row, naming file, line, field and rule, and writes nothing', async () => {
    const lines = readFileSync(join(CSV_DIR, 'movements.csv'), 'utf8').split('\n');
    const cells = (lines[2] ?? '').split(',');
    cells[2] = 'twelve';
    lines[2] = cells.join(',');
    const before = await store.counts();

    const accepted = await upload(
      app,
      exampleFiles({ name: 'movements.csv', content: lines.join('\n') }),
      'broken',
    ).expect(202);
    const job = await finished((accepted.body as ImportJobDto).jobId);

    expect(job.status).toBe('failed');
    expect(job.summary).toBeUndefined();
    expect(job.error).toMatchObject({
      error: 'invalid_input',
      correlationId: expect.any(String) as unknown,
      details: {
        problems: [
          { file: 'movements.csv', line: 3, field: 'amount', rule: expect.any(String) as unknown },
        ],
      },
    });
    expect(job.progress.recordsWritten).toBe(0);
    expect(await store.counts()).toEqual(before);
    await request(server(app))
      .get('/api/v1/entities/account:broken:A-1010')
      .set('X-API-Key', ANALYST)
      .expect(404);
  });

  it('refuses callers below admin with 403', async () => {
    await request(server(app))
      .post('/api/v1/imports')
      .set('X-API-Key', ANALYST)
      .attach('files', Buffer.from('person_id,name\n'), 'persons.csv')
      .expect(403);
  });

  it('answers 413 for a file or a body above the limit', async () => {
    const big = Buffer.alloc(LIMIT_BYTES + 1, 'a');
    const file = await upload(app, [{ name: 'movements.csv', content: big }]).expect(413);
    expect(file.body).toMatchObject({
      error: 'payload_too_large',
      message: expect.stringContaining('256 KiB') as unknown,
    });
    const body = await request(server(app))
      .post('/api/v1/imports')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .send(big.toString('utf8'))
      .expect(413);
    expect((body.body as { error: string }).error).toBe('payload_too_large');
  });

  it('answers 409 while another import is running, and 202 again once it finished', async () => {
    store.close();
    const first = await upload(app, exampleFiles(), 'second-bank').expect(202);
    const conflict = await upload(app, exampleFiles(), 'third-bank').expect(409);
    expect(conflict.body).toMatchObject({
      error: 'conflict',
      message: expect.stringContaining((first.body as ImportJobDto).jobId) as unknown,
    });
    store.open();
    expect((await finished((first.body as ImportJobDto).jobId)).status).toBe('succeeded');
    const again = await request(server(app))
      .post('/api/v1/imports?bankId=third-bank')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .send(mixedJsonLines())
      .expect(202);
    expect((await finished((again.body as ImportJobDto).jobId)).status).toBe('succeeded');
  });

  it('answers 400 for a file that is not a record type and 415 for another content type', async () => {
    const bad = await upload(app, [
      { name: 'customers.csv', content: Buffer.from('a,b\n') },
    ]).expect(400);
    expect(JSON.stringify(bad.body)).toContain('customers.csv');
    await request(server(app))
      .post('/api/v1/imports')
      .set('X-API-Key', ADMIN)
      .send({ type: 'persons' })
      .expect(415);
    // The route in another case is the same route: it reads its own types (its own 415 says how
    // to send), not refused by the API-wide check of request bodies.
    const other = await request(server(app))
      .post('/API/V1/Imports')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'text/csv')
      .send('a,b\n')
      .expect(415);
    expect((other.body as { message: string }).message).toContain('multipart/form-data');
  });

  it('answers 404 for an unknown job', async () => {
    const response = await request(server(app))
      .get('/api/v1/imports/import-does-not-exist')
      .set('X-API-Key', ADMIN)
      .expect(404);
    expect((response.body as { error: string }).error).toBe('not_found');
  });
});
