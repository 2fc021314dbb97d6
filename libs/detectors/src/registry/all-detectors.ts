import { bipartiteDetector } from '../aml/bipartite.detector';
import { cashAggregationDetector } from '../aml/cash-aggregation.detector';
import { cycleDetector } from '../aml/cycle.detector';
import { dormantReactivationDetector } from '../aml/dormant-reactivation.detector';
import { fanInDetector, fanOutDetector } from '../aml/fan.detector';
import { gatherScatterDetector } from '../aml/gather-scatter.detector';
import { layeringChainDetector } from '../aml/layering-chain.detector';
import { highRiskJurisdictionDetector } from '../aml/high-risk-jurisdiction.detector';
import { passThroughDetector } from '../aml/pass-through.detector';
import { roundAmountsDetector } from '../aml/round-amounts.detector';
import { scatterGatherDetector } from '../aml/scatter-gather.detector';
import { sparseBipartiteDetector } from '../aml/sparse-bipartite.detector';
import { spikeDetector } from '../aml/spike.detector';
import { stackChainDetector } from '../aml/stack-chain.detector';
import { stackDetector } from '../aml/stack.detector';
import { structuringDetector } from '../aml/structuring.detector';
import { velocityDetector } from '../aml/velocity.detector';
import type { Detector } from '../core/detector';
import { accountTakeoverDetector } from '../fraud/account-takeover.detector';
import { cardVelocityDetector } from '../fraud/card-velocity.detector';
import { fraudRingDetector } from '../fraud/fraud-ring.detector';
import { impossibleTravelDetector } from '../fraud/impossible-travel.detector';
import { muleChainDetector } from '../fraud/mule-chain.detector';

/** Every rule this library ships, in documentation order (AML first, then fraud). */
export const ALL_DETECTORS: readonly Detector[] = [
  structuringDetector,
  cashAggregationDetector,
  fanInDetector,
  fanOutDetector,
  cycleDetector,
  scatterGatherDetector,
  gatherScatterDetector,
  bipartiteDetector,
  sparseBipartiteDetector,
  stackDetector,
  stackChainDetector,
  passThroughDetector,
  layeringChainDetector,
  dormantReactivationDetector,
  roundAmountsDetector,
  highRiskJurisdictionDetector,
  velocityDetector,
  spikeDetector,
  fraudRingDetector,
  muleChainDetector,
  accountTakeoverDetector,
  cardVelocityDetector,
  impossibleTravelDetector,
];
