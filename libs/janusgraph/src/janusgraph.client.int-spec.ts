import { createServer } from 'node:net';
import { loadAllSettings } from '@app/settings';
import { describeWithJanusGraph } from '@app/testing';
import { ConflictError, GraphTimeoutError, GraphUnavailableError } from '@app/vocabulary';
import { __, merge, P, t } from './gremlin-dsl';
import { JanusGraphClient, JanusGraphClientConfig } from './janusgraph.client';
import { JanusGraphQueryError } from './janusgraph.errors';
import { flattenElementMap } from './janusgraph.results';
import { bootstrapSchema } from './schema/schema.bootstrap';
import { indexNamesOf, schemaDefinition } from './schema/schema.definition';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describeWithJanusGraph('JanusGraphClient against a real JanusGraph', (endpoint) => {
  const config: JanusGraphClientConfig = {
    ...loadAllSettings().graph,
    host: endpoint.host,
    port: endpoint.port,
  };
  let client: JanusGraphClient;
  // Test data lives under its own uid prefix, so the test never touches anything else.
  const prefix = `client-int-${process.pid}-`;

  beforeAll(async () => {
    client = new JanusGraphClient(config, { logger: silent });
    await client.open();
    await bootstrapSchema(client);
  });

  afterAll(async () => {
    await client.submit(
      client.g
        .V()
        .has(
          'uid',
          P.within([`${prefix}p1`, `${prefix}c1`, `${prefix}a1`, `${prefix}a2`, `${prefix}gb1`]),
        )
        .drop(),
    );
    await client.close();
  });

  it('writes, reads and drops through bytecode, with exact types back', async () => {
    await client.submit(
      client.g
        .inject(0)
        .sideEffect(
          __.addV('Person')
            .property('uid', `${prefix}p1`)
            .property('name', 'Ada "Quoted" Lovelace')
            .property('isPep', true)
            .property('isSanctioned', false),
        )
        .sideEffect(__.addV('Company').property('uid', `${prefix}c1`).property('name', 'Acme'))
        .sideEffect(
          __.V()
            .has('uid', `${prefix}p1`)
            .addE('OWNS')
            .to(__.V().has('uid', `${prefix}c1`))
            .property('eid', `${prefix}o1`)
            .property('shareMinBp', 2500)
            .property('shareMaxBp', 2500),
        ),
    );
    const [person] = await client.submit(client.g.V().has('uid', `${prefix}p1`).valueMap(true));
    expect(flattenElementMap(person)).toMatchObject({
      label: 'Person',
      uid: `${prefix}p1`,
      name: 'Ada "Quoted" Lovelace',
      isPep: true,
      isSanctioned: false,
    });
    const shares = await client.submit(
      client.g.E().has('eid', `${prefix}o1`).values('shareMinBp', 'shareMaxBp'),
    );
    expect(shares).toEqual([2500, 2500]);

    await client.submit(client.g.E().has('eid', `${prefix}o1`).drop());
    await expect(client.submit(client.g.E().has('eid', `${prefix}o1`).count())).resolves.toEqual([
      0,
    ]);
  });

  it('answers GraphBinary requests (the store writes) like GraphSON ones: maps, tokens, ids, longs, errors', async () => {
    const uid = `${prefix}gb1`;
    const binary = { binary: true } as const;
    const created = await client.submit(
      client.g
        .mergeV(new Map<unknown, unknown>([['uid', uid]]))
        .option(
          merge.onCreate,
          new Map<unknown, unknown>([
            [t.label, 'Account'],
            ['uid', uid],
            ['openedAt', Number.MAX_SAFE_INTEGER],
            ['bankId', 'BANK "quoted"'],
          ]),
        )
        .project('id', 'props')
        .by(__.id())
        .by(__.valueMap(true)),
      binary,
    );
    const row = created[0] as Map<string, unknown>;
    // The vertex id read back in GraphBinary is the one GraphSON reads.
    await expect(client.submit(client.g.V().has('uid', uid).id())).resolves.toEqual([
      row.get('id'),
    ]);
    expect(flattenElementMap(row.get('props'))).toMatchObject({
      label: 'Account',
      uid,
      openedAt: Number.MAX_SAFE_INTEGER,
      bankId: 'BANK "quoted"',
    });
    const rejected = await client
      .submit(client.g.inject(1).fail('deliberate failure'), { ...binary, operation: 'test' })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(JanusGraphQueryError);
    expect((rejected as Error).message).toMatch(/^test: .*deliberate failure/);
    const quick = new JanusGraphClient({ ...config, retryAttempts: 0 }, { logger: silent });
    try {
      const conflict = await quick
        .submit(
          quick.g
            .inject(0)
            .sideEffect(__.addV('Person').property('uid', `${prefix}dup2`))
            .sideEffect(__.addV('Person').property('uid', `${prefix}dup2`)),
          binary,
        )
        .catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(ConflictError);
    } finally {
      await quick.close();
    }
  });

  it('keeps 64-bit longs exact up to Number.MAX_SAFE_INTEGER', async () => {
    const big = Number.MAX_SAFE_INTEGER;
    await expect(client.submit(client.g.inject(big))).resolves.toEqual([big]);
  });

  it('turns a uniqueness violation (one transaction, nothing lands) into a ConflictError', async () => {
    const uid = `${prefix}dup`;
    const quick = new JanusGraphClient({ ...config, retryAttempts: 0 }, { logger: silent });
    await quick.open();
    try {
      const error = await quick
        .submit(
          quick.g
            .inject(0)
            .sideEffect(__.addV('Person').property('uid', uid))
            .sideEffect(__.addV('Person').property('uid', uid)),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      await expect(quick.submit(quick.g.V().has('uid', uid).count())).resolves.toEqual([0]);
    } finally {
      await quick.close();
    }
  });

  it('turns a traversal the server rejects into a JanusGraphQueryError naming the operation', async () => {
    const error = await client
      .submit(client.g.inject(1).fail('deliberate failure'), { operation: 'test' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JanusGraphQueryError);
    expect((error as Error).message).toMatch(
      /^test: JanusGraph rejected the request: .*deliberate failure/,
    );
  });

  it('turns a traversal that runs past its timeout into a GraphTimeoutError', async () => {
    const slow = client.g
      .inject(0)
      .repeat(__.math('_ + 1'))
      .until(__.is(P.gte(50_000_000)));
    await expect(client.submit(slow, { timeoutMs: 200 })).rejects.toBeInstanceOf(GraphTimeoutError);
  });

  it('fails to open with a GraphUnavailableError naming host:port when nothing listens there', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const unreachable = new JanusGraphClient(
      { ...config, host: '127.0.0.1', port },
      { logger: silent },
    );
    const error = await unreachable.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('bootstraps the schema idempotently: a second run creates nothing and every index is ENABLED', async () => {
    const again = await bootstrapSchema(client);
    expect(again.createdKeys).toEqual([]);
    expect(again.createdVertexLabels).toEqual([]);
    expect(again.createdEdgeLabels).toEqual([]);
    expect(again.createdIndexes).toEqual([]);
    expect(again.warnings).toEqual([]);
    expect(again.enabledLater).toEqual([]);
    const names = indexNamesOf(schemaDefinition());
    expect(Object.keys(again.statuses).sort()).toEqual([...names].sort());
    expect(Object.values(again.statuses).every((status) => status === 'ENABLED')).toBe(true);
  });

  it('answers window queries on one account from the vertex-centric index', async () => {
    await client.submit(
      client.g
        .inject(0)
        .sideEffect(__.addV('Account').property('uid', `${prefix}a1`))
        .sideEffect(__.addV('Account').property('uid', `${prefix}a2`))
        .sideEffect(
          __.V()
            .has('uid', `${prefix}a1`)
            .addE('TRANSFERRED')
            .to(__.V().has('uid', `${prefix}a2`))
            .property('eid', `${prefix}m1`)
            .property('timestamp', 500),
        ),
    );
    const [profile] = await client.submit(
      client.g
        .V()
        .has('uid', `${prefix}a1`)
        .outE('TRANSFERRED')
        .has('timestamp', P.between(0, 1000))
        .profile(),
    );
    expect(JSON.stringify(profile)).toContain('transferredByTime');
  });
});
