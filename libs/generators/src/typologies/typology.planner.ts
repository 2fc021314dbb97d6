import { type Typology, TYPOLOGIES } from '@app/vocabulary';
import {
  bipartite,
  cycle,
  fanIn,
  fanOut,
  gatherScatter,
  type Injector,
  randomPattern,
  scatterGather,
  stack,
} from './aml-network.typologies';
import {
  dormantReactivation,
  highRiskJurisdiction,
  passThrough,
  roundAmounts,
  structuring,
  velocitySpike,
} from './aml-rules.typologies';
import {
  familyLoopDecoy,
  householdsOfTwoOrMore,
  merchantDecoys,
  payrollDecoys,
} from './decoys.typologies';
import {
  accountTakeover,
  cardVelocity,
  fraudRing,
  impossibleTravel,
  muleChain,
} from './fraud.typologies';
import {
  uboBelowThreshold,
  uboControlOnly,
  uboCycle,
  uboExactThreshold,
  uboLayeredChain,
  uboMultiPath,
} from './ownership.typologies';
import { type PlanContext, PlanBuilder } from './plan.builder';

/** The injector of every typology id of the vocabulary. */
export const INJECTORS: Readonly<Record<Typology, Injector>> = {
  'fan-out': fanOut,
  'fan-in': fanIn,
  cycle,
  'scatter-gather': scatterGather,
  'gather-scatter': gatherScatter,
  bipartite,
  stack,
  random: randomPattern,
  structuring,
  'pass-through': passThrough,
  'dormant-reactivation': dormantReactivation,
  'round-amounts': roundAmounts,
  'high-risk-jurisdiction': highRiskJurisdiction,
  'velocity-spike': velocitySpike,
  'fraud-ring': fraudRing,
  'account-takeover': accountTakeover,
  'mule-chain': muleChain,
  'card-velocity': cardVelocity,
  'impossible-travel': impossibleTravel,
  'ubo-layered-chain': uboLayeredChain,
  'ubo-multi-path': uboMultiPath,
  'ubo-cycle': uboCycle,
  'ubo-exact-threshold': uboExactThreshold,
  'ubo-below-threshold': uboBelowThreshold,
  'ubo-control-only': uboControlOnly,
};

/**
 * Plans every injected instance and decoy of a profile. Each instance draws from its own
 * random stream (`typology/<id>/<n>`), so adding a typology or an instance never changes the
 * others (except when two would pick the same account, which the claims prevent).
 */
export function planInjections(ctx: PlanContext): PlanBuilder {
  const plan = new PlanBuilder(ctx);
  for (const typology of TYPOLOGIES) {
    const count = ctx.profile.instances[typology];
    for (let n = 0; n < count; n++)
      INJECTORS[typology](plan, ctx.streams.for('typology', typology, n), n);
  }
  const decoys = ctx.profile.decoys;
  payrollDecoys(plan, decoys.payrollFanOut, 6);
  merchantDecoys(plan, ctx.streams.for('decoy', 'merchant'), decoys.merchantFanIn);
  const households = decoys.familyLoop > 0 ? householdsOfTwoOrMore(ctx.registry.persons) : [];
  for (let n = 0; n < decoys.familyLoop; n++) {
    familyLoopDecoy(plan, ctx.streams.for('decoy', 'family-loop', n), households);
  }
  return plan;
}
