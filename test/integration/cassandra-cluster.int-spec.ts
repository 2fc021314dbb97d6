import { JanusGraphGraphStore } from '@app/graph-store';
import type { GraphStore } from '@app/graph-store';
import { buildBankFixture, fixtureEdges, loadBankFixture } from '@app/graph-store-contract';
import type { BankFixture } from '@app/graph-store-contract';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';
import { cassandraService, describeWithLocalJanusGraph } from '@app/testing';
import type { CqlStorage, LocalCassandra, LocalJanusGraph } from '@app/testing';
import { ConflictError, GraphUnavailableError } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';

/*
 * Scale-out on Cassandra: two nodes (127.0.0.1 and 127.0.0.2), replication factor 2, JanusGraph
 * writing at QUORUM and reading at ONE. Node 2 is killed (SIGKILL) in the middle of a load:
 *   - while it is down, everything written before is read back in full from node 1 alone;
 *   - writes the cluster cannot take (JanusGraph's uniqueness locks always need QUORUM, which
 *     is both nodes here) are refused with an error, never half-stored; the loader retries them;
 *   - once node 2 is back the load completes, and every element is there.
 * Then both nodes are killed: a read is answered as a graph outage that names the storage (not
 * as a conflict), and once they are started again JanusGraph reads again without a restart.
 * Run by test/run-cassandra.sh (also called by test/run-all.sh), which brings up the
 * two nodes and a JanusGraph configured this way; skipped on any other layout.
 */

const CLUSTER_TIMEOUT_MS = 12 * 60_000;
/** How long the loader keeps retrying a refused write before the test gives up. */
const LOAD_DEADLINE_MS = 8 * 60_000;
const KILLED_NODE = 2;

function replicasFor(level: string, replicationFactor: number): number | undefined {
  switch (level) {
    case 'ONE':
    case 'LOCAL_ONE':
      return 1;
    case 'TWO':
      return 2;
    case 'THREE':
      return 3;
    case 'QUORUM':
    case 'LOCAL_QUORUM':
      return Math.floor(replicationFactor / 2) + 1;
    case 'ALL':
      return replicationFactor;
    default:
      return undefined;
  }
}

/** Why this JanusGraph cannot show the two-node story, or undefined when it can. */
function clusterLayoutProblem(local: LocalJanusGraph): string | undefined {
  const hint =
    'run `bash test/run-cassandra.sh`, which starts two Cassandra nodes and JanusGraph on them';
  const cql: CqlStorage | undefined = local.cql;
  if (local.storage !== 'cql' || !cql) return `JanusGraph stores in ${local.storage}; ${hint}`;
  const nodes = local.cassandra?.nodes.map((node) => node.node) ?? [];
  if (!nodes.includes(1) || !nodes.includes(KILLED_NODE))
    return `needs Cassandra nodes 1 and 2 started by docker/local/cassandra/service.sh; ${hint}`;
  if (cql.replicationFactor < 2) return `keyspace ${cql.keyspace} keeps one replica; ${hint}`;
  const read = replicasFor(cql.readConsistency, cql.replicationFactor);
  const write = replicasFor(cql.writeConsistency, cql.replicationFactor);
  if (read === undefined || write === undefined || read + write <= cql.replicationFactor)
    return `reads at ${cql.readConsistency} and writes at ${cql.writeConsistency} may miss acknowledged writes; ${hint}`;
  return undefined;
}

/** Loads fixtures one after the other; a refused load is repeated (upserts are idempotent). */
async function loadWithRetries(
  store: GraphStore,
  fixtures: readonly BankFixture[],
  onRefused: (error: unknown) => void,
): Promise<number> {
  const deadline = Date.now() + LOAD_DEADLINE_MS;
  let refused = 0;
  for (const fixture of fixtures) {
    for (let attempt = 1; ; attempt++) {
      try {
        await loadBankFixture(store, fixture);
        break;
      } catch (error: unknown) {
        refused += 1;
        onRefused(error);
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2000)));
      }
    }
  }
  return refused;
}

/**
 * Every vertex and edge of the fixtures as the store answers them, in fixture order. Right after
 * a node is killed, Cassandra may still route a read to it until gossip marks it down; JanusGraph
 * then refuses the read with an error that says it can be repeated (never a wrong answer), and
 * the whole read is repeated, as a client would.
 */
async function readBack(
  store: GraphStore,
  fixtures: readonly BankFixture[],
): Promise<{ vertices: GraphVertex[]; edges: (GraphEdge | undefined)[] }> {
  const deadline = Date.now() + LOAD_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(store, fixtures);
    } catch (error: unknown) {
      const repeatable = error instanceof ConflictError || error instanceof GraphUnavailableError;
      if (!repeatable || Date.now() > deadline) throw error;
      process.stdout.write(
        `cluster test: read refused (attempt ${attempt}), repeating: ${(error as Error).message}\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2000)));
    }
  }
}

async function readOnce(
  store: GraphStore,
  fixtures: readonly BankFixture[],
): Promise<{ vertices: GraphVertex[]; edges: (GraphEdge | undefined)[] }> {
  const vertices: GraphVertex[] = [];
  const edges: (GraphEdge | undefined)[] = [];
  for (const fixture of fixtures) {
    vertices.push(...(await store.getVertices(fixture.vertices.map((vertex) => vertex.uid))));
    for (const edge of fixtureEdges(fixture)) edges.push(await store.getEdge(edge.eid));
  }
  return { vertices, edges };
}

/** What `readBack` answers when nothing is lost or changed. */
function written(fixtures: readonly BankFixture[]): {
  vertices: GraphVertex[];
  edges: GraphEdge[];
} {
  return {
    vertices: fixtures.flatMap((fixture) => fixture.vertices),
    edges: fixtures.flatMap((fixture) => fixtureEdges(fixture)),
  };
}

describeWithLocalJanusGraph(
  'Cassandra cluster: node 2 killed mid-load, nothing lost',
  (endpoint) => {
    const before = [0, 1].map((i) => buildBankFixture(`cluster${i}`));
    const during = [2, 3, 4, 5].map((i) => buildBankFixture(`cluster${i}`));
    let client: JanusGraphClient;
    let store: JanusGraphGraphStore;
    let cassandra: LocalCassandra;

    beforeAll(async () => {
      cassandra = endpoint.local.cassandra as LocalCassandra;
      const settings = loadAllSettings().graph;
      client = new JanusGraphClient({ ...settings, host: endpoint.host, port: endpoint.port });
      await client.open();
      await bootstrapSchema(client);
      store = new JanusGraphGraphStore(client, { batchSize: settings.batchSize });
      await store.clear();
    }, CLUSTER_TIMEOUT_MS);

    afterAll(async () => {
      // Leave the cluster whole for whatever runs next, even when an assertion failed.
      await cassandraService(cassandra, 'start', [1, KILLED_NODE]);
      await client.close();
    }, CLUSTER_TIMEOUT_MS);

    it(
      'reads everything from the surviving node, refuses what it cannot replicate, and loses nothing',
      async () => {
        const errors: unknown[] = [];
        const note = (error: unknown): void => {
          errors.push(error);
        };
        const messageOf = (error: unknown): string =>
          error instanceof Error ? error.message : String(error);
        await loadWithRetries(store, before, note);

        await cassandraService(cassandra, 'kill', [KILLED_NODE]);

        // The load goes on while node 2 is down; node 2 comes back once a write was refused
        // (or the load finished without needing it).
        let firstRefusal: () => void = () => undefined;
        const refusedOnce = new Promise<void>((resolve) => {
          firstRefusal = resolve;
        });
        const loading = loadWithRetries(store, during, (error) => {
          note(error);
          firstRefusal();
        });

        // Node 1 alone holds every element written before the kill (writes were at QUORUM).
        expect(await readBack(store, before)).toEqual(written(before));

        await Promise.race([refusedOnce, loading]);
        await cassandraService(cassandra, 'start', [KILLED_NODE]);
        const refused = await loading;
        process.stdout.write(
          `cluster test: ${refused} load attempt(s) refused while node ${KILLED_NODE} was down` +
            (errors.length > 0 ? `; first: ${messageOf(errors[0])}` : '') +
            '\n',
        );

        // Every replica takes part in a lock write here (QUORUM of 2), so with node 2 down the load
        // was refused, and said why: too few replicas, a graph outage, not a conflict.
        expect(
          errors.some(
            (error) =>
              error instanceof GraphUnavailableError &&
              error.message.includes('Too few Cassandra replicas answer'),
          ),
        ).toBe(true);

        const fixtures = [...before, ...during];
        expect(await readBack(store, fixtures)).toEqual(written(fixtures));
        // Nothing beyond them either (no half-written duplicates from refused attempts).
        const counts = await store.counts();
        const total = (byLabel: Record<string, number>): number =>
          Object.values(byLabel).reduce((sum, n) => sum + n, 0);
        expect(total(counts.vertices)).toBe(written(fixtures).vertices.length);
        expect(total(counts.edges)).toBe(written(fixtures).edges.length);
      },
      CLUSTER_TIMEOUT_MS,
    );

    it(
      'with every node down, answers a read as a graph outage that names the storage (not a conflict), and reads again once the nodes are back, without a restart',
      async () => {
        const fixture = buildBankFixture('cluster-down');
        await loadWithRetries(store, [fixture], () => undefined);
        // One attempt, and time for JanusGraph's own answer (it retries the storage for about
        // 30 s, its evaluation timeout, before it answers).
        const settings = loadAllSettings().graph;
        const probe = new JanusGraphClient({
          ...settings,
          host: endpoint.host,
          port: endpoint.port,
          retryAttempts: 0,
          requestTimeoutMs: 120_000,
        });
        await probe.open();
        try {
          await cassandraService(cassandra, 'kill', [1, KILLED_NODE]);
          const failure = await new JanusGraphGraphStore(probe, { batchSize: settings.batchSize })
            .getVertices(fixture.vertices.map((vertex) => vertex.uid))
            .then(
              () => undefined,
              (error: unknown) => error,
            );
          await cassandraService(cassandra, 'start', [1, KILLED_NODE]);
          expect(failure).toBeInstanceOf(GraphUnavailableError);
          expect(failure).not.toBeInstanceOf(ConflictError);
          expect((failure as Error).message).toContain(
            'no node of its storage backend (Cassandra) does',
          );
          // JanusGraph reconnects to the restarted nodes by itself: the fixture reads back whole.
          expect(await readBack(store, [fixture])).toEqual(written([fixture]));
        } finally {
          await probe.close();
        }
      },
      CLUSTER_TIMEOUT_MS,
    );
  },
  clusterLayoutProblem,
);
