import {
  type AccountProps,
  type AccountStatus,
  type AccountType,
  type CompanyProps,
  type ControlsProps,
  ids,
  type IdentifierKind,
  type OwnsProps,
} from '@app/vocabulary';
import type { Rng } from '../random/prng';
import { Scrambler } from '../random/scramble';
import type { City } from './geography';
import {
  type AccountRec,
  type CompanyRec,
  type CompanyRole,
  type HolderRec,
  type IdentifierRec,
  type PersonRec,
  type Population,
  type RelationRec,
  type SimulationClock,
  SOURCE,
} from './population.model';

/**
 * The growing population, with the helpers that add to it. Used by the population builder, the
 * ownership builder and the typology planner, so that every party, account and identifier gets
 * its id the same way (scrambled, so that ids never reveal what was created last).
 */
export class PopulationRegistry implements Population {
  readonly persons: PersonRec[] = [];
  readonly companies: CompanyRec[] = [];
  readonly accounts: AccountRec[] = [];
  readonly identifiers: IdentifierRec[] = [];
  readonly relations: RelationRec[] = [];
  readonly branches: number[] = [];
  readonly atms: number[] = [];
  readonly externalByCountry = new Map<string, number[]>();
  readonly merchantAccounts: number[] = [];
  readonly supplierAccounts: number[] = [];

  private readonly personKeys = new Scrambler(8, 61_803_399, 1_234_567);
  private readonly companyKeys = new Scrambler(8, 38_196_601, 7_654_321);
  private readonly accountKeys = new Scrambler(10, 6_180_339_887, 1_357_913_579);
  private readonly relationKeys = new Scrambler(8, 72_360_679, 2_468_013);
  private readonly registrationKeys = new Scrambler(8, 27_639_321, 8_765_433);
  private readonly phoneKeys = new Scrambler(9, 618_033_989, 12_345);
  private readonly cardKeys = new Scrambler(12, 618_033_988_751, 99_991);
  private ipCount = 0;

  constructor(
    readonly clock: SimulationClock,
    readonly highRiskJurisdictions: readonly string[],
  ) {}

  // --- parties -------------------------------------------------------------------------------

  addPerson(fields: Omit<PersonRec, 'index' | 'uid'>): PersonRec {
    const index = this.persons.length;
    const person: PersonRec = {
      index,
      uid: ids.person(SOURCE, this.personKeys.key(index)),
      ...fields,
    };
    this.persons.push(person);
    return person;
  }

  addCompany(props: CompanyProps, role: CompanyRole, city: City, scenario = false): CompanyRec {
    const index = this.companies.length;
    const company: CompanyRec = {
      index,
      uid: ids.company(SOURCE, this.companyKeys.key(index)),
      props,
      role,
      city,
      accounts: [],
      identifiers: [],
      employees: [],
      payroll: 'monthly',
      suppliers: [],
      popularity: 0,
      scenario,
    };
    this.companies.push(company);
    return company;
  }

  /** A registration number such as `US-04812273`, unique per company. */
  registrationNumber(jurisdiction: string): string {
    return `${jurisdiction}-${this.registrationKeys.key(this.companies.length)}`;
  }

  // --- accounts ------------------------------------------------------------------------------

  addAccount(fields: {
    accountType: AccountType;
    currency: string;
    openedAt: number;
    status: AccountStatus;
    bankId: string;
    country: string;
    city: City;
    holders?: HolderRec[];
    activity?: number;
    billDay?: number;
  }): AccountRec {
    const index = this.accounts.length;
    const props: AccountProps = {
      accountType: fields.accountType,
      currency: fields.currency,
      openedAt: fields.openedAt,
      status: fields.status,
      bankId: fields.bankId,
      country: fields.country,
    };
    const account: AccountRec = {
      index,
      uid: ids.account(fields.bankId, this.accountKeys.key(index)),
      props,
      holders: fields.holders ?? [],
      identifiers: [],
      extraUses: [],
      card: -1,
      city: fields.city,
      activity: fields.activity ?? 0,
      normal:
        fields.status === 'active' &&
        fields.accountType !== 'external' &&
        fields.accountType !== 'cash-point',
      quiet: [],
      billDay: fields.billDay ?? 1,
    };
    this.accounts.push(account);
    for (const holder of account.holders) this.holderAccounts(holder).push(index);
    return account;
  }

  /** A branch or ATM of the bank: cash enters and leaves customer accounts through it. */
  addCashPoint(
    kind: 'branch' | 'atm',
    number: number,
    city: City,
    bankId: string,
    openedAt: number,
  ): AccountRec {
    const index = this.accounts.length;
    const account: AccountRec = {
      index,
      uid: ids.cashPoint(bankId, `${kind}-${String(number).padStart(4, '0')}`),
      props: {
        accountType: 'cash-point',
        currency: 'USD',
        openedAt,
        status: 'active',
        bankId,
        country: 'US',
      },
      holders: [],
      identifiers: [],
      extraUses: [],
      card: -1,
      city,
      activity: 0,
      normal: false,
      quiet: [],
      billDay: 1,
    };
    this.accounts.push(account);
    (kind === 'branch' ? this.branches : this.atms).push(index);
    return account;
  }

  addHolder(account: AccountRec, holder: HolderRec): void {
    account.holders.push(holder);
    if (holder.role !== 'signatory') this.holderAccounts(holder).push(account.index);
  }

  private holderAccounts(holder: HolderRec): number[] {
    if (holder.role === 'signatory') return [];
    const party =
      holder.kind === 'person' ? this.persons[holder.index] : this.companies[holder.index];
    if (!party) throw new RangeError(`holder ${holder.kind} #${holder.index} does not exist`);
    return party.accounts;
  }

  // --- identifiers ---------------------------------------------------------------------------

  /**
   * Adds a new identifier and returns its index. Callers make values unique by construction
   * (counters through bijections, sets of e-mails and addresses, 64 random bits for devices),
   * so no lookup table of millions of ids is kept; an identifier shared by several accounts
   * is created once and its index reused.
   */
  identifier(kind: IdentifierKind, value: string): number {
    const index = this.identifiers.length;
    this.identifiers.push({ index, uid: ids.identifier(kind, value), kind, value });
    return index;
  }

  /** A new device id such as `dev-3f9a…` (64 random bits). */
  newDevice(rng: Rng): number {
    return this.identifier('device', `dev-${rng.hex(16)}`);
  }

  /**
   * A new public IPv4 address, unique: a bijection of a counter onto 80 first octets
   * (11-90) × 2^24, so that no two households, offices or hubs share one by accident.
   */
  newIp(): number {
    const space = 80 * 2 ** 24;
    const p = (this.ipCount++ * 2_654_435_761 + 97_531) % space;
    const octets = [11 + Math.floor(p / 2 ** 24), (p >>> 16) & 255, (p >>> 8) & 255, p & 255];
    return this.identifier('ip', octets.join('.'));
  }

  /** A new phone number with the country's dialling code, unique across the population. */
  newPhone(dialCode: string, serial: number): number {
    const digits = `2${this.phoneKeys.key(serial)}`;
    const value =
      dialCode === '1'
        ? `+1 (${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`
        : `+${dialCode} ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
    return this.identifier('phone', value);
  }

  /** A new 16-digit card number (BIN 453…, Luhn check digit), unique per serial. */
  newCard(serial: number): number {
    const body = `453${this.cardKeys.key(serial)}`;
    return this.identifier('card', body + luhnDigit(body));
  }

  // --- ownership and control -----------------------------------------------------------------

  addOwnership(from: string, to: string, props: OwnsProps): RelationRec {
    const relation: RelationRec = {
      label: 'OWNS',
      eid: ids.relation(SOURCE, this.relationKeys.key(this.relations.length)),
      from,
      to,
      props,
    };
    this.relations.push(relation);
    return relation;
  }

  addControl(from: string, to: string, props: ControlsProps): RelationRec {
    const relation: RelationRec = {
      label: 'CONTROLS',
      eid: ids.relation(SOURCE, this.relationKeys.key(this.relations.length)),
      from,
      to,
      props,
    };
    this.relations.push(relation);
    return relation;
  }

  addExternal(country: string, account: AccountRec): void {
    const list = this.externalByCountry.get(country) ?? [];
    list.push(account.index);
    this.externalByCountry.set(country, list);
  }
}

/** Luhn check digit of a string of digits. */
export function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Shareholding interest with an exact share in basis points. */
export function exactShare(bp: number, startDate?: string): OwnsProps {
  return {
    interestType: 'shareholding',
    shareMinBp: bp,
    shareMaxBp: bp,
    shareMinExclusive: false,
    shareMaxExclusive: false,
    directOrIndirect: 'direct',
    beneficialOwnershipOrControl: true,
    ...(startDate ? { startDate } : {}),
  };
}
