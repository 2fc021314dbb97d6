import { GremlinResponseError } from '../gremlin-connection';
import type { GremlinConnection, GremlinRequestOptions } from '../gremlin-connection';
import { JanusGraphClient } from '../janusgraph.client';
import { bootstrapSchema, SchemaBootstrapError, warmSchemaCache } from './schema.bootstrap';
import { InvalidInputError } from '@app/vocabulary';
import { NO_MIXED_INDEX_BACKEND } from './schema.definition';
import {
  REMOVE_STALE_INDEX_ENTRIES_SCRIPT,
  SCHEMA_AWAIT_SCRIPT,
  SCHEMA_CREATE_SCRIPT,
  SCHEMA_WARM_SCRIPT,
} from './schema.script';
import { removeStaleIndexEntries } from './stale-index';

/** Answers schema scripts from a queue and records them with their bindings. */
class ScriptServer implements GremlinConnection {
  readonly scripts: {
    script: string;
    bindings: Readonly<Record<string, unknown>> | undefined;
    timeout: number;
  }[] = [];
  answers: unknown[] = [];
  /** Errors to fail the next script submissions with, before any answer is used. */
  failures: Error[] = [];
  isOpen = true;
  open(): Promise<void> {
    return Promise.resolve();
  }
  submit(
    message: unknown,
    bindings: Readonly<Record<string, unknown>> | undefined,
    options: GremlinRequestOptions,
  ): Promise<unknown[]> {
    if (typeof message === 'string')
      this.scripts.push({ script: message, bindings, timeout: options.evaluationTimeout });
    const failure = this.failures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    return Promise.resolve([this.answers.shift()]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  onClose(): void {
    // not simulated
  }
}

function setup(mixedIndexBackend?: string) {
  const server = new ScriptServer();
  const client = new JanusGraphClient(
    {
      mixedIndexBackend,
      host: 'graph.test',
      port: 8182,
      tls: false,
      tlsRejectUnauthorized: true,
      traversalSource: 'g',
      poolSize: 1,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 1000,
      retryAttempts: 0,
      retryBaseDelayMs: 1,
      breakerThreshold: 5,
      breakerHalfOpenMs: 1000,
    },
    {
      connectionFactory: () => server,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    },
  );
  return { server, client };
}

function report(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    createdKeys: [],
    createdVertexLabels: [],
    createdEdgeLabels: [],
    createdIndexes: [],
    warnings: [],
    problems: [],
    statuses: { byUid: ['ENABLED'], transferredByTime: ['ENABLED'] },
    ...overrides,
  });
}

/** The warm-up's answer: `elements` schema elements read, `failed` ones named. */
function warmed(elements = 120, failed: string[] = []): string {
  return JSON.stringify({ elements, failed });
}

let clock = 0;
const now = (): number => (clock += 5);

describe('bootstrapSchema', () => {
  it('sends the vocabulary schema as a JSON binding (never in the script text), then warms the schema cache, when all is ENABLED', async () => {
    const { server, client } = setup();
    server.answers.push(report({ createdKeys: ['uid'], createdIndexes: ['byUid'] }), warmed(123));
    const result = await bootstrapSchema(client, { now });
    expect(server.scripts.map((s) => s.script)).toEqual([SCHEMA_CREATE_SCRIPT, SCHEMA_WARM_SCRIPT]);
    const spec = JSON.parse(String(server.scripts[0].bindings?.specJson)) as {
      propertyKeys: { name: string }[];
    };
    expect(spec.propertyKeys.map((key) => key.name)).toContain('amountMinor');
    expect(result).toMatchObject({
      createdKeys: ['uid'],
      createdIndexes: ['byUid'],
      enabledLater: [],
      warmedSchemaElements: 123,
      durationMs: 5,
    });
    expect(result.statuses).toEqual({ byUid: 'ENABLED', transferredByTime: 'ENABLED' });
  });

  it('asks for no mixed index on a JanusGraph without a mixed-index backend (JANUSGRAPH_MIXED_INDEX_BACKEND=none)', async () => {
    for (const backend of ['none', 'es', undefined]) {
      const { server, client } = setup(backend);
      server.answers.push(report(), warmed());
      await bootstrapSchema(client, { now });
      const spec = JSON.parse(String(server.scripts[0].bindings?.specJson)) as {
        mixedIndexes: { name: string }[];
        compositeIndexes: { name: string }[];
        mixedIndexBackend: string;
      };
      expect(spec.compositeIndexes.map((index) => index.name)).toEqual(['byUid', 'byEid']);
      if (backend === 'none') {
        expect(spec.mixedIndexes).toEqual([]);
      } else {
        expect(spec.mixedIndexes.map((index) => index.name)).toContain('movementSearch');
        expect(spec.mixedIndexBackend).toBe(backend ?? 'search');
      }
    }
  });

  it('drives every index that is not ENABLED yet through the await script, edge indexes with their label', async () => {
    const { server, client } = setup();
    server.answers.push(
      report({
        statuses: {
          byUid: ['INSTALLED'],
          transferredByTime: ['REGISTERED'],
          movementSearch: ['ENABLED', 'INSTALLED'],
        },
      }),
      'ENABLED',
      'ENABLED',
      'ENABLED',
      warmed(),
    );
    const result = await bootstrapSchema(client, { indexTimeoutSeconds: 7, now });
    // The cache is warmed after the last index changed (a schema change expires cached elements).
    expect(server.scripts.at(-1)?.script).toBe(SCHEMA_WARM_SCRIPT);
    expect(
      server.scripts.slice(1, -1).map((s) => [s.script === SCHEMA_AWAIT_SCRIPT, s.bindings]),
    ).toEqual([
      [true, { indexName: 'byUid', edgeLabel: null, timeoutSeconds: 7 }],
      [true, { indexName: 'transferredByTime', edgeLabel: 'TRANSFERRED', timeoutSeconds: 7 }],
      [true, { indexName: 'movementSearch', edgeLabel: null, timeoutSeconds: 7 }],
    ]);
    expect(result.enabledLater).toEqual(['byUid', 'transferredByTime', 'movementSearch']);
  });

  it('passes warnings (a mixed index lacking a key) on without failing', async () => {
    const { server, client } = setup();
    const warning = "mixed index 'movementSearch' lacks keys [eid]";
    server.answers.push(report({ warnings: [warning] }), warmed());
    await expect(bootstrapSchema(client)).resolves.toMatchObject({ warnings: [warning] });
  });

  it('reports schema elements the warm-up could not read as warnings', async () => {
    const { server, client } = setup();
    const failure = 'EDGELABEL 4101: Could not find type for id: 4101';
    server.answers.push(report(), warmed(119, [failure]));
    await expect(bootstrapSchema(client)).resolves.toMatchObject({
      warnings: [`schema cache warm-up: ${failure}`],
      warmedSchemaElements: 119,
    });
  });

  it('refuses a graph whose keys conflict with the vocabulary, naming the problem', async () => {
    const { server, client } = setup();
    const problem =
      "property key 'timestamp' exists with data type Integer but the vocabulary stores it as Long";
    server.answers.push(report({ problems: [problem] }));
    const error = await bootstrapSchema(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaBootstrapError);
    expect((error as SchemaBootstrapError).problems).toEqual([problem]);
    expect((error as Error).message).toContain('ws://graph.test:8182/gremlin');
  });

  it('fails when an index cannot be enabled (for example one that was disabled)', async () => {
    const { server, client } = setup();
    server.answers.push(report({ statuses: { byEid: ['DISABLED'] } }), 'DISABLED');
    const error = await bootstrapSchema(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaBootstrapError);
    expect((error as Error).message).toContain('index byEid is DISABLED, not ENABLED');
  });

  it('rejects a malformed report instead of guessing', async () => {
    const { server, client } = setup();
    server.answers.push(JSON.stringify({ createdKeys: 'uid' }));
    await expect(bootstrapSchema(client)).rejects.toThrow(
      'Schema bootstrap: report field createdKeys is not a list of names',
    );
  });

  it('runs the create script again when it lost a race with another process creating the same schema', async () => {
    const { server, client } = setup();
    server.failures.push(
      new GremlinResponseError(597, 'The transaction has already been closed', {}),
    );
    server.answers.push(report(), warmed());
    const delays: number[] = [];
    const result = await bootstrapSchema(client, {
      retryDelay: (attempt) => {
        delays.push(attempt);
        return Promise.resolve();
      },
    });
    expect(server.scripts.map((s) => s.script === SCHEMA_CREATE_SCRIPT)).toEqual([
      true,
      true,
      false,
    ]);
    expect(delays).toEqual([1]);
    expect(result.statuses.byUid).toBe('ENABLED');
  });

  it('gives up after the configured create attempts, with the server reason', async () => {
    const { server, client } = setup();
    for (let i = 0; i < 3; i += 1)
      server.failures.push(
        new GremlinResponseError(597, 'The transaction has already been closed', {}),
      );
    const error = await bootstrapSchema(client, {
      createAttempts: 3,
      retryDelay: () => Promise.resolve(),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('The transaction has already been closed');
    expect(server.scripts).toHaveLength(3);
  });
});

describe('warmSchemaCache', () => {
  it('runs the read-only warm-up script without bindings and answers its report', async () => {
    const { server, client } = setup();
    server.answers.push(warmed(42));
    await expect(warmSchemaCache(client)).resolves.toEqual({ elements: 42, failed: [] });
    expect(server.scripts).toEqual([
      expect.objectContaining({ script: SCHEMA_WARM_SCRIPT, bindings: {} }),
    ]);
    expect(SCHEMA_WARM_SCRIPT).toContain('tx.rollback()');
  });

  it('rejects an answer that is not a warm-up report', async () => {
    const { server, client } = setup();
    server.answers.push(JSON.stringify({ elements: 'many' }));
    await expect(warmSchemaCache(client)).rejects.toThrow(
      'Schema cache warm-up: the report has no elements or failed list',
    );
    server.answers.push(undefined);
    await expect(warmSchemaCache(client)).rejects.toThrow('the server answered no report');
  });
});

describe('removeStaleIndexEntries', () => {
  const page = (rows: number, removed: string[], last: string): string =>
    JSON.stringify({ rows, removed, last });

  it("sends one script per page of each label's index with every key of it, and reports what each label removed", async () => {
    const { server, client } = setup();
    server.answers.push(page(2, ['41', '42'], ''), page(0, [], ''));
    expect(await removeStaleIndexEntries(client, ['Alert', 'Person'], { timeoutMs: 5000 })).toEqual(
      [
        { label: 'Alert', index: 'alertSearch', removed: 2 },
        { label: 'Person', index: 'personSearch', removed: 0 },
      ],
    );
    expect(server.scripts.map((sent) => sent.script)).toEqual([
      REMOVE_STALE_INDEX_ENTRIES_SCRIPT,
      REMOVE_STALE_INDEX_ENTRIES_SCRIPT,
    ]);
    expect(server.scripts[0].bindings).toEqual({
      vertexLabel: 'Alert',
      indexName: 'alertSearch',
      record: { uid: '', status: '', typology: '', score: '', createdAt: '', riskScore: '' },
      after: '',
      pageSize: 1000,
    });
    expect(server.scripts[1].bindings?.record).toEqual({ uid: '', name: '' });
    expect(server.scripts[0].timeout).toBe(5000);
  });

  it('goes on from the last live uid of a full page, asks again after a page made only of stale entries, and stops at a short page', async () => {
    const { server, client } = setup();
    server.answers.push(
      page(3, ['7'], 'person:c'), // full page: one stale entry, live ones up to person:c
      page(3, ['8', '9', '10'], ''), // full page of stale entries only: removed, same request again
      page(3, [], 'person:f'),
      page(1, ['11'], ''), // short page: the end
    );
    expect(await removeStaleIndexEntries(client, ['Person'], { pageSize: 3 })).toEqual([
      { label: 'Person', index: 'personSearch', removed: 5 },
    ]);
    expect(server.scripts.map((sent) => sent.bindings?.after)).toEqual([
      '',
      'person:c',
      'person:c',
      'person:f',
    ]);
  });

  it('stops with the reason when entries it removed are listed again, instead of asking forever', async () => {
    const { server, client } = setup();
    server.answers.push(page(2, ['7', '8'], ''), page(2, ['7', '8'], ''));
    await expect(removeStaleIndexEntries(client, ['Person'], { pageSize: 2 })).rejects.toThrow(
      'Removing stale entries of personSearch: 2 entries after uid "" are still listed after their removal',
    );
    expect(server.scripts).toHaveLength(2);
  });

  it('refuses an answer that is not a page report', async () => {
    const { server, client } = setup();
    server.answers.push(3);
    await expect(removeStaleIndexEntries(client, ['Person'])).rejects.toThrow(
      'Removing stale entries of personSearch: the server answered 3, not a page report',
    );
  });

  it('refuses an unknown label, naming it and the labels there are, before sending anything', async () => {
    const { server, client } = setup();
    const refusal = removeStaleIndexEntries(client, ['Alert', 'Widget']);
    await expect(refusal).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refusal).rejects.toThrow('Unknown vertex label(s): Widget; the labels are Person');
    expect(server.scripts).toEqual([]);
  });

  it('refuses a graph without mixed indexes, saying why', async () => {
    const { server, client } = setup(NO_MIXED_INDEX_BACKEND);
    await expect(removeStaleIndexEntries(client)).rejects.toThrow(
      'This graph has no mixed indexes (JANUSGRAPH_MIXED_INDEX_BACKEND=none)',
    );
    expect(server.scripts).toEqual([]);
  });
});
