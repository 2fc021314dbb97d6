// Deletes a graph's storage through JanusGraph itself (service.sh wipe on the cql storage:
// drops the Cassandra keyspace named in the properties). Usage: groovy drop-graph.groovy <properties>
def graph = org.janusgraph.core.JanusGraphFactory.open(args[0])
org.janusgraph.core.JanusGraphFactory.drop(graph)
println "dropped the graph of " + args[0]
