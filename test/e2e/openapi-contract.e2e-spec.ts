import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import Ajv from 'ajv';
import { appSettings, loadAllSettings, seederSettings } from '@app/settings';
import type { AccountVertex } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { stepUpWithTotp } from './identity-step-up';
import { scanToEnd } from './scan-job';

// The OpenAPI document a client generator reads (GET /docs/openapi.json): every operation under
// /api declares its success answer with a schema, the error answers it can give (in the one
// error shape), and an example for its request body; every body example is accepted by the
// real route; real answers (over a seeded bank) match their documented schemas exactly, with no
// undocumented field (checked with ajv). No OpenAPI document validator is installed in the
// repository, so the document's soundness is checked where a client generator would trip:
// every $ref resolves, every `required` property exists, every operation id is unique.
// Note: jest runs without the @nestjs/swagger CLI plugin, so the document checked here is the
// one the decorators alone give; the built API's document adds descriptions and constraints of
// the *.dto.ts files on top of it.

const ADMIN = { 'X-API-Key': 'dev-admin-key' };

// Each test sends every documented example or reads every route: dozens of requests, slow on a
// busy machine, so more time than jest's default.
jest.setTimeout(60_000);
const ERROR_BODY_REF = '#/components/schemas/ErrorBody';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];

interface Schema {
  $ref?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
}

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
}

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes?: Record<string, { type: string; scheme?: string; in?: string; name?: string }>;
  };
}

interface Endpoint {
  method: Method;
  path: string;
  operation: Operation;
  name: string;
}

function endpointsOf(document: OpenApiDocument): Endpoint[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation
        ? [{ method, path, operation, name: `${method.toUpperCase()} ${path}` }]
        : [];
    }),
  );
}

/** Every value of `key` anywhere in `value` (e.g. every $ref). */
function valuesOf(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return (value as unknown[]).flatMap((item) => valuesOf(item, key));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    k === key ? [v] : valuesOf(v, key),
  );
}

/** Every schema object anywhere in the document (components and inline ones). */
function schemasIn(value: unknown): Schema[] {
  if (Array.isArray(value)) return (value as unknown[]).flatMap(schemasIn);
  if (typeof value !== 'object' || value === null) return [];
  const own = 'properties' in value ? [value as Schema] : [];
  return [...own, ...Object.values(value).flatMap(schemasIn)];
}

/** The `error` code of an answer in the one error shape, if it has one. */
function errorCodeOf(response: request.Response): unknown {
  const body: unknown = response.body;
  return typeof body === 'object' && body !== null
    ? (body as { error?: unknown }).error
    : undefined;
}

function examplesOf(media: MediaType): unknown[] {
  return [
    ...(media.example === undefined ? [] : [media.example]),
    ...Object.values(media.examples ?? {}).map((example) => example.value),
  ];
}

/** Names of the rules an operation breaks; empty when it has everything it needs. */
function gapsOf({ path, operation }: Endpoint): string[] {
  const gaps: string[] = [];
  const statuses = Object.keys(operation.responses);
  const success = statuses.filter((status) => /^2\d\d$/.test(status));
  if (success.length === 0) gaps.push('no 2xx answer');
  for (const status of success) {
    if (!operation.responses[status].description) gaps.push(`${status} without a description`);
    const content = operation.responses[status].content ?? {};
    if (Object.keys(content).length === 0) gaps.push(`${status} without content`);
    for (const [type, media] of Object.entries(content))
      if (media.schema === undefined) gaps.push(`${status} ${type} without schema`);
  }
  const needs = (status: string, why: string): void => {
    if (!statuses.includes(status)) gaps.push(`no ${status} (${why})`);
  };
  if (operation.security !== undefined && operation.security.length > 0) {
    for (const status of ['401', '403', '429', '503']) needs(status, 'needs an API key');
  } else {
    gaps.push('no security requirement (every /api route needs an API key)');
  }
  const parameters = operation.parameters ?? [];
  if (parameters.length > 0 || operation.requestBody) needs('400', 'has parameters or a body');
  if (parameters.some((p) => p.in === 'path')) needs('404', 'has a path parameter');
  if (operation.requestBody) {
    needs('413', 'has a body');
    const content = operation.requestBody.content ?? {};
    const examples = Object.values(content).flatMap(examplesOf);
    if (examples.length === 0) gaps.push('request body without example');
    if (operation.requestBody.required !== true) gaps.push('request body not marked required');
  }
  for (const status of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
    const content = operation.responses[status].content ?? {};
    const json = content['application/json'];
    if (json?.schema?.$ref !== ERROR_BODY_REF)
      gaps.push(`${status} is not an application/json ErrorBody`);
    if (Object.keys(content).length !== 1) gaps.push(`${status} declares other media types`);
    if (!operation.responses[status].description)
      gaps.push(`${status} without a description of when it happens`);
  }
  return gaps.map((gap) => `${path}: ${gap}`);
}

/**
 * The accounts the request-body examples name (scoring refuses unknown accounts with 400), as
 * a bank's import would have stored them.
 */
function accountsNamedIn(document: OpenApiDocument): AccountVertex[] {
  const uids = new Set(
    ['fromAccount', 'toAccount', 'accountId'].flatMap((key) =>
      valuesOf(document.paths, key).filter((v): v is string => typeof v === 'string'),
    ),
  );
  return [...uids].map((uid) => ({
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'SYNB',
      country: 'US',
    },
  }));
}

async function boot(store: GraphStore, seed = false): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: seed })
    .overrideProvider(seederSettings.KEY)
    .useValue({ ...defaults.seeder, profile: 'tiny' })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

const DOCUMENT_ID = 'https://openapi.contract/document.json';

/**
 * An OpenAPI 3.0 schema as plain JSON Schema, closed: `nullable` becomes "or null" (as client
 * generators read it), every object with listed properties refuses other properties (so an
 * answer field missing from the document fails), and refs point into the document.
 */
function closedJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closedJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? `${DOCUMENT_ID}${value}`
        : key === 'example' || key === 'examples'
          ? value
          : closedJsonSchema(value),
    ]),
  );
  if ('properties' in out && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

/** Checks answers against the schemas the document gives for them. */
class AnswerChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

  constructor(private readonly document: OpenApiDocument) {
    this.ajv.addSchema(
      { $id: DOCUMENT_ID, components: closedJsonSchema(document.components) },
      DOCUMENT_ID,
    );
  }

  /** Problems of one answer; empty when it matches its documented schema. */
  problems(method: Method, path: string, status: number, body: unknown): string[] {
    const name = `${method.toUpperCase()} ${path} ${status}`;
    const documented = this.document.paths[path]?.[method]?.responses[String(status)];
    const schema = documented?.content?.['application/json']?.schema;
    if (schema === undefined) return [`${name}: no JSON schema documented for this status`];
    const validate = this.ajv.compile(closedJsonSchema(schema) as object);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${name}: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
}

describe('OpenAPI contract (e2e, embedded store)', () => {
  let app: INestApplication;
  let document: OpenApiDocument;
  let api: Endpoint[];

  function server(): Server {
    return app.getHttpServer() as Server;
  }

  const store = new MemoryGraphStore();

  beforeAll(async () => {
    app = await boot(store);
    const response = await request(server()).get('/docs/openapi.json').expect(200);
    document = response.body as OpenApiDocument;
    api = endpointsOf(document).filter((endpoint) => endpoint.path.startsWith('/api/'));
    await store.upsertVertices(accountsNamedIn(document));
  });

  afterAll(async () => {
    await app.close();
  });

  it('documents the API routes (at least one per controller)', () => {
    const tags = new Set(api.map((endpoint) => endpoint.path.split('/')[3]));
    for (const area of ['accounts', 'alerts', 'audit', 'entities', 'fraud', 'imports', 'score'])
      expect(tags).toContain(area);
    expect(tags).toContain('ubo');
    expect(api.length).toBeGreaterThanOrEqual(25);
  });

  it('offers an API key or a bearer credential on every /api operation, and the bearer form is accepted', async () => {
    const schemes = document.components.securitySchemes ?? {};
    expect(schemes['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const withoutBoth = api
      .filter(({ operation }) => {
        const schemes = (operation.security ?? []).flatMap((requirement) =>
          Object.keys(requirement),
        );
        return !(schemes.includes('api-key') && schemes.includes('bearer'));
      })
      .map((endpoint) => endpoint.name);
    expect(withoutBoth).toEqual([]);
    await request(server())
      .get('/api/v1/graph/stats')
      .set('Authorization', 'Bearer dev-viewer-key')
      .expect(200);
    await request(server())
      .get('/api/v1/graph/stats')
      .set('Authorization', 'Bearer not-a-key')
      .expect(401);
  });

  it('names what an operation lacks (the rules below are not vacuous)', () => {
    const bare: Endpoint = {
      method: 'post',
      path: '/api/v1/things/{id}',
      name: 'POST /api/v1/things/{id}',
      operation: {
        parameters: [{ name: 'id', in: 'path', required: true }],
        requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { '200': { description: 'ok' }, '404': { description: '' } },
        security: [{ 'api-key': [] }],
      },
    };
    expect(gapsOf(bare).map((gap) => gap.replace('/api/v1/things/{id}: ', ''))).toEqual([
      '200 without content',
      'no 401 (needs an API key)',
      'no 403 (needs an API key)',
      'no 429 (needs an API key)',
      'no 503 (needs an API key)',
      'no 400 (has parameters or a body)',
      'no 413 (has a body)',
      'request body without example',
      'request body not marked required',
      '404 is not an application/json ErrorBody',
      '404 declares other media types',
      '404 without a description of when it happens',
    ]);
  });

  it('gives every operation under /api its success schema, error answers and body examples', () => {
    expect(api.flatMap(gapsOf)).toEqual([]);
  });

  it('has a success schema for the health routes too', () => {
    const health = endpointsOf(document).filter((e) => e.path.startsWith('/health/'));
    expect(health.map((e) => e.path).sort()).toEqual([
      '/health/live',
      '/health/ready',
      '/health/version',
    ]);
    for (const { operation } of health)
      expect(operation.responses['200']?.content?.['application/json']?.schema).toBeDefined();
  });

  it('is sound where a client generator reads it: refs resolve, required properties exist, ids are unique', () => {
    expect(document.openapi).toMatch(/^3\./);
    const names = new Set(Object.keys(document.components.schemas));
    const refs = valuesOf(document, '$ref') as string[];
    expect(refs.length).toBeGreaterThan(50);
    const dangling = refs.filter(
      (ref) => !ref.startsWith('#/components/schemas/') || !names.has(ref.split('/')[3]),
    );
    expect(dangling).toEqual([]);
    const missing = schemasIn(document).flatMap((schema) =>
      (schema.required ?? []).filter((name) => !(name in (schema.properties ?? {}))),
    );
    expect(missing).toEqual([]);
    const ids = endpointsOf(document).map((e) => e.operation.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('marks as required exactly the properties answers always carry (spot checks)', () => {
    const { schemas } = document.components;
    expect(schemas.ErrorBody.required?.sort()).toEqual(['correlationId', 'error', 'message']);
    expect(schemas.AlertPageResponse.required).toEqual(['items']);
    expect(schemas.ScanJobResponse.required).not.toContain('report');
    expect(schemas.ScanJobResponse.required).toContain('jobId');
  });

  it('accepts every request-body example on the real route, answering in the documented shape', async () => {
    const checker = new AnswerChecker(document);
    const refused: string[] = [];
    const sent = new Set<string>();
    const send = (
      { method, path }: Endpoint,
      type: string,
      example: unknown,
      header: Record<string, string> = {},
    ): Promise<request.Response> =>
      request(server())
        [method](path.replace(/\{[^}]+\}/g, 'no-such-id'))
        .set(ADMIN)
        .set(header)
        .set('Content-Type', type)
        .send(typeof example === 'string' ? example : JSON.stringify(example));
    const check = (endpoint: Endpoint, type: string, response: request.Response): void => {
      const { method, path, name } = endpoint;
      refused.push(...checker.problems(method, path, response.status, response.body));
      // 404/409: the example names an id this store does not hold, a job is running, or (MFA)
      // the caller has no authenticator to confirm or step up with.
      if (![200, 201, 202, 404, 409].includes(response.status))
        refused.push(`${name} (${type}): ${response.status} ${JSON.stringify(response.body)}`);
    };
    // Sent without a second factor first (the MFA examples then meet a caller who has not
    // enrolled); those a route answers with step_up_required are sent again after a real
    // step-up, and that answer is the one checked.
    const needStepUp: { endpoint: Endpoint; type: string; example: unknown }[] = [];
    for (const endpoint of api) {
      for (const [type, media] of Object.entries(endpoint.operation.requestBody?.content ?? {})) {
        if (type === 'multipart/form-data') continue; // files cannot be given inline
        for (const example of examplesOf(media)) {
          const response = await send(endpoint, type, example);
          sent.add(endpoint.name);
          if (response.status === 403 && errorCodeOf(response) === 'step_up_required')
            needStepUp.push({ endpoint, type, example });
          else check(endpoint, type, response);
        }
      }
    }
    expect(needStepUp.map(({ endpoint }) => endpoint.name)).toEqual(
      expect.arrayContaining([
        'PATCH /api/v1/alerts/{alertId}',
        'POST /api/v1/subjects/{personId}/erase',
      ]),
    );
    const { header } = await stepUpWithTotp(server(), ADMIN);
    for (const { endpoint, type, example } of needStepUp)
      check(endpoint, type, await send(endpoint, type, example, header));
    expect(refused).toEqual([]);
    expect(sent.size).toBe(api.filter((e) => e.operation.requestBody).length);
  });
});

describe('OpenAPI contract: real answers match the documented schemas (seeded bank)', () => {
  let app: INestApplication;
  let checker: AnswerChecker;
  const problems: string[] = [];

  function server(): Server {
    return app.getHttpServer() as Server;
  }

  /** The admin key with a real step-up (some read routes need a second factor). */
  let admin: Record<string, string> = ADMIN;

  /** GET `url` (the route `path`), check the answer against the document, return its body. */
  async function read<T>(path: string, url: string, status = 200): Promise<T> {
    const response = await request(server()).get(url).set(admin);
    expect(`${url} ${response.status}`).toBe(`${url} ${status}`);
    problems.push(...checker.problems('get', path, response.status, response.body));
    return response.body as T;
  }

  beforeAll(async () => {
    app = await boot(new MemoryGraphStore(), true);
    const response = await request(server()).get('/docs/openapi.json').expect(200);
    checker = new AnswerChecker(response.body as OpenApiDocument);
    const { header } = await stepUpWithTotp(server(), ADMIN);
    admin = { ...ADMIN, ...header };
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers every read route with the fields and types the document gives', async () => {
    const scan = await scanToEnd(app, ADMIN, {
      from: '2024-10-01T00:00:00Z',
      to: '2025-01-01T00:00:00Z',
    });
    expect(scan.status).toBe('succeeded');
    problems.push(...checker.problems('get', '/api/v1/alerts/scan/{jobId}', 200, scan));
    await read('/api/v1/alerts/scan', '/api/v1/alerts/scan');
    await read('/api/v1/alerts/rules', '/api/v1/alerts/rules');
    await read('/api/v1/graph/stats', '/api/v1/graph/stats');
    const alerts = await read<{ items: { alertId: string }[] }>(
      '/api/v1/alerts',
      '/api/v1/alerts?limit=20',
    );
    expect(alerts.items.length).toBeGreaterThan(0);
    for (const { alertId } of alerts.items.slice(0, 10))
      await read('/api/v1/alerts/{alertId}', `/api/v1/alerts/${encodeURIComponent(alertId)}`);
    const accounts = await read<{ items: { uid: string }[] }>(
      '/api/v1/entities',
      '/api/v1/entities?label=Account&limit=5',
    );
    for (const label of ['Person', 'Company', 'Identifier', 'Alert'])
      await read('/api/v1/entities', `/api/v1/entities?label=${label}&limit=5`);
    for (const { uid } of accounts.items) {
      await read('/api/v1/entities/{uid}', `/api/v1/entities/${encodeURIComponent(uid)}`);
      await read(
        '/api/v1/accounts/{accountId}/risk',
        `/api/v1/accounts/${encodeURIComponent(uid)}/risk`,
      );
    }
    await read('/api/v1/fraud/rings', '/api/v1/fraud/rings?minShared=1&minMembers=2');
    const companies = await read<{ items: { uid: string }[] }>(
      '/api/v1/entities',
      '/api/v1/entities?label=Company&limit=5',
    );
    expect(companies.items.length).toBeGreaterThan(0);
    for (const { uid } of companies.items) {
      const id = encodeURIComponent(uid);
      await read('/api/v1/entities/{uid}', `/api/v1/entities/${id}?depth=2`);
      for (const regime of ['eu', 'uk', 'us'])
        await read('/api/v1/ubo/{companyId}', `/api/v1/ubo/${id}?regime=${regime}`);
      await read('/api/v1/ubo/{companyId}/network', `/api/v1/ubo/${id}/network`);
      await read('/api/v1/ubo/{companyId}/export', `/api/v1/ubo/${id}/export`);
      await read('/api/v1/ubo/{companyId}/bods', `/api/v1/ubo/${id}/bods`);
    }
    const people = await read<{ items: { uid: string }[] }>(
      '/api/v1/entities',
      '/api/v1/entities?label=Person&limit=5',
    );
    expect(people.items.length).toBeGreaterThan(0);
    const exports: { accounts: unknown[] }[] = [];
    for (const { uid } of people.items) {
      const url = `/api/v1/subjects/${encodeURIComponent(uid)}/export`;
      exports.push(await read('/api/v1/subjects/{personId}/export', url));
    }
    expect(exports.some((e) => e.accounts.length > 0)).toBe(true);
    // An erasure (its answer, and its note in the audit trail), then the erased person.
    const erased = people.items[0].uid;
    const erasure = await request(server())
      .post(`/api/v1/subjects/${encodeURIComponent(erased)}/erase`)
      .set(admin)
      .send({ reason: 'Art. 17 request, ticket DPO-2025-0173' })
      .expect(200);
    const erasePath = '/api/v1/subjects/{personId}/erase';
    problems.push(...checker.problems('post', erasePath, 200, erasure.body));
    const url = `/api/v1/subjects/${encodeURIComponent(erased)}/export`;
    await read('/api/v1/subjects/{personId}/export', url);
    const entries = await read<{ note?: string }[]>('/api/v1/audit', '/api/v1/audit?limit=1000');
    expect(entries.some((entry) => entry.note?.startsWith('subject erasure') === true)).toBe(true);
    const verified = await read<{ ok: boolean }>('/api/v1/audit/verify', '/api/v1/audit/verify');
    expect(verified.ok).toBe(true);
    await read('/api/v1/subjects/{personId}/export', '/api/v1/subjects/no-such-person/export', 404);
    await read('/api/v1/alerts/{alertId}', '/api/v1/alerts/no-such-alert', 404);
    expect(problems).toEqual([]);
  });
});
