import { HealthIndicatorService } from '@nestjs/terminus';
import { GraphStoreHealthIndicator, JanusGraphGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import { describeWithJanusGraph } from '@app/testing';
import type { JanusGraphEndpoint } from '@app/testing';
import { JanusGraphClient } from '../janusgraph.client';
import { bootstrapSchema } from './schema.bootstrap';
import { checkSchema, GraphSchemaNotReadyError, SCHEMA_BOOTSTRAP_COMMAND } from './schema.check';
import { indexNamesOf, schemaDefinition } from './schema.definition';
import { SchemaReadiness } from './schema.readiness';

/*
 * A graph WITHOUT schema on the real server: the server's own graph cannot lose its schema
 * (JanusGraph cannot drop property keys, and `clear()` keeps the schema on purpose), so each
 * test opens a scratch in-memory graph inside the same JanusGraph server and registers it under
 * a traversal source of its own. The application code under test reaches it exactly as it
 * reaches the real one: through a client whose JANUSGRAPH_TRAVERSAL_SOURCE names it (the schema
 * scripts work on the graph behind that traversal source).
 *
 * Test-only Groovy: constant text, the names arrive as bindings.
 */
const OPEN_SCRATCH_GRAPH = String.raw`
import org.janusgraph.graphdb.management.JanusGraphManager
def manager = JanusGraphManager.getInstance()
def directory = java.nio.file.Files.createTempDirectory('schema-readiness').toString()
def scratch = org.janusgraph.core.JanusGraphFactory.build()
    .set('storage.backend', 'inmemory')
    .set('index.search.backend', 'lucene')
    .set('index.search.directory', directory)
    .set('graph.graphname', graphName)
    .open()
manager.putGraph(graphName, scratch)
manager.putTraversalSource(sourceName, scratch.traversal())
directory
`;

const DROP_SCRATCH_GRAPH = String.raw`
import org.janusgraph.graphdb.management.JanusGraphManager
def manager = JanusGraphManager.getInstance()
// putGraph also registers '<graph>_traversal' on its own: remove both.
[sourceName, graphName + '_traversal'].each { manager.removeTraversalSource(it) }
def scratch = manager.removeGraph(graphName)
if (scratch != null) scratch.close()
new File(directory).deleteDir()
'dropped'
`;

/** Names of every property key, vertex label and graph index of the graph (repeats kept). */
const SCHEMA_NAMES = String.raw`
import org.janusgraph.core.PropertyKey
import org.janusgraph.core.VertexLabel
import org.apache.tinkerpop.gremlin.structure.Vertex
import org.apache.tinkerpop.gremlin.structure.Edge
def m = g.getGraph().openManagement()
try {
  def keys = m.getRelationTypes(PropertyKey).collect { it.name() }
  def labels = m.getVertexLabels().collect { it.name() }
  def indexes = (m.getGraphIndexes(Vertex) + m.getGraphIndexes(Edge)).collect { it.name() }
  groovy.json.JsonOutput.toJson([keys: keys, labels: labels, indexes: indexes])
} finally {
  m.rollback()
}
`;

interface ScratchGraph {
  client: JanusGraphClient;
  /** Another client on the same scratch graph (a second application). */
  connect(): Promise<JanusGraphClient>;
  drop(): Promise<void>;
}

let scratchCount = 0;

async function openScratchGraph(
  admin: JanusGraphClient,
  endpoint: JanusGraphEndpoint,
): Promise<ScratchGraph> {
  scratchCount += 1;
  const graphName = `readiness${process.pid}n${scratchCount}`;
  const sourceName = `${graphName}_g`;
  const [directory] = await admin.submitScript(OPEN_SCRATCH_GRAPH, { graphName, sourceName });
  const connect = async (): Promise<JanusGraphClient> => {
    const client = new JanusGraphClient({
      ...loadAllSettings().graph,
      host: endpoint.host,
      port: endpoint.port,
      traversalSource: sourceName,
    });
    await client.open();
    return client;
  };
  const client = await connect();
  return {
    client,
    connect,
    drop: async () => {
      await client.close();
      await admin.submitScript(DROP_SCRATCH_GRAPH, { graphName, sourceName, directory });
    },
  };
}

describeWithJanusGraph('JanusGraph schema readiness on a real server', (endpoint) => {
  let admin: JanusGraphClient;
  const scratches: ScratchGraph[] = [];

  beforeAll(async () => {
    admin = new JanusGraphClient({
      ...loadAllSettings().graph,
      host: endpoint.host,
      port: endpoint.port,
    });
    await admin.open();
  });

  afterAll(async () => {
    for (const scratch of scratches) await scratch.drop();
    await admin.close();
  });

  async function freshGraph(): Promise<ScratchGraph> {
    const scratch = await openScratchGraph(admin, endpoint);
    scratches.push(scratch);
    return scratch;
  }

  it('reports a graph without schema as not ready, with what is missing and what to run; after the bootstrap it is ready', async () => {
    const { client } = await freshGraph();
    const definition = schemaDefinition();

    const before = await checkSchema(client);
    expect(before.complete).toBe(false);
    expect(before.missingKeys).toEqual(definition.propertyKeys.map((key) => key.name));
    expect(before.missingVertexLabels).toEqual([...definition.vertexLabels]);
    expect(before.missingIndexes).toEqual(indexNamesOf(definition));
    expect(before.conflicts).toEqual([]);

    // What /health/ready of both apps shows (GraphStoreHealthIndicator over the store's ping).
    const indicator = new GraphStoreHealthIndicator(
      new JanusGraphGraphStore(client, { batchSize: 50 }),
      new HealthIndicatorService(),
    );
    const down = await indicator.isHealthy('graph');
    expect(down.graph.status).toBe('down');
    expect(down.graph.message).toContain(`${client.endpoint} is incomplete`);
    expect(down.graph.message).toContain('GRAPH_SCHEMA_BOOTSTRAP=true');
    expect(down.graph.message).toContain(SCHEMA_BOOTSTRAP_COMMAND);

    const report = await bootstrapSchema(client);
    expect(report.createdIndexes).toEqual(indexNamesOf(definition));

    expect(await checkSchema(client)).toEqual({
      complete: true,
      missingKeys: [],
      missingVertexLabels: [],
      missingEdgeLabels: [],
      missingIndexes: [],
      notEnabled: {},
      conflicts: [],
    });
    const fresh = new GraphStoreHealthIndicator(
      new JanusGraphGraphStore(client, { batchSize: 50 }),
      new HealthIndicatorService(),
    );
    await expect(fresh.isHealthy('graph')).resolves.toEqual({
      graph: { status: 'up', backend: 'janusgraph' },
    });
  });

  it('notices a schema that appears after the last verdict once the verdict is older than the recheck time', async () => {
    const { client } = await freshGraph();
    let clock = 0;
    const readiness = new SchemaReadiness(client, { recheckMs: 5_000, now: () => clock });
    await expect(readiness.assertReady()).rejects.toBeInstanceOf(GraphSchemaNotReadyError);
    await bootstrapSchema(client);
    clock = 4_999;
    await expect(readiness.assertReady()).rejects.toBeInstanceOf(GraphSchemaNotReadyError);
    clock = 5_000;
    await expect(readiness.assertReady()).resolves.toBeUndefined();
  });

  it('lets two apps bootstrap the same fresh graph at the same time (both succeed, one schema)', async () => {
    const scratch = await freshGraph();
    const client = scratch.client;
    const other = await scratch.connect();
    try {
      // The default retry delay: a run that loses the race waits for the other one to commit
      // (retrying at once can meet a key the other run has not finished creating).
      const [first, second] = await Promise.all([bootstrapSchema(client), bootstrapSchema(other)]);
      const definition = schemaDefinition();
      const indexes = indexNamesOf(definition);
      expect(Object.keys(first.statuses).sort()).toEqual([...indexes].sort());
      expect(Object.keys(second.statuses).sort()).toEqual([...indexes].sort());
      expect((await checkSchema(client)).complete).toBe(true);
      // One schema: every name exists once, however the two runs interleaved.
      const [names] = await client.submitScript(SCHEMA_NAMES, {});
      const stored = JSON.parse(String(names)) as Record<'keys' | 'labels' | 'indexes', string[]>;
      expect([...stored.keys].sort()).toEqual(definition.propertyKeys.map((k) => k.name).sort());
      expect([...stored.labels].sort()).toEqual([...definition.vertexLabels].sort());
      const graphIndexes = [...definition.compositeIndexes, ...definition.mixedIndexes];
      expect([...stored.indexes].sort()).toEqual(graphIndexes.map((index) => index.name).sort());
    } finally {
      await other.close();
    }
  });
});
