import { encodeUidCursor, JanusGraphGraphStore, waitOutOutage } from '@app/graph-store';
import type { GraphStore } from '@app/graph-store';
import { buildBankFixture, fixtureEdges, loadBankFixture } from '@app/graph-store-contract';
import { __, bootstrapSchema, JanusGraphClient, P } from '@app/janusgraph';
import type { SchemaBootstrapReport } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';
import { describeWithLocalJanusGraph, janusGraphService, readDiscovery } from '@app/testing';
import { movementEdge } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, Movement, VertexLabel } from '@app/vocabulary';

/*
 * The graph outlives its server: data written through the store, the schema and its indexes
 * are all there after JanusGraph is restarted with docker/local/janusgraph/service.sh. Runs on
 * whatever storage the discovered server uses (BerkeleyDB JE by default, Cassandra in the CQL
 * run of test/run-all.sh); an in-memory server is expected to fail it.
 */

/** Everything the store answers about the fixture, to compare before and after the restart. */
interface GraphSnapshot {
  vertices: GraphVertex[];
  edges: (GraphEdge | undefined)[];
  counts: Awaited<ReturnType<GraphStore['counts']>>;
  /** Answered by the mixed (Lucene) movement index. */
  movementIds: string[];
  /** Answered by the per-label mixed index. */
  accountUids: string[];
}

const RESTART_TIMEOUT_MS = 8 * 60_000;

async function openStore(
  host: string,
  port: number,
): Promise<{
  client: JanusGraphClient;
  store: JanusGraphGraphStore;
}> {
  const settings = loadAllSettings().graph;
  const client = new JanusGraphClient({ ...settings, host, port });
  await client.open();
  return { client, store: new JanusGraphGraphStore(client, { batchSize: settings.batchSize }) };
}

async function listAll(store: GraphStore, label: VertexLabel): Promise<string[]> {
  const uids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listVertices({ label, limit: 5, ...(cursor ? { cursor } : {}) });
    uids.push(...page.items.map((vertex) => vertex.uid));
    cursor = page.nextCursor;
  } while (cursor);
  return uids;
}

describeWithLocalJanusGraph(
  'JanusGraph restart (docker/local/janusgraph/service.sh)',
  (endpoint) => {
    const fixture = buildBankFixture('restart');
    const edges = fixtureEdges(fixture);
    const window = { from: fixture.t0, to: fixture.t0 + 400 * 3_600_000, limit: 100 };

    async function snapshot(store: GraphStore): Promise<GraphSnapshot> {
      const stored: (GraphEdge | undefined)[] = [];
      for (const edge of edges) stored.push(await store.getEdge(edge.eid));
      return {
        vertices: await store.getVertices(fixture.vertices.map((vertex) => vertex.uid)),
        edges: stored,
        counts: await store.counts(),
        movementIds: (await store.scanMovements(window)).map((movement) => movement.movementId),
        accountUids: await listAll(store, 'Account'),
      };
    }

    let before: GraphSnapshot;
    let after: GraphSnapshot;
    let schemaAfter: SchemaBootstrapReport;

    beforeAll(async () => {
      const first = await openStore(endpoint.host, endpoint.port);
      try {
        await bootstrapSchema(first.client);
        await first.store.clear();
        await loadBankFixture(first.store, fixture);
        before = await snapshot(first.store);
      } finally {
        await first.client.close();
      }

      await janusGraphService(endpoint.local, 'restart');

      const second = await openStore(endpoint.host, endpoint.port);
      try {
        // Read first, then ask the idempotent bootstrap what it would have to create.
        after = await snapshot(second.store);
        schemaAfter = await bootstrapSchema(second.client);
      } finally {
        await second.client.close();
      }
    }, RESTART_TIMEOUT_MS);

    it('had the whole fixture before the restart (the comparison below is not vacuous)', () => {
      expect(before.vertices).toHaveLength(fixture.vertices.length);
      expect(before.edges.filter((edge) => edge !== undefined)).toHaveLength(edges.length);
      expect(before.movementIds).toHaveLength(fixture.movements.length);
      expect(before.accountUids).toHaveLength(Object.keys(fixture.account).length);
    });

    it('finds every vertex with its properties after the restart', () => {
      expect(after.vertices).toEqual(before.vertices);
    });

    it('finds every edge with its properties after the restart', () => {
      expect(after.edges).toEqual(before.edges);
    });

    it('counts the same vertices and edges per label', () => {
      expect(after.counts).toEqual(before.counts);
    });

    it('keeps the schema: the bootstrap finds nothing to create and every index ENABLED', () => {
      expect(schemaAfter.createdKeys).toEqual([]);
      expect(schemaAfter.createdVertexLabels).toEqual([]);
      expect(schemaAfter.createdEdgeLabels).toEqual([]);
      expect(schemaAfter.createdIndexes).toEqual([]);
      expect(schemaAfter.enabledLater).toEqual([]);
      expect(Object.keys(schemaAfter.statuses).length).toBeGreaterThan(0);
      expect(new Set(Object.values(schemaAfter.statuses))).toEqual(new Set(['ENABLED']));
    });

    it('keeps the mixed (Lucene) indexes: window scans and label listings answer as before', () => {
      expect(after.movementIds).toEqual(before.movementIds);
      expect(after.accountUids).toEqual(before.accountUids);
    });
  },
);

/**
 * What the crash test below writes, in requests of CRASH_BATCH, CRASH_WRITERS at a time. The
 * crash comes once CRASH_AFTER_CALLS requests have succeeded, so it cuts the load in the middle
 * (CRASH_WRITERS requests in flight, more to come) on any machine, fast or busy; a crash after
 * a fixed time needed a load large enough to outlast it on the fastest machine (12,000 items on
 * BerkeleyDB JE), which took minutes on a busy one. On Cassandra (uniqueness locks at QUORUM on
 * two replicas) one request of 250 new accounts takes seconds, and after the crash the writers
 * first wait out the killed server's lock claims (about 40 s); writing, checking and dropping
 * run at about 100 items a second there, hence the smaller load.
 */
const ON_CASSANDRA = readDiscovery().janusgraph.storage === 'cql';
const CRASH_MOVEMENTS = ON_CASSANDRA ? 1_000 : 3_000;
const CRASH_ACCOUNTS = ON_CASSANDRA ? 500 : 1_500;
const CRASH_BATCH = 250;
const CRASH_WRITERS = 3;
/** Requests that succeed before the crash (of 6 on Cassandra, 18 on BerkeleyDB JE). */
const CRASH_AFTER_CALLS = ON_CASSANDRA ? 1 : 6;

/**
 * JanusGraph killed (SIGKILL, no shutdown at all) while movements and accounts are being
 * written, then started again; each writer retries a failed call until it succeeds, as the
 * ingest worker does. A write cut off between JanusGraph's storage commit and its mixed-index
 * commit leaves its items stored but not indexed; the retry finds them (by eid, by uid), and the
 * store writes them again so that they are indexed. Before, one run in three left a whole
 * request of 250 movements out of every window scan, or 250 accounts out of the listing.
 * Afterwards every item is stored once, every movement is found by the window scan and every
 * account by the listing.
 */
describeWithLocalJanusGraph(
  'JanusGraph killed while movements and accounts are written (docker/local/janusgraph/service.sh restart --kill)',
  (endpoint) => {
    it(
      'stores every item once; the window scan finds every movement, the listing every account',
      async () => {
        const tag = `crash-${Date.now().toString(36)}`;
        const fixture = buildBankFixture(tag);
        const fixtureAccounts = fixture.vertices.filter((vertex) => vertex.label === 'Account');
        // A window of its own: one millisecond per movement, far from the fixture's.
        const t0 = fixture.t0 + 2_000 * 3_600_000 + (Date.now() % 1_000_000) * CRASH_MOVEMENTS;
        const movements: Movement[] = Array.from({ length: CRASH_MOVEMENTS }, (_, i) => ({
          movementId: `mv:${tag}:${i}`,
          fromAccount: fixtureAccounts[i % fixtureAccounts.length].uid,
          toAccount: fixtureAccounts[(i * 7 + 1) % fixtureAccounts.length].uid,
          amountMinor: 100 + i,
          currency: 'GBP',
          timestamp: t0 + i,
          channel: 'wire',
        }));
        const accounts: GraphVertex[] = Array.from({ length: CRASH_ACCOUNTS }, (_, i) => ({
          label: 'Account',
          uid: `acc:${tag}:${String(i).padStart(5, '0')}`,
          props: {
            accountType: 'personal',
            currency: 'GBP',
            openedAt: 0,
            status: 'active',
            bankId: 'crashbank',
            country: 'GB',
          },
        }));
        const { client, store } = await openStore(endpoint.host, endpoint.port);
        try {
          await bootstrapSchema(client);
          await store.upsertVertices(fixture.vertices);
          // Account and movement requests in turn, so that the crash can cut either kind.
          const accountCalls = batchesOf(accounts).map(
            (batch) => () => store.upsertVertices(batch),
          );
          const movementCalls = batchesOf(movements).map(
            (batch) => () => store.upsertEdges(batch.map(movementEdge)),
          );
          const calls = movementCalls.flatMap((call, i) =>
            i < accountCalls.length ? [accountCalls[i], call] : [call],
          );
          const crash = await callThroughCrash(endpoint.local, calls);

          const storedMovements = await store.getEdges(movements.map((m) => m.movementId));
          const scanned = new Map<string, number>();
          let after: { timestamp: number; movementId: string } | undefined;
          for (;;) {
            const page = await store.scanMovements({
              from: t0,
              to: t0 + CRASH_MOVEMENTS,
              after,
              limit: 5_000,
            });
            for (const found of page) {
              scanned.set(found.movementId, (scanned.get(found.movementId) ?? 0) + 1);
            }
            if (page.length < 5_000) break;
            const last = page[page.length - 1];
            after = { timestamp: last.timestamp, movementId: last.movementId };
          }
          const storedAccounts = await store.getVertices(accounts.map((account) => account.uid));
          // Listed in uid order from just before this test's uids, until past them.
          const listed: string[] = [];
          let cursor: string | undefined = encodeUidCursor('Account', `acc:${tag}:`);
          while (cursor !== undefined) {
            const page = await store.listVertices({ label: 'Account', limit: 1_000, cursor });
            const ours = page.items.filter((vertex) => vertex.uid.startsWith(`acc:${tag}:`));
            listed.push(...ours.map((vertex) => vertex.uid));
            cursor = ours.length === page.items.length ? page.nextCursor : undefined;
          }
          const listedOnce = new Set(listed);
          expect({
            crashMidLoad: crash.midLoad,
            storedMovements: storedMovements.length,
            scanned: scanned.size,
            scannedTwice: [...scanned.values()].filter((count) => count > 1).length,
            missingFromScan: movements
              .map((movement) => movement.movementId)
              .filter((id) => !scanned.has(id))
              .slice(0, 5),
            storedAccounts: new Set(storedAccounts.map((vertex) => vertex.uid)).size,
            listed: listed.length,
            listedTwice: listed.length - listedOnce.size,
            missingFromListing: accounts
              .map((account) => account.uid)
              .filter((uid) => !listedOnce.has(uid))
              .slice(0, 5),
          }).toEqual({
            crashMidLoad: true,
            storedMovements: CRASH_MOVEMENTS,
            scanned: CRASH_MOVEMENTS,
            scannedTwice: 0,
            missingFromScan: [],
            storedAccounts: CRASH_ACCOUNTS,
            listed: CRASH_ACCOUNTS,
            listedTwice: 0,
            missingFromListing: [],
          });
        } finally {
          // Leave the graph as it was: the contract suite, which may run next on this server,
          // clears the whole graph before each of its tests.
          await dropVertices(client, [...fixture.vertices, ...accounts]).catch(() => undefined);
          await client.close();
        }
      },
      RESTART_TIMEOUT_MS,
    );
  },
);

/** Drops `vertices` and their edges, 500 per request. */
async function dropVertices(client: JanusGraphClient, vertices: readonly GraphVertex[]) {
  for (let i = 0; i < vertices.length; i += 500) {
    const uids = vertices.slice(i, i + 500).map((vertex) => vertex.uid);
    await client.submit(client.g.V().has('uid', P.within(uids)).sideEffect(__.drop()).count(), {
      operation: 'clean up',
    });
  }
}

function batchesOf<T>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += CRASH_BATCH) batches.push(items.slice(i, i + CRASH_BATCH));
  return batches;
}

/** How long one call waits for the killed server (the bulk loaders' GRAPH_OUTAGE_WAIT_MS). */
const CRASH_OUTAGE_WAIT_MS = 5 * 60_000;

/**
 * Makes `calls` in order, CRASH_WRITERS at a time, each call through `waitOutOutage` (the wait
 * of the bulk loaders, GRAPH_OUTAGE_WAIT_MS: tried again with backoff while the server does
 * not answer, any other error fails the test), and kills JanusGraph
 * (`service.sh restart --kill`) once CRASH_AFTER_CALLS calls have succeeded. `midLoad`: the
 * crash came while calls were still to be made and made at least one fail.
 */
async function callThroughCrash(
  local: Parameters<typeof janusGraphService>[0],
  calls: readonly (() => Promise<unknown>)[],
): Promise<{ midLoad: boolean }> {
  let next = 0;
  let failedCalls = 0;
  let succeededCalls = 0;
  let enoughSucceeded: () => void = () => undefined;
  const crashDue = new Promise<void>((resolve) => {
    enoughSucceeded = resolve;
  });
  const writer = async (): Promise<void> => {
    while (next < calls.length) {
      const call = calls[next];
      next += 1;
      await waitOutOutage(call, {
        waitMs: CRASH_OUTAGE_WAIT_MS,
        onWait: () => {
          failedCalls += 1;
        },
      });
      succeededCalls += 1;
      if (succeededCalls >= CRASH_AFTER_CALLS) enoughSucceeded();
    }
  };
  const writing = Promise.all(Array.from({ length: CRASH_WRITERS }, writer));
  // All calls done before the crash (not expected) still ends the wait: midLoad is then false.
  await Promise.race([crashDue, writing]);
  const madeBeforeCrash = next;
  await janusGraphService(local, 'restart', '--kill');
  await writing;
  return { midLoad: madeBeforeCrash < calls.length && failedCalls > 0 };
}
