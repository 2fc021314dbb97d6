/**
 * The sample bank export committed in examples/bank-export (CSV) and examples/bank-export-jsonl
 * (the same records as JSON lines). Deterministic: the same code always writes the same files,
 * and a unit test checks that the committed files are what it writes. Regenerate with
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only libs/generators/src/importers/bank/sample-bank-export.ts
 *
 * The data is invented. It is small but has what the product looks for: a three-layer ownership
 * chain and an ownership cycle, a range share, accounts at other banks (declared and inline),
 * identifiers shared by two customers, cash structuring just below the 10,000 USD reporting
 * threshold (account A-1010), a fan-in into a shell company's account (A-2004), and logins.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '../../random/prng';
import { BANK_RECORD_TYPES, bankFields, type BankRecordType } from './bank-exchange.schemas';

type Value = string | number | boolean | undefined;
type Row = Record<string, Value>;

/** The sample's rows per record type; flags are booleans and coordinates numbers. */
export function sampleBankExportTables(): Record<BankRecordType, Row[]> {
  const rng = Rng.for(20250101, 'sample-bank-export');
  const pick = <T>(list: readonly T[]): T => rng.pick(list);
  const between = (low: number, high: number): number => rng.int(low, high);
  const random = (): number => rng.float();

  const START = Date.UTC(2025, 0, 1);
  const DAY = 86_400_000;
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  /** Cents as decimal text ("123450" -> "1234.50"). */
  const major = (cents: number, exponent = 2): string => {
    if (exponent === 0) return String(cents);
    const digits = String(cents).padStart(exponent + 1, '0');
    return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  };

  const tables: Record<BankRecordType, Row[]> = {
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

  const people: [string, string, string, string, string, boolean][] = [
    ['P001', 'Amelia Hart', '1971-04-12', 'US', 'US', false],
    ['P002', 'Bruno Keller', '1968-09-30', 'DE', 'US', false],
    ['P003', 'Chloe Marchand', '1985-02-17', 'FR', 'US', false],
    ['P004', 'Daniel Okafor', '1962-11-05', 'NG', 'US', true],
    ['P005', 'Elena Petrova', '1979-07-21', 'BG', 'GB', false],
    ['P006', 'Farid Haddad', '1990-01-09', 'LB', 'US', false],
    ['P007', 'Grace Liu', '1988-06-14', 'US', 'US', false],
    ['P008', 'Henry Walsh', '1993-03-03', 'IE', 'US', false],
    ['P009', 'Isla Walsh', '1994-08-19', 'IE', 'US', false],
    ['P010', 'Jonas Berg', '1982-12-01', 'SE', 'US', false],
  ];
  for (const [id, name, birth, nationality, residence, pep] of people) {
    tables.persons.push({
      person_id: id,
      name,
      birth_date: birth,
      nationality,
      residence,
      is_pep: pep,
      is_sanctioned: false,
    });
  }

  const companies: [string, string, string, string, string, boolean][] = [
    ['C001', 'Alder Holdings Ltd', 'GB', '09876543', 'company', false],
    ['C002', 'Birch Trading LLC', 'US', 'DE-7712034', 'company', false],
    ['C003', 'Cedar Ventures SA', 'LU', 'B215443', 'company', false],
    ['C004', 'Dune Logistics Ltd', 'CY', 'HE401122', 'company', true],
    ['C005', 'Elm Consulting Ltd', 'CY', 'HE401123', 'company', false],
  ];
  for (const [id, name, jurisdiction, number, type, shell] of companies) {
    tables.companies.push({
      company_id: id,
      name,
      jurisdiction,
      registration_number: number,
      company_type: type,
      is_shell: shell,
      is_nominee: false,
      has_bearer_shares: false,
      is_sanctioned: false,
    });
  }

  // Ownership: a three-layer chain P001 -> C001 -> C002 -> C003, a cycle C004 <-> C005, a range
  // share ("more than 25% up to 50%"), a share with a decimal and a board seat (CONTROLS).
  const own = (
    id: string,
    owner: string,
    company: string,
    type: string,
    min: string | undefined,
    max: string | undefined,
    extra: Row = {},
  ): number =>
    tables.ownership.push({
      relation_id: id,
      owner_id: owner,
      company_id: company,
      interest_type: type,
      share_min: min,
      share_max: max,
      ...extra,
    });
  own('R01', 'P001', 'C001', 'shareholding', '50', '50', { start_date: '2015-06-01' });
  own('R02', 'P005', 'C001', 'shareholding', '25', '50', { share_min_exclusive: true });
  own('R03', 'C001', 'C002', 'shareholding', '75', '75', { start_date: '2016-01-15' });
  own('R04', 'C002', 'C003', 'shareholding', '100', '100', { start_date: '2019-03-01' });
  own('R05', 'P002', 'C004', 'shareholding', '70', '70');
  own('R06', 'C005', 'C004', 'shareholding', '30', '30');
  own('R07', 'C004', 'C005', 'shareholding', '40', '40');
  own('R08', 'P003', 'C005', 'shareholding', '47.5', '47.5');
  own('R09', 'P007', 'C005', 'shareholding', '12.5', '12.5');
  own('R10', 'P006', 'C002', 'boardMember', undefined, undefined, { start_date: '2021-09-01' });

  // Accounts: 10 personal, 1 joint, 5 business, 2 at other banks, 2 cash points = 20.
  const account = (
    id: string,
    type: string,
    currency: string,
    opened: string,
    country: string,
    extra: Row = {},
  ): number =>
    tables.accounts.push({
      account_id: id,
      account_type: type,
      currency,
      opened_on: opened,
      country,
      status: 'active',
      ...extra,
    });
  for (let i = 1; i <= 10; i++) {
    const id = `A-${1000 + i}`;
    account(id, 'personal', 'USD', `20${10 + i}-0${1 + (i % 9)}-1${i % 10}`, 'US');
    tables.holders.push({
      account_id: id,
      party_id: `P0${String(i).padStart(2, '0')}`,
      role: 'holder',
    });
  }
  account('A-1011', 'personal', 'USD', '2022-05-20', 'US');
  tables.holders.push({
    account_id: 'A-1011',
    party_id: 'P008',
    role: 'holder',
    since: '2022-05-20',
  });
  tables.holders.push({
    account_id: 'A-1011',
    party_id: 'P009',
    role: 'joint-holder',
    since: '2022-05-20',
  });
  for (let i = 1; i <= 5; i++) {
    const id = `A-${2000 + i}`;
    account(id, 'business', i === 3 ? 'EUR' : 'USD', `201${i}-10-01`, 'US');
    tables.holders.push({ account_id: id, party_id: `C00${i}`, role: 'holder' });
  }
  tables.holders.push({ account_id: 'A-2002', party_id: 'P006', role: 'signatory' });
  account('DE89370400440532013000', 'external', 'EUR', '2018-01-01', 'DE', { bank_id: 'COBADEFF' });
  account('GB33BUKB20201555555555', 'external', 'GBP', '2019-01-01', 'GB', {
    bank_id: 'BUKBGB22',
  });
  account('BR-MAIN', 'cash-point', 'USD', '2005-01-01', 'US');
  account('ATM-07', 'cash-point', 'USD', '2012-01-01', 'US');

  // Identifiers: one device and one phone shared by two customers each.
  const identifiers: [string, string, string, string[]][] = [
    ['I01', 'phone', '+1 212 555 0101', ['P001']],
    ['I02', 'phone', '+1 212 555 0199', ['P002', 'P006']],
    ['I03', 'email', 'Chloe.Marchand@example.com', ['P003']],
    ['I04', 'device', 'DEV-9F3A-77C1', ['P003', 'P008']],
    ['I05', 'device', 'DEV-1B22-0A9E', ['P004']],
    ['I06', 'ip', '203.0.113.24', ['P010']],
    ['I07', 'address', '12 Harbour Street, Springfield', ['P008', 'P009']],
    ['I08', 'device', 'DEV-55D0-C3F2', ['P007']],
  ];
  for (const [id, kind, value, users] of identifiers) {
    tables.identifiers.push({ identifier_id: id, kind, value });
    for (const party of users) {
      tables['identifier-uses'].push({
        identifier_id: id,
        party_id: party,
        first_seen: iso(START - between(30, 400) * DAY),
        last_seen: iso(START + between(10, 80) * DAY),
      });
    }
  }
  // One use recorded for an account rather than a party.
  tables['identifier-uses'].push({
    identifier_id: 'I06',
    account_id: 'A-2005',
    first_seen: iso(START + 3 * DAY),
    last_seen: iso(START + 40 * DAY),
  });

  // Movements.
  let sequence = 0;
  const move = (fields: Row): void => {
    sequence += 1;
    tables.movements.push({ movement_id: `M${String(sequence).padStart(5, '0')}`, ...fields });
  };
  const personal = Array.from({ length: 10 }, (_, i) => `A-${1001 + i}`);
  // Salaries from an employer at another bank, given inline (no row in accounts).
  for (let month = 0; month < 3; month++) {
    for (const [index, id] of personal.entries()) {
      move({
        timestamp: iso(Date.UTC(2025, month, 25, 9, 0, index)),
        amount: major(between(3200, 7800) * 100),
        currency: 'USD',
        to_account: id,
        channel: 'ach',
        counterparty_account: '000123456789',
        counterparty_bank: 'CHASUS33',
        counterparty_name: 'Springfield Hospital Payroll',
        counterparty_type: 'company',
        counterparty_country: 'US',
        reference: 'salary',
      });
    }
  }
  // Everyday payments between customers and to the consultancy.
  for (let i = 0; i < 135; i++) {
    const from = pick(personal);
    let to = pick([...personal, 'A-2005', 'A-2001']);
    if (to === from) to = 'A-2005';
    move({
      timestamp: iso(
        START + between(0, 88) * DAY + between(8, 20) * 3_600_000 + between(0, 59) * 60_000,
      ),
      amount: major(between(1500, 90000)),
      currency: 'USD',
      from_account: from,
      to_account: to,
      channel: pick(['wire', 'ach', 'card']),
      reference: pick(['rent', 'dinner', 'invoice', 'gift', 'loan repayment']),
    });
  }
  // Cash paid in and out at the branch and the ATM, well below the threshold.
  for (let i = 0; i < 12; i++) {
    const deposit = random() < 0.5;
    const id = pick(personal.slice(0, 8));
    move({
      timestamp: iso(START + between(0, 88) * DAY + between(9, 17) * 3_600_000),
      amount: major(between(40, 900) * 100),
      currency: 'USD',
      ...(deposit ? { to_account: id } : { from_account: id }),
      cash: true,
      cash_point: pick(['BR-MAIN', 'ATM-07']),
    });
  }
  // Structuring: five cash deposits just below 10,000 USD into A-1010 within ten days.
  for (const [day, cents] of <[number, number][]>[
    [20, 940000],
    [22, 975000],
    [24, 920050],
    [27, 990000],
    [29, 958000],
  ]) {
    move({
      timestamp: iso(START + day * DAY + 11 * 3_600_000),
      amount: major(cents),
      currency: 'USD',
      to_account: 'A-1010',
      cash: true,
      cash_point: 'BR-MAIN',
      reference: 'cash deposit',
    });
  }
  // Fan-in: seven payers (customers and an inline outside account) into the shell company's
  // account A-2004 within three days.
  const fanPayers = ['A-1001', 'A-1003', 'A-1005', 'A-1006', 'A-1008', 'A-1011'];
  for (const [index, payer] of fanPayers.entries()) {
    move({
      timestamp: iso(START + 60 * DAY + index * 10 * 3_600_000),
      amount: major(between(4200, 7900) * 100),
      currency: 'USD',
      from_account: payer,
      to_account: 'A-2004',
      channel: 'wire',
      reference: 'consulting fee',
    });
  }
  move({
    timestamp: iso(START + 62 * DAY + 15 * 3_600_000),
    amount: major(680000),
    currency: 'USD',
    to_account: 'A-2004',
    channel: 'wire',
    counterparty_account: 'GB29NWBK60161331926819',
    counterparty_bank: 'NWBKGB2L',
    counterparty_name: 'Marlow Freight Ltd',
    counterparty_type: 'company',
    counterparty_country: 'GB',
  });
  // Money leaves the shell company: to Cyprus partner accounts declared in accounts.
  move({
    timestamp: iso(START + 63 * DAY + 10 * 3_600_000),
    amount: major(2950000),
    currency: 'USD',
    from_account: 'A-2004',
    to_account: 'DE89370400440532013000',
    channel: 'wire',
    received_amount: '27140.00',
    received_currency: 'EUR',
    reference: 'services',
  });
  // Payments abroad, one in a currency without decimals (JPY).
  move({
    timestamp: iso(START + 40 * DAY + 14 * 3_600_000),
    amount: major(500000),
    currency: 'USD',
    from_account: 'A-2002',
    to_account: 'GB33BUKB20201555555555',
    channel: 'wire',
    received_amount: '3871.00',
    received_currency: 'GBP',
  });
  move({
    timestamp: iso(START + 45 * DAY + 9 * 3_600_000),
    amount: '152300',
    currency: 'JPY',
    from_account: 'A-2003',
    counterparty_account: 'JP0001234567',
    counterparty_bank: 'MHCBJPJT',
    counterparty_name: 'Tanaka Shoji KK',
    counterparty_type: 'company',
    counterparty_country: 'JP',
    channel: 'wire',
    reference: 'invoice 4471',
  });
  move({
    timestamp: iso(START + 50 * DAY + 16 * 3_600_000),
    amount: major(1250000),
    currency: 'EUR',
    from_account: 'A-2003',
    to_account: 'A-2001',
    channel: 'wire',
    received_amount: major(1356250),
    received_currency: 'USD',
    reference: 'intragroup',
  });
  // A few card payments ordered from a known device.
  for (let i = 0; i < 8; i++) {
    move({
      timestamp: iso(START + between(5, 85) * DAY + between(10, 22) * 3_600_000),
      amount: major(between(1000, 25000)),
      currency: 'USD',
      from_account: 'A-1007',
      to_account: 'A-2005',
      channel: 'card',
      identifier_id: 'I08',
      country: 'US',
    });
  }
  tables.movements.sort(byTimestamp);

  // Account events: logins with places and devices, and a contact change.
  let eventNumber = 0;
  const event = (fields: Row): void => {
    eventNumber += 1;
    tables.events.push({ event_id: `E${String(eventNumber).padStart(4, '0')}`, ...fields });
  };
  const places: [string, number, number][] = [
    ['US', 40.7128, -74.006],
    ['US', 41.8781, -87.6298],
  ];
  for (let i = 0; i < 24; i++) {
    const [country, latitude, longitude] = pick(places);
    const id = pick(['A-1003', 'A-1004', 'A-1007', 'A-1008', 'A-1010']);
    const devices: Record<string, string> = {
      'A-1003': 'I04',
      'A-1008': 'I04',
      'A-1004': 'I05',
      'A-1007': 'I08',
      'A-1010': 'I06',
    };
    const device = devices[id];
    event({
      account_id: id,
      kind: 'login',
      timestamp: iso(
        START + between(0, 88) * DAY + between(6, 23) * 3_600_000 + between(0, 59) * 60_000,
      ),
      country,
      latitude,
      longitude,
      identifier_id: device,
    });
  }
  event({
    account_id: 'A-1004',
    kind: 'contact-change',
    timestamp: iso(START + 33 * DAY + 8 * 3_600_000),
    country: 'US',
  });
  tables.events.sort(byTimestamp);
  return tables;
}

function byTimestamp(a: Row, b: Row): number {
  const x = String(a.timestamp);
  const y = String(b.timestamp);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The columns written for a record type: every field of its schema, required first. */
function columnsOf(type: BankRecordType): string[] {
  const { required, optional } = bankFields(type);
  return [...required, ...optional];
}

function cell(value: Value): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The sample as file contents: `<type>.csv` and `<type>.jsonl` text by type. */
export function sampleBankExportFiles(): {
  csv: Record<string, string>;
  jsonl: Record<string, string>;
} {
  const tables = sampleBankExportTables();
  const csv: Record<string, string> = {};
  const jsonl: Record<string, string> = {};
  for (const type of BANK_RECORD_TYPES) {
    const columns = columnsOf(type);
    const rows = tables[type];
    csv[`${type}.csv`] =
      [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join(
        '\n',
      ) + '\n';
    jsonl[`${type}.jsonl`] =
      rows
        .map((row) => {
          const record: Record<string, string | number | boolean> = {};
          for (const column of columns) {
            const value = row[column];
            // Flags and coordinates as JSON values; everything else (amounts, shares) as text.
            if (value !== undefined) record[column] = value;
          }
          return JSON.stringify(record);
        })
        .join('\n') + '\n';
  }
  return { csv, jsonl };
}

/** Writes the sample into `<root>/bank-export` and `<root>/bank-export-jsonl`. */
export function writeSampleBankExport(root: string): void {
  const files = sampleBankExportFiles();
  for (const [folder, contents] of [
    ['bank-export', files.csv],
    ['bank-export-jsonl', files.jsonl],
  ] as const) {
    const dir = join(root, folder);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  }
}

if (require.main === module) {
  const root = resolve(__dirname, '..', '..', '..', '..', '..', 'examples');
  writeSampleBankExport(root);
  process.stdout.write(
    `Sample bank export written to ${root}/bank-export and ${root}/bank-export-jsonl\n`,
  );
}
