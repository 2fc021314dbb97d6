import type { Channel, EventKind, GroundTruthRecord, Typology } from '@app/vocabulary';

/**
 * A movement decided before streaming starts (injected patterns, decoys, account history).
 * Accounts are indices into the population; the business id is given when it is written, in
 * time order, so that ids reveal nothing about how the movement came to be.
 */
export interface PlannedMovement {
  from: number;
  to: number;
  amountMinor: number;
  timestamp: number;
  channel: Channel;
  identifierUid?: string;
  country?: string;
  latitude?: number;
  longitude?: number;
  reference?: string;
  /** Index of the instance in the plan, or -1 for background (history) movements. */
  instance: number;
}

/** A login or security event decided before streaming starts. */
export interface PlannedEvent {
  account: number;
  kind: EventKind;
  timestamp: number;
  country?: string;
  latitude?: number;
  longitude?: number;
  identifierUid?: string;
  instance: number;
}

/** One injected instance or decoy; movement and event ids are added as they are written. */
export interface PlannedInstance {
  instanceId: string;
  typology: Typology;
  decoy: boolean;
  entities: string[];
  parameters: Record<string, string | number | boolean | readonly string[]>;
  expectedOwnership?: GroundTruthRecord['expectedOwnership'];
  movementIds: string[];
  eventIds: string[];
  windowFrom: number;
  windowTo: number;
}

/** Decoys that the normal-behaviour generator marks while it generates. */
export interface NormalDecoys {
  /** Employer company index -> instance index: its first payroll run in the period is recorded. */
  payroll: Map<number, number>;
  /** Merchant account index -> [day index, instance index]: card takings of that day are recorded. */
  merchantDays: Map<number, readonly [number, number]>;
}

export interface InjectionPlan {
  instances: PlannedInstance[];
  movements: PlannedMovement[];
  events: PlannedEvent[];
  decoys: NormalDecoys;
}
