// Production entry of @app/ubo. The parity suite (needs jest) lives in ./contract and is
// imported by spec files only.
export * from './ubo.types';
export * from './regimes';
export {
  BP_PER_WHOLE,
  formatRational,
  fromBp,
  meetsThreshold,
  parseRational,
  percentText,
  ShareInterval,
} from './core/share-interval';
export { computeOwnership } from './core/compute-ownership';
export type { ComputeExtras, UboLimits } from './core/compute-ownership';
export { RISK_WEIGHTS, layeringWeight } from './core/risk';
export * from './ownership-network';
export * from './structure-builder';
export * from './ubo.contract-cases';
export * from './ubo.service';
export * from './ubo.module';
export * from './bods/bods.types';
export * from './bods/bods-import';
export * from './bods/bods-export';
