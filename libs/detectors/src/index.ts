// Public API of @app/detectors: AML and fraud rules, batch and per-event engines, alert storage,
// evaluation against ground truth.
export * from './core/detector';
export * from './core/activity';
export * from './core/account-directory';
export * from './core/parameters';
export * from './core/scoring';
export * from './core/episode-tracker';
export * from './core/business-day';
export * from './core/movement-risk-hook';
export * from './core/convertible';

export * from './aml/structuring.detector';
export * from './aml/cash-aggregation.detector';
export * from './aml/fan.detector';
export * from './aml/cycle.detector';
export * from './aml/scatter-gather.detector';
export * from './aml/gather-scatter.detector';
export * from './aml/bipartite.detector';
export * from './aml/stack.detector';
export * from './aml/stack-chain.detector';
export * from './aml/pass-through.detector';
export * from './aml/layering-chain.detector';
export * from './aml/dormant-reactivation.detector';
export * from './aml/round-amounts.detector';
export * from './aml/high-risk-jurisdiction.detector';
export * from './aml/velocity.detector';
export * from './aml/spike.detector';
export * from './fraud/fraud-ring.detector';
export * from './fraud/mule-chain.detector';
export * from './fraud/account-takeover.detector';
export * from './fraud/card-velocity.detector';
export * from './fraud/impossible-travel.detector';

export * from './engine/alert-collector';
export * from './engine/batch-detection';
export * from './engine/activity-replay';
export * from './engine/chunked-detection';
export * from './engine/dataset';
export type { IdentifierUse } from './engine/types';
export * from './engine/store-scan';
export * from './engine/store-account-directory';
export * from './engine/store-identifier-uses';
export * from './engine/stream-detection.engine';

export * from './registry/all-detectors';
export * from './registry/detector.registry';
export * from './registry/rule-parameters-file';
export * from './registry/base-money.provider';
export * from './registry/detectors.tokens';
export * from './registry/detectors.module';

export * from './alerts/alert-status-history';
export * from './alerts/graph.alert-status-history';
export * from './alerts/alert.repository';

export * from './services/detection.service';
export * from './services/fraud-ring.service';
export * from './services/account-risk.service';
export * from './services/stream-detection.service';
export * from './engine/store-holders';
export * from './evaluation/evaluation';
export * from './engine/consolidation';
export * from './evaluation/run-evaluation';
