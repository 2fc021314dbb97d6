export * from './services/discovery';
export * from './services/with-services';
export * from './janusgraph-store';
export * from './prometheus-sample';
