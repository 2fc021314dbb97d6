import type { DetectorsConfig } from '@app/settings';
import type { ActivityDetector } from '../core/detector';

import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import { ChainEvaluator } from '../fraud/mule-chain.detector';
import type { MuleChainParams } from '../fraud/mule-chain.detector';

export type LayeringChainParams = MuleChainParams;

const RULE_ID = 'aml.layering-chain';

/**
 * Layering walk: funds hop on from account to account over hours or days, each hop a little
 * smaller than the one before, and may pass through an account twice — the random-walk
 * pattern of AMLSim ("random" typology). Slower and longer than a mule chain.
 */
export const layeringChainDetector: ActivityDetector<LayeringChainParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'random',
  family: 'aml',
  specificity: 1,
  description:
    'Funds hopping on through a chain of accounts, each hop within days of the previous one and carrying most of its amount, revisits allowed (a layering walk).',
  source:
    'IBM AMLSim RandomTypology (random walk of funds within a group); FATF layering indicators',
  parameters: [
    {
      name: 'maxHopMinutes',
      kind: 'integer',
      min: 1,
      max: 60 * 24 * 30,
      description: 'Longest wait between receiving and passing on.',
    },
    {
      name: 'minHops',
      kind: 'integer',
      min: 2,
      max: 100,
      description: 'Movements in a chain needed to fire.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Share of the previous hop each hop carries at least.',
    },
    {
      name: 'maxGain',
      kind: 'number',
      min: 0,
      max: 10,
      description: 'Share above the previous hop a hop may carry.',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (_config: DetectorsConfig): LayeringChainParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    minAmount: '1000.00',
    maxHopMinutes: 72 * 60,
    minHops: 5,
    minRetained: 0.9,
    maxGain: 0,
  }),
  lookbackMs: (params) => params.maxHopMinutes * 60_000 * params.minHops,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => {
    const filter = new TransferFilter(params);
    return new ChainEvaluator(params, context, {
      ruleId: RULE_ID,
      allowRevisits: true,
      accepts: (m) => filter.accepts(m),
    });
  },
};
