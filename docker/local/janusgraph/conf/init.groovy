// Server-side init script (ScriptFileGremlinPlugin). Every entry of the map returned
// here becomes a global binding of the Gremlin Groovy script engine; a binding that is a
// TraversalSource is also registered as a traversal source for bytecode requests
// (drivers use traversalSource 'g').

// One orderly close on SIGTERM. JanusGraph registers its own JVM shutdown hook on every graph it
// opens, and the JVM runs shutdown hooks at the same time. So on a stop, that hook closed the
// graph (storage and Lucene indexes) while Gremlin Server was still running the requests in
// flight: a transaction could commit to the storage, then find its mixed index closed. JanusGraph
// only logs such an index failure and still reports the commit as successful, so the elements
// were stored but missing from every mixed-index query (a movement the alert scan never sees).
// Gremlin Server's own hook stops taking requests, waits for those in flight (up to 30 s), and
// only then closes the graphs: with the graph's hook removed, it is the only one closing them.
def removeGraphShutdownHook = { graphToClose, logger ->
    def field = org.janusgraph.graphdb.database.StandardJanusGraph.getDeclaredField('shutdownHook')
    field.setAccessible(true)
    def graphHook = field.get(graphToClose)
    if (graphHook == null) return
    Runtime.getRuntime().removeShutdownHook(graphHook)
    field.set(graphToClose, null)
    logger.info("init.groovy: the graph closes after the requests in flight on a stop (JanusGraph's own shutdown hook removed)")
}

def globals = [:]

globals << [hook: [
        onStartUp: { ctx ->
            ctx.logger.info("init.groovy: graph opened, binding traversal source 'g'")
            removeGraphShutdownHook(graph, ctx.logger)
        },
        onShutDown: { ctx ->
            ctx.logger.info("init.groovy: server shutting down")
        }
] as LifeCycleHook]

globals << [g: graph.traversal()]

globals
