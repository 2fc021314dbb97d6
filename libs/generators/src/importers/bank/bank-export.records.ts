import type {
  AccountStatus,
  AccountType,
  Channel,
  CompanyType,
  EventKind,
  HolderRole,
  IdentifierKind,
  InterestType,
} from '@app/vocabulary';
import type { BankRecordType } from './bank-exchange.schemas';
import {
  currencyCode,
  decimalToMinor,
  degrees,
  flagValue,
  isoDateTimeToMs,
  isoDateToMs,
  percentToBp,
  type Converted,
} from './bank-exchange.values';
import type { SourceLine } from './bank-export.problems';

/**
 * The records of an export after the per-row checks: typed, with exact integers for money
 * (minor units), shares (basis points) and instants (epoch ms). Cross-file references are not
 * checked yet (see bank-export.resolver.ts).
 */
export interface PersonRecord extends SourceLine {
  id: string;
  name: string;
  birthDate?: string;
  nationality?: string;
  residence?: string;
  isPep: boolean;
  isSanctioned: boolean;
}

export interface CompanyRecord extends SourceLine {
  id: string;
  name: string;
  jurisdiction: string;
  registrationNumber?: string;
  companyType: CompanyType;
  isShell: boolean;
  isNominee: boolean;
  hasBearerShares: boolean;
  isSanctioned: boolean;
}

export interface AccountRecord extends SourceLine {
  id: string;
  accountType: AccountType;
  currency: string;
  openedAt: number;
  country: string;
  status: AccountStatus;
  bankId?: string;
}

export interface HolderRecord extends SourceLine {
  accountId: string;
  partyId: string;
  role: HolderRole;
  since?: number;
}

export interface OwnershipRecord extends SourceLine {
  id: string;
  ownerId: string;
  companyId: string;
  interestType: InterestType;
  minBp?: number;
  maxBp?: number;
  minExclusive: boolean;
  maxExclusive: boolean;
  directOrIndirect: 'direct' | 'indirect' | 'unknown';
  beneficial: boolean;
  startDate?: string;
  endDate?: string;
}

export interface IdentifierRecord extends SourceLine {
  id: string;
  kind: IdentifierKind;
  value: string;
}

export interface IdentifierUseRecord extends SourceLine {
  identifierId: string;
  accountId?: string;
  partyId?: string;
  firstSeen: number;
  lastSeen: number;
}

export interface Counterparty {
  account: string;
  bank: string;
  country: string;
  name?: string;
  type: 'person' | 'company';
}

export interface MovementRecord extends SourceLine {
  id: string;
  timestamp: number;
  amountMinor: number;
  currency: string;
  from?: string;
  to?: string;
  channel: Channel;
  cash: boolean;
  cashPoint?: string;
  receivedAmountMinor?: number;
  receivedCurrency?: string;
  counterparty?: Counterparty;
  identifierId?: string;
  country?: string;
  reference?: string;
}

export interface EventRecord extends SourceLine {
  id: string;
  accountId: string;
  kind: EventKind;
  timestamp: number;
  country?: string;
  latitude?: number;
  longitude?: number;
  identifierId?: string;
}

/** Every record of an export, by type, in file order. */
export interface BankRecords {
  persons: PersonRecord[];
  companies: CompanyRecord[];
  accounts: AccountRecord[];
  holders: HolderRecord[];
  ownership: OwnershipRecord[];
  identifiers: IdentifierRecord[];
  'identifier-uses': IdentifierUseRecord[];
  movements: MovementRecord[];
  events: EventRecord[];
}

export function emptyRecords(): BankRecords {
  return {
    persons: [],
    companies: [],
    accounts: [],
    holders: [],
    ownership: [],
    identifiers: [],
    'identifier-uses': [],
    movements: [],
    events: [],
  };
}

/** Reports a problem of one field of the row being converted. */
export type FieldReporter = (field: string, rule: string) => void;

/**
 * Reads the values of one row that passed its JSON Schema. Text fields are strings by then;
 * flags may be JSON booleans; coordinates JSON numbers.
 */
class RowValues {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly report: FieldReporter,
  ) {}

  text(field: string): string {
    return this.optional(field) ?? '';
  }

  /** A field's text; the schema has checked that present text fields are strings. */
  optional(field: string): string | undefined {
    const value = this.values[field];
    if (typeof value === 'string') return value;
    return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  }

  flag(field: string, fallback = false): boolean {
    return flagValue(this.values[field], fallback);
  }

  /** Converts a field, reporting the broken rule; undefined when absent or broken. */
  convert<T>(field: string, conversion: (text: string) => Converted<T>): T | undefined {
    const value = this.optional(field);
    if (value === undefined) return undefined;
    const result = conversion(value);
    if ('rule' in result) {
      this.report(field, result.rule);
      return undefined;
    }
    return result.value;
  }

  degrees(field: string, limit: number): number | undefined {
    const value = this.values[field];
    if (value === undefined) return undefined;
    const result = degrees(value, limit);
    if ('rule' in result) {
      this.report(field, result.rule);
      return undefined;
    }
    return result.value;
  }
}

function defined<T extends object>(record: T): T {
  for (const key of Object.keys(record) as (keyof T)[]) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}

/**
 * Converts one schema-valid row into its typed record, adding it to `records`. Conversions that
 * the schema cannot express (amount decimals against the currency, calendar instants, both-or-
 * neither pairs) are reported through `report`; a row with a problem is not added.
 */
export function addRecord(
  records: BankRecords,
  type: BankRecordType,
  at: SourceLine,
  values: Readonly<Record<string, unknown>>,
  report: FieldReporter,
): void {
  let problems = 0;
  const counted: FieldReporter = (field, rule) => {
    problems += 1;
    report(field, rule);
  };
  const row = new RowValues(values, counted);
  const where = { file: at.file, line: at.line };
  switch (type) {
    case 'persons': {
      const record = defined<PersonRecord>({
        ...where,
        id: row.text('person_id'),
        name: row.text('name'),
        birthDate: row.optional('birth_date'),
        nationality: row.optional('nationality'),
        residence: row.optional('residence'),
        isPep: row.flag('is_pep'),
        isSanctioned: row.flag('is_sanctioned'),
      });
      records.persons.push(record);
      return;
    }
    case 'companies': {
      records.companies.push(
        defined<CompanyRecord>({
          ...where,
          id: row.text('company_id'),
          name: row.text('name'),
          jurisdiction: row.text('jurisdiction'),
          registrationNumber: row.optional('registration_number'),
          companyType: (row.optional('company_type') ?? 'company') as CompanyType,
          isShell: row.flag('is_shell'),
          isNominee: row.flag('is_nominee'),
          hasBearerShares: row.flag('has_bearer_shares'),
          isSanctioned: row.flag('is_sanctioned'),
        }),
      );
      return;
    }
    case 'accounts': {
      const openedAt = row.convert('opened_on', isoDateToMs);
      row.convert('currency', currencyCode);
      if (openedAt === undefined || problems > 0) return;
      records.accounts.push(
        defined<AccountRecord>({
          ...where,
          id: row.text('account_id'),
          accountType: row.text('account_type') as AccountType,
          currency: row.text('currency'),
          openedAt,
          country: row.text('country'),
          status: (row.optional('status') ?? 'active') as AccountStatus,
          bankId: row.optional('bank_id'),
        }),
      );
      return;
    }
    case 'holders': {
      const since = row.convert('since', isoDateToMs);
      if (problems > 0) return;
      records.holders.push(
        defined<HolderRecord>({
          ...where,
          accountId: row.text('account_id'),
          partyId: row.text('party_id'),
          role: (row.optional('role') ?? 'holder') as HolderRole,
          since,
        }),
      );
      return;
    }
    case 'ownership': {
      const minBp = row.convert('share_min', percentToBp);
      const maxBp = row.convert('share_max', percentToBp);
      const startDate = row.optional('start_date');
      const endDate = row.optional('end_date');
      if (minBp !== undefined && maxBp !== undefined && minBp > maxBp) {
        counted('share_min', `must not be greater than share_max (${values.share_max as string})`);
      }
      if (startDate !== undefined && endDate !== undefined && endDate < startDate) {
        counted('end_date', `must not be before start_date (${startDate})`);
      }
      if (problems > 0) return;
      records.ownership.push(
        defined<OwnershipRecord>({
          ...where,
          id: row.text('relation_id'),
          ownerId: row.text('owner_id'),
          companyId: row.text('company_id'),
          interestType: row.text('interest_type') as InterestType,
          minBp,
          maxBp,
          minExclusive: row.flag('share_min_exclusive'),
          maxExclusive: row.flag('share_max_exclusive'),
          directOrIndirect: (row.optional('direct_or_indirect') ?? 'direct') as
            'direct' | 'indirect' | 'unknown',
          beneficial: row.flag('beneficial'),
          startDate,
          endDate,
        }),
      );
      return;
    }
    case 'identifiers': {
      records.identifiers.push({
        ...where,
        id: row.text('identifier_id'),
        kind: row.text('kind') as IdentifierKind,
        value: row.text('value'),
      });
      return;
    }
    case 'identifier-uses': {
      const accountId = row.optional('account_id');
      const partyId = row.optional('party_id');
      if ((accountId === undefined) === (partyId === undefined)) {
        counted(
          accountId === undefined ? 'account_id' : 'party_id',
          'give exactly one of account_id and party_id',
        );
      }
      const firstSeen = row.convert('first_seen', isoDateTimeToMs);
      const lastSeen = row.convert('last_seen', isoDateTimeToMs) ?? firstSeen;
      if (firstSeen !== undefined && lastSeen !== undefined && lastSeen < firstSeen) {
        counted('last_seen', `must not be before first_seen (${values.first_seen as string})`);
      }
      if (problems > 0 || firstSeen === undefined || lastSeen === undefined) return;
      records['identifier-uses'].push(
        defined<IdentifierUseRecord>({
          ...where,
          identifierId: row.text('identifier_id'),
          accountId,
          partyId,
          firstSeen,
          lastSeen,
        }),
      );
      return;
    }
    case 'movements':
      addMovement(records, where, row, values, counted, () => problems);
      return;
    case 'events': {
      const timestamp = row.convert('timestamp', isoDateTimeToMs);
      const latitude = row.degrees('latitude', 90);
      const longitude = row.degrees('longitude', 180);
      if ((values.latitude === undefined) !== (values.longitude === undefined)) {
        counted(
          values.latitude === undefined ? 'latitude' : 'longitude',
          'give both latitude and longitude, or neither',
        );
      }
      if (problems > 0 || timestamp === undefined) return;
      records.events.push(
        defined<EventRecord>({
          ...where,
          id: row.text('event_id'),
          accountId: row.text('account_id'),
          kind: row.text('kind') as EventKind,
          timestamp,
          country: row.optional('country'),
          latitude,
          longitude,
          identifierId: row.optional('identifier_id'),
        }),
      );
      return;
    }
  }
}

const COUNTERPARTY_FIELDS = [
  'counterparty_account',
  'counterparty_bank',
  'counterparty_name',
  'counterparty_type',
  'counterparty_country',
] as const;

function addMovement(
  records: BankRecords,
  where: SourceLine,
  row: RowValues,
  values: Readonly<Record<string, unknown>>,
  report: FieldReporter,
  problems: () => number,
): void {
  const currency = row.text('currency');
  row.convert('currency', currencyCode);
  const timestamp = row.convert('timestamp', isoDateTimeToMs);
  const amountMinor = row.convert('amount', (text) => decimalToMinor(text, currency));
  if (amountMinor === 0) report('amount', 'must be more than 0');
  const receivedCurrency = row.optional('received_currency');
  let receivedAmountMinor: number | undefined;
  if ((values.received_amount === undefined) !== (receivedCurrency === undefined)) {
    report(
      receivedCurrency === undefined ? 'received_currency' : 'received_amount',
      'give both received_amount and received_currency, or neither',
    );
  } else if (receivedCurrency !== undefined) {
    row.convert('received_currency', currencyCode);
    receivedAmountMinor = row.convert('received_amount', (text) =>
      decimalToMinor(text, receivedCurrency),
    );
  }
  const cash = row.flag('cash');
  const channelText = row.optional('channel');
  if (cash && channelText !== undefined && channelText !== 'cash') {
    report('channel', 'must be cash (or be left empty) when cash is true');
  }
  if (!cash && channelText === undefined) {
    report('channel', 'is required unless cash is true');
  }
  if (!cash && channelText === 'cash') {
    report('cash', 'must be true when channel is cash');
  }
  const from = row.optional('from_account');
  const to = row.optional('to_account');
  const counterparty = counterpartyOf(row, values, report);
  const cashPoint = row.optional('cash_point');
  const empty = (from === undefined ? 1 : 0) + (to === undefined ? 1 : 0);
  if (empty === 2) {
    report(
      'from_account',
      'give from_account, to_account or both (at most one side may be left empty)',
    );
  } else if (empty === 1 && counterparty === undefined && !cash) {
    report(
      from === undefined ? 'from_account' : 'to_account',
      'is required: an empty side needs counterparty_account (a bank outside) or cash = true (a cash point)',
    );
  } else if (empty === 1 && counterparty !== undefined && cash) {
    report(
      'counterparty_account',
      'must be empty for a cash movement (the empty side is a cash point)',
    );
  } else if (empty === 0 && (counterparty !== undefined || cashPoint !== undefined)) {
    report(
      counterparty !== undefined ? 'counterparty_account' : 'cash_point',
      'must be empty when both from_account and to_account are given',
    );
  }
  if (from !== undefined && from === to) report('to_account', 'must differ from from_account');
  if (problems() > 0 || timestamp === undefined || amountMinor === undefined) return;
  records.movements.push(
    defined<MovementRecord>({
      ...where,
      id: row.text('movement_id'),
      timestamp,
      amountMinor,
      currency,
      from,
      to,
      channel: (cash ? 'cash' : channelText) as Channel,
      cash,
      cashPoint: empty === 1 && cash ? (cashPoint ?? 'branch') : undefined,
      receivedAmountMinor,
      receivedCurrency,
      counterparty,
      identifierId: row.optional('identifier_id'),
      country: row.optional('country'),
      reference: row.optional('reference'),
    }),
  );
}

function counterpartyOf(
  row: RowValues,
  values: Readonly<Record<string, unknown>>,
  report: FieldReporter,
): Counterparty | undefined {
  const account = row.optional('counterparty_account');
  if (account === undefined) {
    const stray = COUNTERPARTY_FIELDS.find((field) => values[field] !== undefined);
    if (stray !== undefined) report(stray, 'must be empty when counterparty_account is empty');
    return undefined;
  }
  const bank = row.optional('counterparty_bank');
  const country = row.optional('counterparty_country');
  if (bank === undefined) report('counterparty_bank', 'is required with counterparty_account');
  if (country === undefined)
    report('counterparty_country', 'is required with counterparty_account');
  if (bank === undefined || country === undefined) return undefined;
  return defined<Counterparty>({
    account,
    bank,
    country,
    name: row.optional('counterparty_name'),
    type: (row.optional('counterparty_type') ?? 'company') as 'person' | 'company',
  });
}
