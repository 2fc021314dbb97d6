/** A value a tuning grid may try for one parameter (decimal amounts are strings, as in overrides). */
export type GridValue = number | string;

/** The parameters of one rule that `seeder tune` searches, each with the values it may try. */
export type RuleGrid = Readonly<Record<string, readonly GridValue[]>>;

/**
 * The declared search space of `seeder tune`: for each AML rule, its main parameters and a short
 * list of values around the default. Parameters are searched one at a time in the order written
 * here (the most influential first), and values in the order listed. The values stay inside each
 * rule's definition of its typology (a fan keeps at least 2 counterparties, a cycle at least 2
 * hops); they are not fitted to one file. Rules that are not listed (reporting duties such as
 * cash aggregation, the high-risk jurisdiction list) keep their parameters.
 */
export const TUNING_GRIDS: Readonly<Record<string, RuleGrid>> = {
  'aml.structuring': {
    bandPercent: [5, 10, 15, 20],
    minTransactions: [2, 3, 4, 5],
    windowDays: [7, 14, 30],
  },
  'aml.fan-in': {
    minCounterparties: [3, 4, 5, 6, 8, 10],
    minTotal: ['1000.00', '5000.00', '10000.00', '25000.00', '50000.00'],
    minAmount: ['100.00', '250.00', '500.00', '1000.00', '2500.00'],
    windowDays: [3, 7, 14],
    minSpreadShare: [0.05, 0.15, 0.3],
  },
  'aml.fan-out': {
    minCounterparties: [3, 4, 5, 6, 8, 10],
    minTotal: ['1000.00', '5000.00', '10000.00', '25000.00', '50000.00'],
    minAmount: ['100.00', '250.00', '500.00', '1000.00', '2500.00'],
    windowDays: [3, 7, 14],
    minSpreadShare: [0.05, 0.15, 0.3],
  },
  'aml.cycle': {
    minRetained: [0.3, 0.5, 0.7, 0.9],
    maxLength: [4, 6, 8, 12],
    windowDays: [7, 14, 30],
    minAmount: ['100.00', '500.00', '1000.00', '5000.00'],
  },
  'aml.scatter-gather': {
    minCounterparties: [3, 4, 5, 6, 8],
    minRetained: [0.5, 0.7, 0.9],
    minTotal: ['1000.00', '5000.00', '10000.00', '25000.00'],
    windowDays: [7, 14, 30],
  },
  'aml.gather-scatter': {
    minCounterparties: [3, 4, 5, 6, 8],
    minRetained: [0.1, 0.2, 0.5],
    minTotal: ['1000.00', '5000.00', '10000.00', '25000.00'],
    windowDays: [7, 14, 30],
  },
  'aml.bipartite': {
    minSenders: [2, 3, 4, 5],
    minReceivers: [2, 3, 4, 5],
    windowDays: [3, 7, 14],
  },
  'aml.sparse-bipartite': {
    minPairs: [2, 3, 4, 6],
    minMultiple: [2, 3, 5],
    windowDays: [1, 3, 7],
  },
  'aml.stack': {
    minLayerSize: [2, 3, 4],
    minRetained: [0.5, 0.7, 0.9],
    windowDays: [3, 7, 14],
  },
  'aml.stack-chain': {
    minRetained: [0.7, 0.85, 0.95],
    hopHours: [48, 96, 168],
    minAmount: ['500.00', '1000.00', '5000.00'],
  },
  'aml.pass-through': {
    minRatio: [0.8, 0.9, 0.95],
    minAmount: ['1000.00', '5000.00', '10000.00'],
    windowHours: [24, 48, 96],
  },
  'aml.layering-chain': {
    minHops: [2, 3, 4, 5],
    maxHopHours: [48, 120, 240],
    minAmount: ['500.00', '1000.00', '5000.00'],
  },
  'aml.dormant-reactivation': {
    dormantDays: [90, 180, 360],
    minAmount: ['0.00', '1000.00', '10000.00'],
  },
  'aml.round-amounts': {
    minTransactions: [5, 10, 20],
    minRoundShare: [0.5, 0.7, 0.9],
  },
  'aml.velocity': {
    perDay: [20, 50, 100, 200],
  },
  'aml.spike': {
    factor: [3, 5, 10],
    minTransactions: [10, 20, 40],
  },
};
