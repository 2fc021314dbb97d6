// Server-side init script (ScriptFileGremlinPlugin). Every entry of the map returned
// here becomes a global binding of the Gremlin Groovy script engine; a binding that is a
// TraversalSource is also registered as a traversal source for bytecode requests
// (drivers use traversalSource 'g').

// A stop (SIGTERM) lets the commits in flight finish before the graph closes.
// JanusGraph adds its own JVM shutdown hook to every graph it opens, and the JVM runs all shutdown
// hooks at once, so on a stop that hook closed the graph (it rolls back every open transaction,
// then closes the storage and the Lucene indexes) while Gremlin Server was still running requests.
// A commit writes the storage first and the mixed indexes second, and JanusGraph only logs a
// failure of the second step: a movement could be stored, reported as written, and be missing from
// every window scan. Here JanusGraph's hook is replaced by one that first waits for Gremlin Server
// to stop taking requests (its shutdown LifeCycleHook below, which it runs after shutting its
// thread pools down), then for every open transaction to end, at most DRAIN_SECONDS in all, and
// then closes the graph as before. When nothing is in flight it closes within milliseconds, like
// JanusGraph's hook. (Removing the hook altogether and leaving the close to Gremlin Server was
// tried and taken back: see docs/operations.md, "Stopping JanusGraph".)
def DRAIN_SECONDS = 20
def serverStopping = new java.util.concurrent.CountDownLatch(1)
def replaceGraphShutdownHook = { graphToClose, logger ->
    def field = org.janusgraph.graphdb.database.StandardJanusGraph.getDeclaredField('shutdownHook')
    field.setAccessible(true)
    def graphHook = field.get(graphToClose)
    if (graphHook == null) return
    def drainThenClose = {
        def deadline = System.nanoTime() + DRAIN_SECONDS * 1_000_000_000L
        if (!serverStopping.await(DRAIN_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
            logger.warn("stop: Gremlin Server did not begin its stop within ${DRAIN_SECONDS} s")
        }
        def open = { graphToClose.getOpenTransactions().findAll { it.isOpen() } }
        def inFlight = open()
        if (!inFlight.isEmpty()) logger.info("stop: waiting for ${inFlight.size()} open transaction(s) to end before closing the graph")
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20)
            inFlight = open()
        }
        if (!inFlight.isEmpty()) logger.warn("stop: ${inFlight.size()} transaction(s) still open after ${DRAIN_SECONDS} s; closing the graph anyway (they are rolled back)")
        graphToClose.close()
        logger.info("stop: graph closed")
    }
    Runtime.getRuntime().removeShutdownHook(graphHook)
    field.set(graphToClose, null)
    Runtime.getRuntime().addShutdownHook(new Thread(drainThenClose as Runnable, 'graph-close-after-commits'))
    logger.info("init.groovy: on a stop, the graph closes after the transactions in flight end (at most ${DRAIN_SECONDS} s)")
}

def globals = [:]

globals << [hook: [
        onStartUp: { ctx ->
            ctx.logger.info("init.groovy: graph opened, binding traversal source 'g'")
            replaceGraphShutdownHook(graph, org.slf4j.LoggerFactory.getLogger('init.groovy'))
        },
        onShutDown: { ctx ->
            ctx.logger.info("init.groovy: server shutting down")
            serverStopping.countDown()
        }
] as LifeCycleHook]

globals << [g: graph.traversal()]

globals
