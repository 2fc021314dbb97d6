export * from './labels';
export * from './records';
export * from './schema';
export * from './ids';
export * from './money';
export * from './errors';
export * from './typologies';
export * from './clock';
