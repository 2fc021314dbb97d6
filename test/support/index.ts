export * from './services/discovery';
export * from './services/with-services';
