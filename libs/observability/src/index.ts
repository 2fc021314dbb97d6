export * from './correlation';
export * from './logging.module';
export * from './redaction';
export * from './build-info';
