// Public API of @app/streaming. The contract suite (needs jest) lives in ./contract and is
// imported by this library's spec files only.
export * from './message-broker.port';
export * from './topic-names';
export * from './memory/memory.broker';
export * from './pulsar/pulsar-websocket.broker';
export * from './pulsar/pulsar-native.broker';
export * from './pulsar/websocket-open';
export * from './broker-logger';
export * from './broker.factory';
export * from './streaming.health';
export * from './streaming.module';
export * from './messages/envelope.types';
export * from './messages/envelope.dto';
export * from './messages/envelope.codec';
export * from './sinks/pulsar.dataset-sink';
export * from './messages/bundle';
