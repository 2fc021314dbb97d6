import type {
  AccountProps,
  CompanyProps,
  ControlsEdge,
  HolderRole,
  IdentifierKind,
  OwnsEdge,
  PersonProps,
} from '@app/vocabulary';
import type { City, LocaleKey } from './geography';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** The synthetic bank's own id and home country; external banks get their own ids. */
export const BANK_ID = 'SYNB';
export const BANK_COUNTRY = 'US';
/** Source name used in the business ids of generated persons, companies and movements. */
export const SOURCE = 'syn';
/** The bank's customers live around UTC-5; local times of day are shifted by this much. */
export const LOCAL_UTC_OFFSET_MS = -5 * HOUR_MS;

/** The simulated period: [windowStart, windowEnd), windowEnd being the reference time. */
export interface SimulationClock {
  windowStart: number;
  windowEnd: number;
  days: number;
}

export type CompanyRole =
  | 'employer'
  | 'merchant'
  | 'supplier'
  | 'utility'
  | 'landlord'
  | 'holding'
  | 'shell'
  | 'trust'
  | 'nominee'
  | 'scenario';

/** Roles of companies that trade and bank with us. */
export const OPERATING_ROLES: readonly CompanyRole[] = [
  'employer',
  'merchant',
  'supplier',
  'utility',
  'landlord',
];

export interface PersonRec {
  index: number;
  uid: string;
  props: PersonProps;
  locale: LocaleKey;
  household: number;
  city: City;
  /** Employer company index, or -1. */
  employer: number;
  /** Monthly net salary in minor units (0 when not employed). */
  salaryMinor: number;
  /** Other persons this one sends money to (household first, then friends). */
  contacts: number[];
  /** Account indices, primary account first. */
  accounts: number[];
  /** Identifier indices shared by all of this person's accounts. */
  identifiers: number[];
  /** Primary device identifier index (logins come from it). */
  device: number;
  /** Sends money home every month (nationality differs from residence). */
  remitsTo: number;
}

export interface CompanyRec {
  index: number;
  uid: string;
  props: CompanyProps;
  role: CompanyRole;
  city: City;
  accounts: number[];
  /** Identifier indices used by every account of the company. */
  identifiers: number[];
  /** Employee person indices. */
  employees: number[];
  /** How the company pays salaries. */
  payroll: 'monthly' | 'biweekly';
  /** Accounts this company pays for goods and services. */
  suppliers: number[];
  /** Popularity weight as a merchant or service provider. */
  popularity: number;
  /** Ownership set up by a scenario rather than by the normal structure builder. */
  scenario: boolean;
}

export interface HolderRec {
  kind: 'person' | 'company';
  index: number;
  role: HolderRole;
}

/** A USES edge with explicit first and last use (injected patterns and hubs). */
export interface UseRec {
  identifier: number;
  firstSeen: number;
  lastSeen: number;
}

export interface AccountRec {
  index: number;
  uid: string;
  props: AccountProps;
  holders: HolderRec[];
  /** Identifiers used over the account's life (USES edges with generated times). */
  identifiers: number[];
  /** USES edges with explicit times (public Wi-Fi hubs, injected patterns). */
  extraUses: UseRec[];
  /** Main card identifier index, or -1. */
  card: number;
  city: City;
  /** Relative activity of the account in normal behaviour (0 = none). */
  activity: number;
  /** Takes part in normal behaviour at all. */
  normal: boolean;
  /** Intervals [from, to) in which normal logins and card payments are suppressed. */
  quiet: Array<readonly [number, number]>;
  /** Day of month (1-28) on which bills are paid. */
  billDay: number;
  /** Monthly rent: landlord account index and amount, or undefined. */
  rent?: { to: number; amountMinor: number };
  /** Monthly utility bill: utility account index and typical amount, or undefined. */
  utility?: { to: number; amountMinor: number };
}

export interface IdentifierRec {
  index: number;
  uid: string;
  kind: IdentifierKind;
  value: string;
}

export type RelationRec = OwnsEdge | ControlsEdge;

/** Everything that exists before the first movement: parties, accounts, identifiers, structures. */
export interface Population {
  clock: SimulationClock;
  persons: PersonRec[];
  companies: CompanyRec[];
  accounts: AccountRec[];
  identifiers: IdentifierRec[];
  relations: RelationRec[];
  /** Branch and ATM cash-point account indices. */
  branches: number[];
  atms: number[];
  /** External account indices by country. */
  externalByCountry: Map<string, number[]>;
  /** Merchant, utility, landlord and supplier business account indices. */
  merchantAccounts: number[];
  supplierAccounts: number[];
  highRiskJurisdictions: readonly string[];
}
