export * from './dataset';
export * from './fault-scenario';
export * from './ingest-process';
export * from './pulsar-admin';
export * from './tcp-proxy';
export * from './verify';
export * from './wait';
