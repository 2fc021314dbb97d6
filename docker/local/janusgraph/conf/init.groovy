// Server-side init script (ScriptFileGremlinPlugin). Every entry of the map returned
// here becomes a global binding of the Gremlin Groovy script engine; a binding that is a
// TraversalSource is also registered as a traversal source for bytecode requests
// (drivers use traversalSource 'g').
def globals = [:]

globals << [hook: [
        onStartUp: { ctx ->
            ctx.logger.info("init.groovy: graph opened, binding traversal source 'g'")
        },
        onShutDown: { ctx ->
            ctx.logger.info("init.groovy: server shutting down")
        }
] as LifeCycleHook]

globals << [g: graph.traversal()]

globals
