import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

// Request bodies: size and depth limits, malformed JSON, null and wrong-typed options. Every
// refusal is a 4xx in the one error shape, never a 500.

const ADMIN = { 'X-API-Key': 'dev-admin-key' };
const SCAN = '/api/v1/alerts/scan';
const WINDOW = { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' };

interface ErrorBody {
  error: string;
  message: string;
  correlationId: string;
  details?: { problems?: { field: string; rule: string }[] };
}

describe('API request body limits (e2e)', () => {
  let app: NestExpressApplication;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const defaults = loadAllSettings({});
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
      .overrideProvider(GraphStore)
      .useValue(new MemoryGraphStore())
      .overrideProvider(appSettings.KEY)
      .useValue({ ...defaults.app, seedOnStart: false })
      .compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureApi(app, { ...defaults.app, bodyLimit: '64kb', bodyMaxDepth: 16 });
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  /** Raw bytes over real HTTP (supertest would re-encode a Buffer sent as JSON). */
  async function post(
    body: Buffer | string,
    headers: Record<string, string>,
  ): Promise<[number, ErrorBody]> {
    const response = await fetch(`${base}${SCAN}`, {
      method: 'POST',
      headers: { ...ADMIN, ...headers },
      body,
    });
    return [response.status, (await response.json()) as ErrorBody];
  }

  const big = JSON.stringify({ ...WINDOW, rules: ['x'.repeat(70 * 1024)] });

  it('answers 413 in the error shape for JSON, form and gzip bodies over the limit', async () => {
    const cases: [Buffer | string, Record<string, string>][] = [
      [big, { 'Content-Type': 'application/json' }],
      [`from=${'x'.repeat(70 * 1024)}`, { 'Content-Type': 'application/x-www-form-urlencoded' }],
      // Small on the wire, too large once unpacked.
      [gzipSync(big), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }],
    ];
    for (const [body, headers] of cases) {
      const [status, answer] = await post(body, headers);
      expect(status).toBe(413);
      expect(answer).toEqual({
        error: 'payload_too_large',
        message: expect.stringContaining('BODY_LIMIT') as unknown,
        correlationId: expect.any(String) as unknown,
      });
    }
  });

  it('accepts a gzip body within the limit', async () => {
    const body = gzipSync(JSON.stringify({ ...WINDOW, persist: false }));
    const [status] = await post(body, {
      'Content-Type': 'application/json',
      'Content-Encoding': 'gzip',
    });
    expect(status).toBe(202); // the scan is accepted as a job
  });

  it('answers 400 for a gzip body that does not unpack', async () => {
    const [status, answer] = await post('not gzip at all', {
      'Content-Type': 'application/json',
      'Content-Encoding': 'gzip',
    });
    expect(status).toBe(400);
    expect(answer.message).toContain('Content-Encoding');
  });

  it('answers 400 for JSON nested deeper than the limit, before it is parsed', async () => {
    for (const body of [
      '['.repeat(3_000) + ']'.repeat(3_000),
      JSON.stringify({ ...WINDOW, parameters: { 'aml.fan-out': {} } }).replace(
        '{}',
        '{"a":'.repeat(20) + '1' + '}'.repeat(20),
      ),
    ]) {
      const [status, answer] = await post(body, { 'Content-Type': 'application/json' });
      expect(status).toBe(400);
      expect(answer.error).toBe('invalid_input');
      expect(answer.details?.problems?.[0]?.rule).toContain('16 levels');
    }
  });

  it('answers 400 for malformed JSON and bare values, naming the body and the rule', async () => {
    for (const body of ['{"from":', '{"a":1}}', 'null', 'nul', '1', '"x"']) {
      const [status, answer] = await post(body, { 'Content-Type': 'application/json' });
      expect([status, answer.error, answer.details]).toEqual([
        400,
        'invalid_input',
        { problems: [{ field: '(body)', rule: 'must be a JSON object' }] },
      ]);
      expect(answer.message).toContain('The request body must be a JSON object');
    }
  });

  it('answers 415 naming the type for a body the API does not read (text/plain, text/csv), instead of "field is required"', async () => {
    const body = JSON.stringify(WINDOW);
    for (const [headers, named] of [
      [{ 'Content-Type': 'text/plain' }, 'Content-Type text/plain'],
      [{ 'Content-Type': 'text/csv; charset=utf-8' }, 'Content-Type text/csv'],
      [
        { 'Content-Type': 'application/merge-patch+json' },
        'Content-Type application/merge-patch+json',
      ],
    ] as const) {
      const [status, answer] = await post(body, headers);
      expect([status, answer.error]).toEqual([415, 'unsupported_media_type']);
      expect(answer.message).toBe(
        `${named} is not taken here: send the body as JSON with the header Content-Type: application/json`,
      );
    }
    // JSON goes through (202, or 409 while an earlier test's scan still runs).
    const [status] = await post(body, { 'Content-Type': 'application/json; charset=utf-8' });
    expect([202, 409]).toContain(status);
  });

  it('answers 400 naming the field for null and wrong-typed scan options', async () => {
    const cases: [object, string][] = [
      [{ ...WINDOW, parameters: null }, 'parameters'],
      [{ ...WINDOW, parameters: { 'aml.fan-out': null } }, 'parameters'],
      [{ ...WINDOW, parameters: { 'aml.fan-out': 5 } }, 'parameters'],
      [{ ...WINDOW, parameters: { 'aml.fan-out': [1] } }, 'parameters'],
      [{ ...WINDOW, parameters: 'all' }, 'parameters'],
      [{ ...WINDOW, rules: null }, 'rules'],
      [{ ...WINDOW, persist: null }, 'persist'],
      [{ ...WINDOW, persist: 'yes' }, 'persist'],
      // An empty window names `to` and both instants as sent (not "epoch milliseconds").
      [{ from: WINDOW.to, to: WINDOW.from }, 'to'],
    ];
    for (const [body, field] of cases) {
      const response = await request(server).post(SCAN).set(ADMIN).send(body).expect(400);
      const answer = response.body as ErrorBody;
      expect(answer.error).toBe('invalid_input');
      expect(answer.details?.problems?.map((p) => p.field)).toContain(field);
    }
  });
  /** Sends raw bytes and reads the whole answer until the server closes the connection. */
  async function raw(bytes: string): Promise<{ status: number; headers: string; body: string }> {
    const { port } = server.address() as AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const [head, body = ''] = text.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), headers: head, body };
  }

  it('answers requests Node refuses before the API sees them (headers too large, not HTTP) in the one error shape', async () => {
    const huge = await raw(
      `GET /api/v1/graph/stats HTTP/1.1\r\nHost: x\r\nX-API-Key: dev-viewer-key\r\nCookie: ${'c'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge.status).toBe(431);
    expect(huge.headers).toContain('Content-Type: application/json');
    const hugeBody = JSON.parse(huge.body) as ErrorBody;
    expect(hugeBody).toEqual({
      error: 'request_header_fields_too_large',
      message: expect.stringContaining(
        'The request line and headers are larger than this server takes',
      ) as unknown,
      correlationId: expect.any(String) as unknown,
    });
    expect(huge.headers.toLowerCase()).toContain(`x-correlation-id: ${hugeBody.correlationId}`);

    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body)).toMatchObject({
      error: 'invalid_input',
      message: expect.stringContaining('The request is not valid HTTP/1.1') as unknown,
    });
  });
});
