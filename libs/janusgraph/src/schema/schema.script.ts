/*
 * Groovy run by Gremlin Server for schema management, the one thing the bytecode API cannot do.
 * The scripts are constant text: everything variable (key names, types, index definitions)
 * arrives in the `specJson` binding as JSON, so nothing is ever spliced into the script.
 *
 * Rules learnt the hard way (see docker/local/janusgraph/README.md):
 *   - every `graph.openManagement()` is closed with commit() or rollback(), even on errors; a
 *     leaked management transaction keeps indexes on existing keys stuck in INSTALLED;
 *   - an index built on keys created in the same management transaction is ENABLED at once;
 *     an index on keys that already existed must go INSTALLED -> REGISTERED -> (REINDEX) ->
 *     ENABLED, which `SCHEMA_AWAIT_SCRIPT` drives;
 *   - mixed index names must be letters and digits only.
 *
 * Every script works on the graph behind the request's traversal source (`g`, aliased by the
 * client to JANUSGRAPH_TRAVERSAL_SOURCE), not on the server's global `graph` binding: a server
 * holding several graphs gets the schema on the graph the application actually uses.
 */

/**
 * Creates whatever is missing (keys, labels, indexes) in ONE management transaction and
 * returns a JSON report. Existing keys with another data type and composite indexes on other
 * keys are reported as problems, and nothing is changed in that case; mixed indexes lacking
 * keys are reported as warnings. Returns the status of every index (per key) after the commit.
 */
export const SCHEMA_CREATE_SCRIPT = String.raw`
import org.janusgraph.core.Cardinality
import org.janusgraph.core.Multiplicity
import org.janusgraph.core.schema.ConsistencyModifier
import org.janusgraph.core.schema.Mapping
import org.janusgraph.core.schema.SchemaStatus
import org.apache.tinkerpop.gremlin.structure.Vertex
import org.apache.tinkerpop.gremlin.structure.Edge
import org.apache.tinkerpop.gremlin.structure.Direction
import org.apache.tinkerpop.gremlin.process.traversal.Order

def graph = g.getGraph()
def spec = new groovy.json.JsonSlurper().parseText(specJson)
def javaTypes = [String: String, Long: Long, Integer: Integer, Double: Double, Boolean: Boolean]
def report = [createdKeys: [], createdVertexLabels: [], createdEdgeLabels: [], createdIndexes: [],
              warnings: [], problems: [], statuses: [:]]
def mgmt = graph.openManagement()
try {
  spec.propertyKeys.each { k ->
    def wanted = javaTypes[k.dataType]
    if (mgmt.containsPropertyKey(k.name)) {
      def key = mgmt.getPropertyKey(k.name)
      if (key.dataType() != wanted) {
        report.problems << ("property key '" + k.name + "' exists with data type " + key.dataType().simpleName +
            " but the vocabulary stores it as " + k.dataType + "; it was probably created automatically by a write before the schema bootstrap ran. Start from an empty graph or drop the key's data.")
      } else if (key.cardinality() != Cardinality.SINGLE) {
        report.problems << ("property key '" + k.name + "' exists with cardinality " + key.cardinality() + " but must be SINGLE")
      }
    }
  }
  if (!report.problems.isEmpty()) {
    mgmt.rollback()
    return groovy.json.JsonOutput.toJson(report)
  }
  spec.propertyKeys.each { k ->
    if (!mgmt.containsPropertyKey(k.name)) {
      mgmt.makePropertyKey(k.name).dataType(javaTypes[k.dataType]).cardinality(Cardinality.SINGLE).make()
      report.createdKeys << k.name
    }
  }
  spec.vertexLabels.each { name ->
    if (!mgmt.containsVertexLabel(name)) { mgmt.makeVertexLabel(name).make(); report.createdVertexLabels << name }
  }
  spec.edgeLabels.each { name ->
    if (!mgmt.containsEdgeLabel(name)) { mgmt.makeEdgeLabel(name).multiplicity(Multiplicity.MULTI).make(); report.createdEdgeLabels << name }
  }
  def elementClass = { e -> e == 'vertex' ? Vertex : Edge }
  def schemaLabel = { e, name -> e == 'vertex' ? mgmt.getVertexLabel(name) : mgmt.getEdgeLabel(name) }
  spec.compositeIndexes.each { ix ->
    if (mgmt.containsGraphIndex(ix.name)) {
      def existing = mgmt.getGraphIndex(ix.name).getFieldKeys().collect { it.name() } as Set
      if (existing != (ix.keys as Set)) {
        report.problems << ("composite index '" + ix.name + "' exists on keys " + existing.sort() + " but the schema wants " +
            ix.keys.sort() + "; composite indexes cannot change, so drop and recreate it on an empty graph")
      }
      return
    }
    def builder = mgmt.buildIndex(ix.name, elementClass(ix.element))
    ix.keys.each { builder.addKey(mgmt.getPropertyKey(it)) }
    if (ix.label) builder.indexOnly(schemaLabel(ix.element, ix.label))
    if (ix.unique) builder.unique()
    def index = builder.buildCompositeIndex()
    if (ix.unique) mgmt.setConsistency(index, ConsistencyModifier.LOCK)
    report.createdIndexes << ix.name
  }
  spec.mixedIndexes.each { ix ->
    if (mgmt.containsGraphIndex(ix.name)) {
      // Not repaired on purpose: keys added to an existing Lucene index with addIndexKey lose
      // their STRING mapping in JanusGraph 1.1 (range queries on them then answer wrongly).
      def existing = mgmt.getGraphIndex(ix.name).getFieldKeys().collect { it.name() } as Set
      def missing = ix.keys.collect { it.name }.findAll { !existing.contains(it) }
      if (!missing.isEmpty()) {
        report.warnings << ("mixed index '" + ix.name + "' lacks keys " + missing + " (it was created by an older schema); " +
            "queries on them still answer correctly but without the index. Recreate the schema on an empty graph to fix it.")
      }
      return
    }
    def builder = mgmt.buildIndex(ix.name, elementClass(ix.element))
    ix.keys.each { k ->
      if (k.mapping == 'DEFAULT') builder.addKey(mgmt.getPropertyKey(k.name))
      else builder.addKey(mgmt.getPropertyKey(k.name), Mapping.valueOf(k.mapping).asParameter())
    }
    if (ix.label) builder.indexOnly(schemaLabel(ix.element, ix.label))
    builder.buildMixedIndex(spec.mixedIndexBackend)
    report.createdIndexes << ix.name
  }
  spec.edgeIndexes.each { ix ->
    def label = mgmt.getEdgeLabel(ix.edgeLabel)
    if (mgmt.containsRelationIndex(label, ix.name)) return
    def keys = ix.keys.collect { mgmt.getPropertyKey(it) } as org.janusgraph.core.PropertyKey[]
    mgmt.buildEdgeIndex(label, ix.name, Direction.valueOf(ix.direction), Order.valueOf(ix.order), keys)
    report.createdIndexes << ix.name
  }
  if (!report.problems.isEmpty()) {
    mgmt.rollback()
    return groovy.json.JsonOutput.toJson(report)
  }
  mgmt.commit()
} catch (Throwable e) {
  if (mgmt.isOpen()) mgmt.rollback()
  throw e
}

def check = graph.openManagement()
try {
  (spec.compositeIndexes + spec.mixedIndexes).each { ix ->
    def index = check.getGraphIndex(ix.name)
    report.statuses[ix.name] = index.getFieldKeys().collect { index.getIndexStatus(it).toString() }.unique()
  }
  spec.edgeIndexes.each { ix ->
    def index = check.getRelationIndex(check.getEdgeLabel(ix.edgeLabel), ix.name)
    report.statuses[ix.name] = [index.getIndexStatus().toString()]
  }
} finally {
  check.rollback()
}
groovy.json.JsonOutput.toJson(report)
`;

/**
 * Brings ONE index that is not ENABLED yet to ENABLED: waits for REGISTERED (registering it if
 * it stays INSTALLED), reindexes the existing data, then waits for ENABLED. Bindings:
 * `indexName`, `edgeLabel` (for a vertex-centric edge index, else null), `timeoutSeconds`.
 * Returns the final status as a string.
 */
export const SCHEMA_AWAIT_SCRIPT = String.raw`
import org.janusgraph.core.schema.SchemaAction
import org.janusgraph.core.schema.SchemaStatus
import org.janusgraph.graphdb.database.management.ManagementSystem
import java.time.temporal.ChronoUnit

def graph = g.getGraph()
def statusOf = {
  def m = graph.openManagement()
  try {
    if (edgeLabel) return [m.getRelationIndex(m.getEdgeLabel(edgeLabel), indexName).getIndexStatus()]
    def index = m.getGraphIndex(indexName)
    return index.getFieldKeys().collect { index.getIndexStatus(it) }.unique()
  } finally {
    m.rollback()
  }
}
def await = { SchemaStatus status ->
  def watcher = edgeLabel ? ManagementSystem.awaitRelationIndexStatus(graph, indexName, edgeLabel)
                          : ManagementSystem.awaitGraphIndexStatus(graph, indexName)
  watcher.status(status).timeout(timeoutSeconds as long, ChronoUnit.SECONDS).call()
}
def update = { SchemaAction action ->
  def m = graph.openManagement()
  try {
    def index = edgeLabel ? m.getRelationIndex(m.getEdgeLabel(edgeLabel), indexName) : m.getGraphIndex(indexName)
    m.updateIndex(index, action).get()
    m.commit()
  } catch (Throwable e) {
    if (m.isOpen()) m.rollback()
    throw e
  }
}

def statuses = statusOf()
if (statuses == [SchemaStatus.ENABLED]) return 'ENABLED'
if (statuses.contains(SchemaStatus.DISABLED) || statuses.contains(SchemaStatus.DISCARDED)) {
  return 'DISABLED'
}
if (statuses.contains(SchemaStatus.INSTALLED)) {
  await(SchemaStatus.REGISTERED)
  if (statusOf().contains(SchemaStatus.INSTALLED)) {
    update(SchemaAction.REGISTER_INDEX)
    await(SchemaStatus.REGISTERED)
  }
}
if (statusOf().contains(SchemaStatus.REGISTERED)) {
  update(SchemaAction.REINDEX)
}
await(SchemaStatus.ENABLED)
def last = statusOf()
last.size() == 1 ? last[0].toString() : last.collect { it.toString() }.join(',')
`;

/**
 * Compares the graph's schema with the spec (binding `specJson`, the same JSON as for
 * `SCHEMA_CREATE_SCRIPT`) in one read-only management transaction, always rolled back, and
 * returns a JSON report: missing keys, labels and indexes, conflicts the bootstrap cannot
 * repair, and the status of every index that exists. Cheap enough for a readiness probe
 * (a few milliseconds on the server); it never writes.
 */
export const SCHEMA_CHECK_SCRIPT = String.raw`
import org.janusgraph.core.Cardinality

def graph = g.getGraph()
def spec = new groovy.json.JsonSlurper().parseText(specJson)
def javaTypes = [String: String, Long: Long, Integer: Integer, Double: Double, Boolean: Boolean]
def report = [missingKeys: [], missingVertexLabels: [], missingEdgeLabels: [], missingIndexes: [],
              conflicts: [], statuses: [:]]
def mgmt = graph.openManagement()
try {
  spec.propertyKeys.each { k ->
    if (!mgmt.containsPropertyKey(k.name)) { report.missingKeys << k.name; return }
    def key = mgmt.getPropertyKey(k.name)
    if (key.dataType() != javaTypes[k.dataType]) {
      report.conflicts << ("property key '" + k.name + "' has data type " + key.dataType().simpleName + " but the vocabulary stores it as " + k.dataType)
    } else if (key.cardinality() != Cardinality.SINGLE) {
      report.conflicts << ("property key '" + k.name + "' has cardinality " + key.cardinality() + " but must be SINGLE")
    }
  }
  spec.vertexLabels.each { name -> if (!mgmt.containsVertexLabel(name)) report.missingVertexLabels << name }
  spec.edgeLabels.each { name -> if (!mgmt.containsEdgeLabel(name)) report.missingEdgeLabels << name }
  spec.compositeIndexes.each { ix ->
    if (!mgmt.containsGraphIndex(ix.name)) { report.missingIndexes << ix.name; return }
    def index = mgmt.getGraphIndex(ix.name)
    def existing = index.getFieldKeys().collect { it.name() } as Set
    if (existing != (ix.keys as Set)) {
      report.conflicts << ("composite index '" + ix.name + "' is on keys " + existing.sort() + " but the schema wants " + ix.keys.sort())
    }
    report.statuses[ix.name] = index.getFieldKeys().collect { index.getIndexStatus(it).toString() }.unique()
  }
  spec.mixedIndexes.each { ix ->
    if (!mgmt.containsGraphIndex(ix.name)) { report.missingIndexes << ix.name; return }
    def index = mgmt.getGraphIndex(ix.name)
    report.statuses[ix.name] = index.getFieldKeys().collect { index.getIndexStatus(it).toString() }.unique()
  }
  spec.edgeIndexes.each { ix ->
    def label = mgmt.containsEdgeLabel(ix.edgeLabel) ? mgmt.getEdgeLabel(ix.edgeLabel) : null
    if (label == null || !mgmt.containsRelationIndex(label, ix.name)) { report.missingIndexes << ix.name; return }
    report.statuses[ix.name] = [mgmt.getRelationIndex(label, ix.name).getIndexStatus().toString()]
  }
} finally {
  mgmt.rollback()
}
groovy.json.JsonOutput.toJson(report)
`;

/**
 * Loads every schema element of the graph into the server's schema cache and returns a JSON
 * report `{ elements, failed }`. Read-only (its transaction is rolled back).
 *
 * Why: on Cassandra, JanusGraph reads its schema (the names and definitions of labels, keys
 * and indexes) at QUORUM, whatever `storage.cql.read-consistency-level` says, and keeps what it
 * read in a cache for the life of the server process. A schema element first needed while a
 * replica is down (the label of an edge read for the first time, say) then cannot be read, and
 * every read that needs it fails with "backend exception" until the node is back, although the
 * data itself is readable at ONE. Reading the whole schema once, while the cluster is whole,
 * makes later reads need the data only. A schema change expires the changed elements, so the
 * bootstrap warms the cache again after creating anything.
 *
 * For every schema vertex (labels, keys, indexes, type modifiers): its name (type modifiers have
 * none), its definition, its schema edges in both directions (which index covers which key),
 * and its name lookup.
 */
export const SCHEMA_WARM_SCRIPT = String.raw`
import org.apache.tinkerpop.gremlin.structure.Direction
import org.janusgraph.graphdb.internal.JanusGraphSchemaCategory
import org.janusgraph.graphdb.query.QueryUtil
import org.janusgraph.graphdb.types.TypeDefinitionCategory
import org.janusgraph.graphdb.types.system.BaseKey
import org.janusgraph.graphdb.types.vertices.JanusGraphSchemaVertex

def tx = g.getGraph().newTransaction()
int elements = 0
def failed = []
try {
  JanusGraphSchemaCategory.values().each { category ->
    QueryUtil.getVertices(tx, BaseKey.SchemaCategory, category).each { vertex ->
      if (!(vertex instanceof JanusGraphSchemaVertex)) return
      try {
        // A type modifier (the LOCK consistency of a key, say) has a definition and no name.
        def name = category == JanusGraphSchemaCategory.TYPE_MODIFIER ? null : vertex.name()
        vertex.getDefinition()
        vertex.getRelated(TypeDefinitionCategory.INDEX_FIELD, Direction.OUT)
        vertex.getRelated(TypeDefinitionCategory.INDEX_FIELD, Direction.IN)
        if (category == JanusGraphSchemaCategory.EDGELABEL || category == JanusGraphSchemaCategory.PROPERTYKEY) {
          tx.getRelationType(name)
        } else if (category == JanusGraphSchemaCategory.VERTEXLABEL) {
          tx.getVertexLabel(name)
        } else if (category == JanusGraphSchemaCategory.GRAPHINDEX) {
          tx.getSchemaVertex(category.getSchemaName(name))
        }
        elements++
      } catch (Exception e) {
        failed << (category.toString() + ' ' + vertex.longId() + ': ' + e.getMessage())
      }
    }
  }
} finally {
  tx.rollback()
}
groovy.json.JsonOutput.toJson([elements: elements, failed: failed])
`;

/**
 * Removes from one label's mixed index the stale entries of one page of it: the `pageSize`
 * entries with a uid after `after`, in uid order (Lucene answers the order and the limit, so a
 * request reads one page, not the whole label). A stale entry is one whose vertex the storage no
 * longer holds (a drop cut short between its storage commit and its index commit leaves them;
 * a reindex does not remove them): the index returns it and the storage does not know it, so it
 * reads as a vertex without a `uid`. JanusGraph's `StaleIndexRecordUtil` removes each one, given
 * a record that names every property key of the index (`record`; the values are not looked at,
 * and a key left out stays in the index). Answers JSON: `rows` (entries in the page), `removed`
 * (the ids of the stale ones, as text) and `last` (the last live uid of the page, '' if none).
 * Bindings: `vertexLabel`, `indexName`, `record`, `after`, `pageSize`.
 */
export const REMOVE_STALE_INDEX_ENTRIES_SCRIPT = String.raw`
import org.janusgraph.graphdb.database.util.StaleIndexRecordUtil

def graph = g.getGraph()
def rows = g.V().hasLabel(vertexLabel).has('uid', P.gt(after)).order().by('uid').limit(pageSize)
  .project('id', 'uid').by(__.id()).by(__.coalesce(__.values('uid'), __.constant(''))).toList()
def stale = rows.findAll { it.uid == '' }.collect { it.id }
stale.each { id -> StaleIndexRecordUtil.forceRemoveVertexFromGraphIndex(id, record, graph, indexName) }
def live = rows.findAll { it.uid != '' }
groovy.json.JsonOutput.toJson([
  rows: rows.size(),
  removed: stale.collect { it.toString() },
  last: live.isEmpty() ? '' : live.last().uid
])
`;
