export * from './bank/bank-options';
export * from './bank/dataset.model';
export * from './bank/generate-bank';
export * from './profiles/bank-profile';
export * from './random/prng';
export {
  integratedOwnership,
  rationalText,
  bpFraction,
  type ShareEdge,
} from './ownership/effective-ownership';
export { STRUCTURING_SUBTYPES, structuringBandFloor } from './typologies/aml-rules.typologies';
export type { PatternThresholds } from './typologies/plan.builder';
export * from './bank/seed-graph-store';
export * from './sinks/dataset-sink';
export {
  JsonlSink,
  LABEL_FILES,
  type FileSinkOptions,
  type JsonlSinkOptions,
} from './sinks/jsonl.sink';
export { CsvSink, csvField } from './sinks/csv.sink';
export * from './sinks/graph-store.sink';
export * from './importers';
export * from './importers/bank';
export * from './datasets';
export { readPatternFile, patternFileName, type PatternFile } from './injection/pattern-file';
export {
  planPatternInjection,
  type InjectionCandidate,
  type InjectionTarget,
  type PatternInjection,
  type PatternInjectionSummary,
} from './injection/pattern-injection';
export {
  generateBankWithPatterns,
  injectionCandidates,
  mergeInjection,
  mergeByTime,
  type InjectedBank,
} from './injection/injected-bank';
