// Public API of @app/risk-model: learned risk scoring of movements from labelled data, with
// time-respecting graph features, gradient-boosted trees, explanations and the model file.
export * from './features/feature-set';
export * from './features/feature-extractor';
export * from './features/identifier-uses';
export * from './model/boosted-trees';
export * from './model/model-card';
export * from './model/risk-model-file';
export * from './model/risk-scorer';
export * from './model/seeded-random';
export * from './training/train-risk-model';
export * from './training/compare-risk-models';
export * from './risk-model.module';
// A small seeded labelled bank, for tests of the commands built on this library.
export { syntheticBank } from './testing/synthetic-bank';
