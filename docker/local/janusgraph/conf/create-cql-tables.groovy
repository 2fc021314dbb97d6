// Opens the graph of the given properties file (JanusGraph on Cassandra) again and again, in one
// JVM, until JanusGraph has created every table it needs and every Cassandra node knows them;
// then closes it. service.sh runs it when a first start on a new keyspace failed because a node
// answered "table ... does not exist": the schema change had not reached that node yet, and the
// CQL driver's schema agreement check does not always wait for it. Each open gets one or more
// tables further; here a retry costs about a second, a server start about ten.
//
//   java -cp <JanusGraph's classpath> groovy.ui.GroovyMain create-cql-tables.groovy FILE
import org.janusgraph.core.JanusGraphFactory

def properties = args[0]
def deadline = System.currentTimeMillis() + 180_000
def opens = 0
while (true) {
  opens++
  try {
    JanusGraphFactory.open(properties).close()
    println "create-cql-tables: every table exists on every node (graph opened after ${opens} tries)"
    System.exit(0)
  } catch (Exception e) {
    def root = e
    while (root.cause != null && root.cause != root) root = root.cause
    def missingTable = (root.message ?: '').contains('does not exist')
    if (!missingTable || System.currentTimeMillis() > deadline) {
      System.err.println "create-cql-tables: could not open the graph (try ${opens}): ${root}"
      System.exit(1)
    }
    Thread.sleep(1000)
  }
}
