// Test-only entry (imports jest globals): the GraphStore contract suite and its fixture.
// Spec files import it through the alias @app/graph-store-contract; production code never does.
export * from './graph-store.contract';
export * from './fixture';
export * from './expectations';
export * from './vertex-search.contract';
