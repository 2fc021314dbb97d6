import { GraphUnavailableError } from '@app/vocabulary';
import type { GremlinConnection, GremlinRequestOptions } from '../gremlin-connection';
import { JanusGraphClient } from '../janusgraph.client';
import {
  checkSchema,
  GraphSchemaNotReadyError,
  SCHEMA_BOOTSTRAP_COMMAND,
  SchemaCheckReport,
} from './schema.check';
import type { SchemaDefinition } from './schema.definition';
import { SchemaReadiness } from './schema.readiness';
import { SCHEMA_CHECK_SCRIPT } from './schema.script';

/**
 * A Gremlin Server stand-in: answers scripts from a queue (or fails them), answers the ping
 * traversal with 1, and records what it was sent.
 */
class FakeServer implements GremlinConnection {
  readonly sent: ('script' | 'traversal')[] = [];
  readonly bindings: (Readonly<Record<string, unknown>> | undefined)[] = [];
  scriptAnswers: (string | Error)[] = [];
  down = false;
  isOpen = true;
  open(): Promise<void> {
    return Promise.resolve();
  }
  submit(
    message: unknown,
    bindings: Readonly<Record<string, unknown>> | undefined,
    _options: GremlinRequestOptions,
  ): Promise<unknown[]> {
    if (this.down)
      return Promise.reject(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      );
    if (typeof message !== 'string') {
      this.sent.push('traversal');
      return Promise.resolve([1]);
    }
    this.sent.push('script');
    this.bindings.push(bindings);
    const answer = this.scriptAnswers.shift();
    if (answer === undefined) return Promise.reject(new Error('no answer queued'));
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve([answer]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  onClose(): void {
    // not simulated
  }
}

function setup() {
  const server = new FakeServer();
  const client = new JanusGraphClient(
    {
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
      breakerThreshold: 50,
      breakerHalfOpenMs: 1000,
    },
    {
      connectionFactory: () => server,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    },
  );
  return { server, client };
}

/** A small schema, so that the answers below stay readable. */
const DEFINITION: SchemaDefinition = {
  propertyKeys: [
    { name: 'uid', dataType: 'String' },
    { name: 'timestamp', dataType: 'Long' },
  ],
  vertexLabels: ['Account'],
  edgeLabels: ['TRANSFERRED'],
  compositeIndexes: [{ name: 'byUid', element: 'vertex', keys: ['uid'], unique: true }],
  mixedIndexes: [],
  edgeIndexes: [
    {
      name: 'transferredByTime',
      edgeLabel: 'TRANSFERRED',
      direction: 'BOTH',
      keys: ['timestamp'],
      order: 'asc',
    },
  ],
  mixedIndexBackend: 'search',
};

/** The server's JSON report, as SCHEMA_CHECK_SCRIPT writes it. */
function answer(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    missingKeys: [],
    missingVertexLabels: [],
    missingEdgeLabels: [],
    missingIndexes: [],
    conflicts: [],
    statuses: { byUid: ['ENABLED'], transferredByTime: ['ENABLED'] },
    ...overrides,
  });
}

/** What the check script answered for an empty in-memory JanusGraph 1.1.0 (this schema). */
const EMPTY_GRAPH_ANSWER =
  '{"missingKeys":["uid","timestamp"],"missingVertexLabels":["Account"],"missingEdgeLabels":["TRANSFERRED"],' +
  '"missingIndexes":["byUid","transferredByTime"],"conflicts":[],"statuses":{}}';

describe('checkSchema', () => {
  it('sends the schema as a JSON binding of a constant script and reads a complete schema', async () => {
    const { server, client } = setup();
    server.scriptAnswers.push(answer());
    const report = await checkSchema(client, { definition: DEFINITION });
    expect(report).toEqual({
      complete: true,
      missingKeys: [],
      missingVertexLabels: [],
      missingEdgeLabels: [],
      missingIndexes: [],
      notEnabled: {},
      conflicts: [],
    });
    expect(server.sent).toEqual(['script']);
    expect(JSON.parse(String(server.bindings[0]?.specJson))).toEqual(DEFINITION);
  });

  it('reports everything missing on an empty graph', async () => {
    const { server, client } = setup();
    server.scriptAnswers.push(EMPTY_GRAPH_ANSWER);
    const report = await checkSchema(client, { definition: DEFINITION });
    expect(report.complete).toBe(false);
    expect(report.missingKeys).toEqual(['uid', 'timestamp']);
    expect(report.missingIndexes).toEqual(['byUid', 'transferredByTime']);
  });

  it('counts an index that exists but is not ENABLED as incomplete, and a DISABLED one as a conflict', async () => {
    const { server, client } = setup();
    server.scriptAnswers.push(
      answer({ statuses: { byUid: ['ENABLED', 'REGISTERED'], transferredByTime: ['DISABLED'] } }),
    );
    const report = await checkSchema(client, { definition: DEFINITION });
    expect(report.complete).toBe(false);
    expect(report.notEnabled).toEqual({
      byUid: 'ENABLED,REGISTERED',
      transferredByTime: 'DISABLED',
    });
    expect(report.conflicts).toEqual(['index transferredByTime is DISABLED']);
  });

  it('rejects a malformed answer instead of calling the schema complete', async () => {
    const { server, client } = setup();
    server.scriptAnswers.push(JSON.stringify({ missingKeys: 'uid' }));
    await expect(checkSchema(client, { definition: DEFINITION })).rejects.toThrow(
      'Schema check: report field missingKeys is not a list of names',
    );
  });
});

describe('GraphSchemaNotReadyError', () => {
  const endpoint = 'ws://graph.test:8182/gremlin';
  const base: SchemaCheckReport = {
    complete: false,
    missingKeys: [],
    missingVertexLabels: [],
    missingEdgeLabels: [],
    missingIndexes: [],
    notEnabled: {},
    conflicts: [],
  };

  it('names what is missing and both ways to create it (a GraphUnavailableError: 503)', () => {
    const error = new GraphSchemaNotReadyError(endpoint, {
      ...base,
      missingKeys: ['uid', 'eid', 'name', 'timestamp', 'amountMinor', 'currency', 'channel'],
      missingIndexes: ['byUid'],
    });
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect(error.message).toContain(
      `The JanusGraph schema at ${endpoint} is incomplete (missing: 7 property keys (uid, eid, name, timestamp, amountMinor and 2 more); 1 indexes (byUid))`,
    );
    expect(error.message).toContain('restart this app with GRAPH_SCHEMA_BOOTSTRAP=true');
    expect(error.message).toContain(`run \`${SCHEMA_BOOTSTRAP_COMMAND}\``);
  });

  it('names indexes still on their way to ENABLED (the bootstrap finishes them)', () => {
    const error = new GraphSchemaNotReadyError(endpoint, {
      ...base,
      notEnabled: { byEid: 'REGISTERED' },
    });
    expect(error.message).toContain('indexes not ENABLED yet: byEid is REGISTERED');
    expect(error.message).toContain(SCHEMA_BOOTSTRAP_COMMAND);
  });

  it('says when the bootstrap cannot repair the schema, instead of sending the operator to run it', () => {
    const conflict =
      "property key 'timestamp' has data type Integer but the vocabulary stores it as Long";
    const error = new GraphSchemaNotReadyError(endpoint, {
      ...base,
      notEnabled: { byEid: 'DISABLED' },
      conflicts: [conflict, 'index byEid is DISABLED'],
    });
    expect(error.message).toContain(
      `the bootstrap cannot repair: ${conflict}; index byEid is DISABLED`,
    );
    expect(error.message).toContain('Load the data again into an empty graph');
    expect(error.message).not.toContain(SCHEMA_BOOTSTRAP_COMMAND);
    expect(error.message).not.toContain('not ENABLED yet');
  });
});

describe('SchemaReadiness', () => {
  function readinessWithClock() {
    const { server, client } = setup();
    let clock = 1_000;
    const readiness = new SchemaReadiness(client, {
      definition: DEFINITION,
      recheckMs: 5_000,
      now: () => clock,
    });
    const advance = (ms: number): void => {
      clock += ms;
    };
    return { server, readiness, advance };
  }

  it('checks the schema once, then pings until the verdict is older than the recheck time', async () => {
    const { server, readiness, advance } = readinessWithClock();
    server.scriptAnswers.push(answer(), answer());
    await readiness.assertReady();
    advance(4_999);
    await readiness.assertReady();
    await readiness.assertReady();
    advance(1);
    await readiness.assertReady();
    expect(server.sent).toEqual(['script', 'traversal', 'traversal', 'script']);
  });

  it('fails with the message while the schema is incomplete, without a round trip per probe, and turns ready after a bootstrap', async () => {
    const { server, readiness, advance } = readinessWithClock();
    server.scriptAnswers.push(EMPTY_GRAPH_ANSWER, answer());
    await expect(readiness.assertReady()).rejects.toBeInstanceOf(GraphSchemaNotReadyError);
    advance(1_000);
    await expect(readiness.assertReady()).rejects.toThrow('is incomplete');
    expect(server.sent).toEqual(['script']);
    advance(4_000);
    await expect(readiness.assertReady()).resolves.toBeUndefined();
    expect(server.sent).toEqual(['script', 'script']);
  });

  it('notices a schema lost after the start (a JanusGraph restarted on in-memory storage)', async () => {
    const { server, readiness, advance } = readinessWithClock();
    server.scriptAnswers.push(answer(), EMPTY_GRAPH_ANSWER);
    await readiness.assertReady();
    advance(5_000);
    await expect(readiness.assertReady()).rejects.toBeInstanceOf(GraphSchemaNotReadyError);
  });

  it('shares one check between probes that arrive while it runs', async () => {
    const { server, readiness } = readinessWithClock();
    server.scriptAnswers.push(answer());
    await Promise.all([readiness.assertReady(), readiness.assertReady(), readiness.assertReady()]);
    expect(server.sent).toEqual(['script']);
  });

  it('does not cache unreachability: the next probe asks the server again', async () => {
    const { server, readiness } = readinessWithClock();
    server.down = true;
    await expect(readiness.assertReady()).rejects.toBeInstanceOf(GraphUnavailableError);
    await expect(readiness.assertReady()).rejects.not.toBeInstanceOf(GraphSchemaNotReadyError);
    server.down = false;
    server.scriptAnswers.push(answer());
    await expect(readiness.assertReady()).resolves.toBeUndefined();
  });

  it('checks again at once after invalidate()', async () => {
    const { server, readiness } = readinessWithClock();
    server.scriptAnswers.push(EMPTY_GRAPH_ANSWER, answer());
    await expect(readiness.assertReady()).rejects.toBeInstanceOf(GraphSchemaNotReadyError);
    readiness.invalidate();
    await expect(readiness.assertReady()).resolves.toBeUndefined();
  });

  it('uses the check script', async () => {
    const { server, readiness } = readinessWithClock();
    const scripts: unknown[] = [];
    const submit = server.submit.bind(server);
    server.submit = (message, bindings, options) => {
      scripts.push(message);
      return submit(message, bindings, options);
    };
    server.scriptAnswers.push(answer());
    await readiness.assertReady();
    expect(scripts).toEqual([SCHEMA_CHECK_SCRIPT]);
  });
});
