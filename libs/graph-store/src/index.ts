// Production entry of @app/graph-store. The contract suite (which needs jest) lives in
// ./contract and is imported by spec files only (alias @app/graph-store-contract).
export * from './graph-store.port';
export * from './batch-validation';
export * from './memory/memory.graph-store';
export * from './graph-store.module';
export * from './graph-store.health';
export * from './janusgraph/janusgraph.graph-store';
export * from './janusgraph/janusgraph.graph-store.factory';
export * from './vertex-search';
export * from './outage-wait';
