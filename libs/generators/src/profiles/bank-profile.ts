import type { Typology } from '@app/vocabulary';
import { TYPOLOGIES } from '@app/vocabulary';

export const PROFILE_NAMES = ['tiny', 'small', 'medium', 'large'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Sizes of injected patterns; each instance draws its own size within the range. */
export interface PatternShapes {
  /** Beneficiaries of a fan-out and originators of a fan-in (at least 5 = more than 4). */
  fanDegree: readonly [number, number];
  /** Accounts in a money cycle (hops = accounts). */
  cycleLength: readonly [number, number];
  /** Intermediaries of scatter-gather and each side of gather-scatter. */
  scatterWidth: readonly [number, number];
  /** Each side of a bipartite pattern. */
  bipartiteSide: readonly [number, number];
  /** Width of each of the three layers of a stack. */
  stackWidth: readonly [number, number];
  /** Accounts and transfers of a random pattern. */
  randomAccounts: readonly [number, number];
  /** Cash deposits of one structuring instance. */
  structuringDeposits: readonly [number, number];
  /** Internal accounts of a mule chain. */
  muleHops: readonly [number, number];
  /** Outgoing transfers on the spike day of a velocity spike. */
  velocitySpikeMovements: number;
  /** Distinct cards used by one account in one day (card velocity). */
  cardVelocityCards: readonly [number, number];
  /** Members of a fraud ring. */
  ringSize: readonly [number, number];
  /** Layers between the person and the target in ubo-layered-chain. */
  uboLayers: readonly [number, number];
}

export interface DecoyCounts {
  /** Payroll runs of employers paying five or more employees (look like fan-out). */
  payrollFanOut: number;
  /** A day of card takings of a busy merchant (looks like fan-in). */
  merchantFanIn: number;
  /** Family members passing money around over months (looks like a cycle). */
  familyLoop: number;
}

/**
 * Size and make-up of a synthetic bank. Counts are targets for a 90-day period; the number of
 * movements scales with the requested number of days.
 */
export interface BankProfile {
  name: ProfileName;
  description: string;
  persons: number;
  /** Operating companies (employers, merchants, suppliers, utilities, landlords). */
  companies: number;
  branches: number;
  atms: number;
  /** Accounts at other banks, abroad and at home, used as counterparties. */
  externalAccounts: number;
  /** Normal movements expected over 90 days (injected patterns come on top). */
  movementsPer90Days: number;
  /** Login events per online-banking account per week. */
  loginsPerAccountPerWeek: number;
  /** Injected instances per typology. */
  instances: Readonly<Record<Typology, number>>;
  decoys: DecoyCounts;
  shapes: PatternShapes;
}

function every(count: number): Record<Typology, number> {
  const result = {} as Record<Typology, number>;
  for (const typology of TYPOLOGIES) result[typology] = count;
  return result;
}

const SHAPES: PatternShapes = {
  fanDegree: [6, 10],
  cycleLength: [3, 6],
  scatterWidth: [5, 8],
  bipartiteSide: [3, 5],
  stackWidth: [3, 4],
  randomAccounts: [5, 7],
  structuringDeposits: [3, 6],
  muleHops: [3, 5],
  velocitySpikeMovements: 120,
  cardVelocityCards: [10, 14],
  ringSize: [3, 6],
  uboLayers: [3, 5],
};

export const PROFILES: Readonly<Record<ProfileName, BankProfile>> = {
  tiny: {
    name: 'tiny',
    description:
      'A few hundred movements and one instance of every typology; for unit tests (well under a second).',
    persons: 110,
    companies: 24,
    branches: 3,
    atms: 4,
    externalAccounts: 20,
    movementsPer90Days: 300,
    loginsPerAccountPerWeek: 0.1,
    instances: every(1),
    decoys: { payrollFanOut: 1, merchantFanIn: 1, familyLoop: 1 },
    shapes: {
      ...SHAPES,
      fanDegree: [5, 7],
      scatterWidth: [5, 6],
      velocitySpikeMovements: 24,
      ringSize: [3, 4],
    },
  },
  small: {
    name: 'small',
    description:
      'About 2k persons, 3k accounts and 50k movements; every typology a few times. Seeds the API.',
    persons: 2000,
    companies: 250,
    branches: 12,
    atms: 30,
    externalAccounts: 120,
    movementsPer90Days: 50_000,
    loginsPerAccountPerWeek: 0.5,
    instances: every(3),
    decoys: { payrollFanOut: 3, merchantFanIn: 3, familyLoop: 3 },
    shapes: SHAPES,
  },
  medium: {
    name: 'medium',
    description: 'About 20k accounts and 500k movements.',
    persons: 13_000,
    companies: 1500,
    branches: 40,
    atms: 120,
    externalAccounts: 600,
    movementsPer90Days: 500_000,
    loginsPerAccountPerWeek: 0.5,
    instances: every(15),
    decoys: { payrollFanOut: 10, merchantFanIn: 10, familyLoop: 10 },
    shapes: SHAPES,
  },
  large: {
    name: 'large',
    description: 'About 500k accounts and 5M movements; streamed with bounded memory.',
    persons: 330_000,
    companies: 25_000,
    branches: 400,
    atms: 1500,
    externalAccounts: 10_000,
    movementsPer90Days: 5_000_000,
    loginsPerAccountPerWeek: 0.2,
    instances: every(100),
    decoys: { payrollFanOut: 50, merchantFanIn: 50, familyLoop: 50 },
    shapes: SHAPES,
  },
};

export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}
