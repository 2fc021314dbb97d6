import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { collectImport } from '../import-chunk';
import { BANK_RECORD_TYPES, bankFields, type BankRecordType } from './bank-exchange.schemas';
import { bankExportFolder, type BankExportFile } from './bank-export.files';
import { importBankExport, parseBankExport } from './bank-export.importer';
import { BankExportInvalidError, type BankExportProblem } from './bank-export.problems';
import { readCsvRows } from '../csv-rows.reader';

type Row = Record<string, string>;

/** An in-memory file, as an upload would give it. */
function file(name: string, text: string): BankExportFile {
  return {
    name,
    // Split in two to show that chunk boundaries inside a line do not matter.
    open: () => Readable.from([text.slice(0, text.length / 2), text.slice(text.length / 2)]),
  };
}

function csv(type: BankRecordType, rows: readonly Row[]): BankExportFile {
  const { required, optional } = bankFields(type);
  const columns = [...required, ...optional];
  const lines = rows.map((row) =>
    columns.map((c) => (row[c]?.includes(',') ? `"${row[c]}"` : (row[c] ?? ''))).join(','),
  );
  return file(`${type}.csv`, [columns.join(','), ...lines].join('\n') + '\n');
}

/** A small valid export, by type; tests change one row to break one rule. */
function base(): Record<BankRecordType, Row[]> {
  return {
    persons: [
      { person_id: 'P1', name: 'Ada Byron', is_pep: 'true' },
      { person_id: 'P2', name: 'Ben Okri' },
    ],
    companies: [{ company_id: 'C1', name: 'Acme Ltd', jurisdiction: 'GB' }],
    accounts: [
      {
        account_id: 'A1',
        account_type: 'personal',
        currency: 'USD',
        opened_on: '2020-01-01',
        country: 'US',
      },
      {
        account_id: 'A2',
        account_type: 'business',
        currency: 'JPY',
        opened_on: '2020-01-01',
        country: 'JP',
      },
      {
        account_id: 'A3',
        account_type: 'business',
        currency: 'KWD',
        opened_on: '2020-01-01',
        country: 'KW',
      },
    ],
    holders: [
      { account_id: 'A1', party_id: 'P1' },
      { account_id: 'A2', party_id: 'C1', role: 'holder' },
      { account_id: 'A3', party_id: 'P2', since: '2021-05-01' },
    ],
    ownership: [
      {
        relation_id: 'R1',
        owner_id: 'P1',
        company_id: 'C1',
        interest_type: 'shareholding',
        share_min: '12.5',
        share_max: '12.5',
      },
      {
        relation_id: 'R2',
        owner_id: 'P2',
        company_id: 'C1',
        interest_type: 'shareholding',
        share_min: '25',
        share_max: '50',
        share_min_exclusive: 'true',
      },
      { relation_id: 'R3', owner_id: 'P2', company_id: 'C1', interest_type: 'boardMember' },
    ],
    identifiers: [{ identifier_id: 'I1', kind: 'phone', value: '+44 20 7946 0000' }],
    'identifier-uses': [
      { identifier_id: 'I1', party_id: 'P1', first_seen: '2024-01-01T00:00:00Z' },
      {
        identifier_id: 'I1',
        account_id: 'A3',
        first_seen: '2024-02-01T00:00:00Z',
        last_seen: '2024-03-01T00:00:00Z',
      },
    ],
    movements: [
      {
        movement_id: 'M1',
        timestamp: '2025-01-02T10:00:00+02:00',
        amount: '1234.50',
        currency: 'USD',
        from_account: 'A1',
        to_account: 'A2',
        channel: 'wire',
        received_amount: '190000',
        received_currency: 'JPY',
      },
      {
        movement_id: 'M2',
        timestamp: '2025-01-03T10:00:00Z',
        amount: '1500',
        currency: 'JPY',
        from_account: 'A2',
        to_account: 'A1',
        channel: 'ach',
      },
      {
        movement_id: 'M3',
        timestamp: '2025-01-04T10:00:00Z',
        amount: '1.250',
        currency: 'KWD',
        from_account: 'A3',
        to_account: 'A1',
        channel: 'wire',
      },
      {
        movement_id: 'M4',
        timestamp: '2025-01-05T10:00:00Z',
        amount: '9500.00',
        currency: 'USD',
        to_account: 'A1',
        cash: 'true',
        cash_point: 'ATM-1',
      },
      {
        movement_id: 'M5',
        timestamp: '2025-01-06T10:00:00.5Z',
        amount: '0.01',
        currency: 'USD',
        from_account: 'A1',
        channel: 'wire',
        counterparty_account: 'DE001',
        counterparty_bank: 'DEUTDEFF',
        counterparty_name: 'Hans Maier',
        counterparty_type: 'person',
        counterparty_country: 'DE',
      },
      {
        movement_id: 'M6',
        timestamp: '2025-01-07T10:00:00Z',
        amount: '90071992547409.91',
        currency: 'USD',
        from_account: 'A1',
        channel: 'wire',
        counterparty_account: 'DE001',
        counterparty_bank: 'DEUTDEFF',
        counterparty_name: 'Hans Maier',
        counterparty_type: 'person',
        counterparty_country: 'DE',
      },
    ],
    events: [
      {
        event_id: 'E1',
        account_id: 'A1',
        kind: 'login',
        timestamp: '2025-01-02T09:00:00Z',
        country: 'US',
        latitude: '40.7',
        longitude: '-74.0',
      },
    ],
  };
}

function filesOf(tables: Record<BankRecordType, Row[]>): BankExportFile[] {
  return BANK_RECORD_TYPES.map((type) => csv(type, tables[type]));
}

async function problemsOf(tables: Record<BankRecordType, Row[]>): Promise<BankExportProblem[]> {
  const error: unknown = await parseBankExport(filesOf(tables), { bankId: 'b1' }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BankExportInvalidError);
  return [...(error as BankExportInvalidError).located];
}

function edge(edges: readonly GraphEdge[], eid: string): GraphEdge | undefined {
  return edges.find((e) => e.eid === eid);
}

function vertex(vertices: readonly GraphVertex[], uid: string): GraphVertex | undefined {
  return vertices.find((v) => v.uid === uid);
}

describe('parseBankExport: a valid export', () => {
  it('converts amounts exactly by currency exponent (2, 0 and 3 decimals) and times with offsets', async () => {
    const { edges } = await parseBankExport(filesOf(base()), { bankId: 'b1' });
    expect(edge(edges, 'mv:b1:M1')).toMatchObject({
      from: 'account:b1:A1',
      to: 'account:b1:A2',
      props: {
        amountMinor: 123450,
        currency: 'USD',
        receivedAmountMinor: 190000,
        receivedCurrency: 'JPY',
        timestamp: Date.UTC(2025, 0, 2, 8, 0, 0),
        channel: 'wire',
      },
    });
    expect(edge(edges, 'mv:b1:M2')?.props).toMatchObject({ amountMinor: 1500, currency: 'JPY' });
    expect(edge(edges, 'mv:b1:M3')?.props).toMatchObject({ amountMinor: 1250, currency: 'KWD' });
    expect(edge(edges, 'mv:b1:M5')?.props).toMatchObject({
      amountMinor: 1,
      timestamp: Date.UTC(2025, 0, 6, 10, 0, 0, 500),
    });
    expect(edge(edges, 'mv:b1:M6')?.props).toMatchObject({ amountMinor: Number.MAX_SAFE_INTEGER });
  });

  it('converts percentages exactly into basis points, ranges and exclusivity included', async () => {
    const { edges } = await parseBankExport(filesOf(base()), { bankId: 'b1' });
    expect(edge(edges, 'rel:b1:R1')).toMatchObject({
      label: 'OWNS',
      from: 'person:b1:P1',
      to: 'company:b1:C1',
      props: { shareMinBp: 1250, shareMaxBp: 1250, shareMinExclusive: false },
    });
    expect(edge(edges, 'rel:b1:R2')?.props).toMatchObject({
      shareMinBp: 2500,
      shareMaxBp: 5000,
      shareMinExclusive: true,
      shareMaxExclusive: false,
    });
    const board = edge(edges, 'rel:b1:R3');
    expect(board).toMatchObject({ label: 'CONTROLS', props: { interestType: 'boardMember' } });
    expect(board?.props).not.toHaveProperty('shareMinBp');
  });

  it('makes an external counterparty an account of the other bank with its named holder, once', async () => {
    const { vertices, edges, summary } = await parseBankExport(filesOf(base()), { bankId: 'b1' });
    expect(vertex(vertices, 'account:DEUTDEFF:DE001')).toEqual({
      label: 'Account',
      uid: 'account:DEUTDEFF:DE001',
      props: {
        accountType: 'external',
        currency: 'USD',
        openedAt: Date.UTC(2025, 0, 6, 10, 0, 0, 500),
        status: 'active',
        bankId: 'DEUTDEFF',
        country: 'DE',
      },
    });
    expect(vertex(vertices, 'person:external:DEUTDEFF/DE001')).toMatchObject({
      props: { name: 'Hans Maier', residence: 'DE' },
    });
    expect(edge(edges, 'mv:b1:M5')?.to).toBe('account:DEUTDEFF:DE001');
    expect(
      edges.filter((e) => e.label === 'HOLDS' && e.to === 'account:DEUTDEFF:DE001'),
    ).toHaveLength(1);
    expect(summary.externalAccounts).toBe(1);
  });

  it('puts a cash deposit with an empty side on a cash point, and party uses on every account held', async () => {
    const { vertices, edges } = await parseBankExport(filesOf(base()), { bankId: 'b1' });
    expect(edge(edges, 'mv:b1:M4')).toMatchObject({
      from: 'cash:b1:ATM-1',
      to: 'account:b1:A1',
      props: { channel: 'cash', amountMinor: 950000 },
    });
    expect(vertex(vertices, 'cash:b1:ATM-1')?.props).toMatchObject({
      accountType: 'cash-point',
      country: 'US',
    });
    const uses = edges.filter((e) => e.label === 'USES').map((e) => [e.from, e.to]);
    expect(uses).toEqual([
      ['account:b1:A1', 'phone:+442079460000'],
      ['account:b1:A3', 'phone:+442079460000'],
    ]);
  });

  it('yields every vertex before any edge, in chunks, and reports the rows of each file', async () => {
    const run = importBankExport(filesOf(base()), { bankId: 'b1', chunkSize: 4 });
    const seen = new Set<string>();
    let edgesStarted = false;
    let chunks = 0;
    for (;;) {
      const step = await run.next();
      if (step.done === true) {
        expect(step.value.records).toMatchObject({ persons: 2, movements: 6, events: 1 });
        expect(step.value.files).toContainEqual({ path: 'movements.csv', rows: 6 });
        break;
      }
      chunks += 1;
      for (const v of step.value.vertices) {
        expect(edgesStarted).toBe(false);
        seen.add(v.uid);
      }
      for (const e of step.value.edges) {
        edgesStarted = true;
        expect(seen.has(e.from) && seen.has(e.to)).toBe(true);
      }
    }
    expect(chunks).toBeGreaterThan(3);
  });

  it('reads a mixed JSON-lines body whose lines carry their type', async () => {
    const lines = BANK_RECORD_TYPES.flatMap((type) =>
      base()[type].map((row) => JSON.stringify({ type, ...row })),
    );
    const fromJsonl = await collectImport(
      importBankExport([file('upload.jsonl', lines.join('\n'))], { bankId: 'b1' }),
    );
    const fromCsv = await collectImport(importBankExport(filesOf(base()), { bankId: 'b1' }));
    expect(fromJsonl.vertices).toEqual(fromCsv.vertices);
    expect(fromJsonl.edges).toEqual(fromCsv.edges);
  });
});

describe("parseBankExport: a day's rows naming what an earlier import stored", () => {
  const day2 = (from: string): BankExportFile[] => [
    csv('movements', [
      {
        movement_id: 'M9',
        timestamp: '2025-02-01T10:00:00Z',
        amount: '10.00',
        currency: 'USD',
        from_account: from,
        to_account: 'A2',
        channel: 'wire',
      },
    ]),
    csv('holders', [{ account_id: 'A3', party_id: 'C1' }]),
  ];

  async function storedLookup(): Promise<(uids: readonly string[]) => Promise<GraphVertex[]>> {
    const first = await parseBankExport(filesOf(base()), { bankId: 'b1' });
    return (uids) => Promise.resolve(first.vertices.filter((v) => uids.includes(v.uid)));
  }

  it('takes movements and holdings that name stored accounts and parties, without listing them again', async () => {
    const storedVertices = await storedLookup();
    const { vertices, edges } = await parseBankExport(day2('A1'), {
      bankId: 'b1',
      storedVertices,
    });
    expect(vertices).toEqual([]);
    expect(edges.map((e) => [e.label, e.from, e.to]).sort()).toEqual([
      ['HOLDS', 'company:b1:C1', 'account:b1:A3'],
      ['TRANSFERRED', 'account:b1:A1', 'account:b1:A2'],
    ]);
  });

  it('takes a cash deposit at a cash point an earlier import stored, without asking for its country again', async () => {
    const storedVertices = await storedLookup();
    const { vertices, edges } = await parseBankExport(
      [
        csv('movements', [
          {
            movement_id: 'M10',
            timestamp: '2025-02-02T10:00:00Z',
            amount: '500.00',
            currency: 'USD',
            to_account: 'A1',
            cash: 'true',
            cash_point: 'ATM-1',
          },
        ]),
      ],
      { bankId: 'b1', storedVertices },
    );
    expect(vertices).toEqual([]);
    expect(edges.map((e) => [e.eid, e.from, e.to])).toEqual([
      ['mv:b1:M10', 'cash:b1:ATM-1', 'account:b1:A1'],
    ]);
  });

  it('still refuses an account that is neither in the files nor stored, saying where it looked', async () => {
    const storedVertices = await storedLookup();
    const error: unknown = await parseBankExport(day2('Z1'), {
      bankId: 'b1',
      storedVertices,
    }).catch((e: unknown) => e);
    expect((error as BankExportInvalidError).located).toEqual([
      expect.objectContaining({
        file: 'movements.csv',
        line: 2,
        field: 'from_account',
        rule: 'must name an account_id of accounts or an account of bank b1 already stored ("Z1" is in neither)',
      }),
    ]);
    // Without a store to look in (an import to a folder), every reference must be in the files.
    const alone: unknown = await parseBankExport(day2('A1'), { bankId: 'b1' }).catch(
      (e: unknown) => e,
    );
    expect((alone as BankExportInvalidError).located.map((p) => p.rule)).toEqual([
      'must name an account_id of accounts ("A3" is not there)',
      'must name a person_id of persons or a company_id of companies ("C1" is in neither)',
      'must name an account_id of accounts ("A1" is not there)',
      'must name an account_id of accounts ("A2" is not there)',
    ]);
  });
});

describe('parseBankExport: a booked movement is not changed', () => {
  it('refuses a movement stored already with another amount, naming the row, and takes the same movement sent again', async () => {
    const first = await parseBankExport(filesOf(base()), { bankId: 'b1' });
    const storedEdges = (eids: readonly string[]): Promise<GraphEdge[]> =>
      Promise.resolve(first.edges.filter((e) => eids.includes(e.eid)));
    const again = await parseBankExport(filesOf(base()), { bankId: 'b1', storedEdges });
    expect(again.edges).toEqual(first.edges);
    const t = base();
    t.movements[0] = { ...t.movements[0], amount: '15.00' };
    const error: unknown = await parseBankExport(filesOf(t), { bankId: 'b1', storedEdges }).catch(
      (e: unknown) => e,
    );
    expect((error as BankExportInvalidError).located).toEqual([
      expect.objectContaining({
        file: 'movements.csv',
        line: 2,
        field: 'movement_id',
        rule: expect.stringContaining('stored already with other values (mv:b1:M1)') as unknown,
      }),
    ]);
  });
});

describe("parseBankExport: dates after the importer's clock", () => {
  it('refuses a movement more than 7 days ahead, an account opened or a person born later, and a birth before 1900', async () => {
    const now = Date.UTC(2025, 5, 1);
    const t = base();
    t.movements[0] = { ...t.movements[0], timestamp: '9999-12-31T23:59:59Z' };
    t.movements[1] = { ...t.movements[1], timestamp: '2025-06-07T23:59:59Z' };
    t.accounts[0] = { ...t.accounts[0], opened_on: '2030-01-01' };
    t.persons[0] = { ...t.persons[0], birth_date: '0000-01-01' };
    const error: unknown = await parseBankExport(filesOf(t), { bankId: 'b1', now }).catch(
      (e: unknown) => e,
    );
    expect((error as BankExportInvalidError).located.map((p) => [p.file, p.line, p.field])).toEqual(
      [
        ['movements.csv', 2, 'timestamp'],
        ['accounts.csv', 2, 'opened_on'],
        ['persons.csv', 2, 'birth_date'],
      ],
    );
    // Without a clock (tests, old data), dates are only checked for their form.
    await expect(parseBankExport(filesOf(t), { bankId: 'b1' })).resolves.toBeDefined();
  });
});

describe('parseBankExport: refused exports name file, line, field and rule, and yield nothing', () => {
  it.each<[string, (t: Record<BankRecordType, Row[]>) => void, BankExportProblem]>([
    [
      'too many decimals for USD',
      (t) => (t.movements[0] = { ...t.movements[0], amount: '1.005' }),
      {
        file: 'movements.csv',
        line: 2,
        field: 'amount',
        rule: 'must have at most 2 decimals (USD has 2)',
      },
    ],
    [
      'decimals on JPY',
      (t) => (t.movements[1] = { ...t.movements[1], amount: '1500.5' }),
      {
        file: 'movements.csv',
        line: 3,
        field: 'amount',
        rule: 'must be a whole number of JPY (JPY has no minor unit)',
      },
    ],
    [
      'a thousands separator',
      (t) => (t.movements[0] = { ...t.movements[0], amount: '1,234.50' }),
      {
        file: 'movements.csv',
        line: 2,
        field: 'amount',
        rule: 'must be a decimal amount in major units written as text, such as "1234.50" (no sign, no thousands separator, no exponent; at most 30 digits each side of the point)',
      },
    ],
    [
      'a time without a zone',
      (t) => (t.movements[2] = { ...t.movements[2], timestamp: '2025-01-04T10:00:00' }),
      {
        file: 'movements.csv',
        line: 4,
        field: 'timestamp',
        rule: 'must be an ISO 8601 date and time with seconds and a time zone, such as 2024-03-31T14:05:00Z or 2024-03-31T16:05:00+02:00',
      },
    ],
    [
      'a share above 100%',
      (t) => (t.ownership[0] = { ...t.ownership[0], share_max: '100.5' }),
      { file: 'ownership.csv', line: 2, field: 'share_max', rule: 'must be at most 100 (percent)' },
    ],
    [
      'a share with 3 decimals',
      (t) => (t.ownership[0] = { ...t.ownership[0], share_min: '12.505' }),
      {
        file: 'ownership.csv',
        line: 2,
        field: 'share_min',
        rule: 'must be a percentage written as text with at most 2 decimals, such as "25" or "12.5"',
      },
    ],
    [
      'a minimum share above the maximum',
      (t) => (t.ownership[1] = { ...t.ownership[1], share_min: '60' }),
      {
        file: 'ownership.csv',
        line: 3,
        field: 'share_min',
        rule: 'must not be greater than share_max (50)',
      },
    ],
    [
      'an unknown channel',
      (t) => (t.movements[0] = { ...t.movements[0], channel: 'pigeon' }),
      {
        file: 'movements.csv',
        line: 2,
        field: 'channel',
        rule: 'must be one of wire, ach, cheque, cash, card, credit-card, crypto, reinvestment, internal',
      },
    ],
    [
      'a missing required value',
      (t) => (t.persons[1] = { person_id: 'P2' }),
      { file: 'persons.csv', line: 3, field: 'name', rule: 'is required' },
    ],
    [
      'a holder of an unknown account',
      (t) => (t.holders[0] = { ...t.holders[0], account_id: 'A9' }),
      {
        file: 'holders.csv',
        line: 2,
        field: 'account_id',
        rule: 'must name an account_id of accounts ("A9" is not there)',
      },
    ],
    [
      'a movement from an undeclared account',
      (t) => (t.movements[1] = { ...t.movements[1], from_account: 'Z1' }),
      {
        file: 'movements.csv',
        line: 3,
        field: 'from_account',
        rule: 'must name an account_id of accounts ("Z1" is not there)',
      },
    ],
    [
      'an empty side that is neither external nor cash',
      (t) => (t.movements[1] = { ...t.movements[1], from_account: '' }),
      {
        file: 'movements.csv',
        line: 3,
        field: 'from_account',
        rule: 'is required: an empty side needs counterparty_account (a bank outside) or cash = true (a cash point)',
      },
    ],
    [
      'a duplicate movement id',
      (t) => (t.movements[2] = { ...t.movements[2], movement_id: 'M1' }),
      {
        file: 'movements.csv',
        line: 4,
        field: 'movement_id',
        rule: 'must be unique: the movement id "M1" is already in movements.csv line 2',
      },
    ],
    [
      'a currency that ISO 4217 does not have',
      (t) => (t.movements[0] = { ...t.movements[0], currency: 'ABC' }),
      {
        file: 'movements.csv',
        line: 2,
        field: 'currency',
        rule: 'must be an ISO 4217 currency code in use, such as EUR or USD ("ABC" is not one)',
      },
    ],
    [
      'an account in a currency that ISO 4217 does not have',
      (t) => (t.accounts[0] = { ...t.accounts[0], currency: 'XYZ' }),
      {
        file: 'accounts.csv',
        line: 2,
        field: 'currency',
        rule: 'must be an ISO 4217 currency code in use, such as EUR or USD ("XYZ" is not one)',
      },
    ],
    [
      'a counterparty described two ways',
      (t) => (t.movements[5] = { ...t.movements[5], counterparty_name: 'H. Maier' }),
      {
        file: 'movements.csv',
        line: 7,
        field: 'counterparty_name',
        rule: 'must be the same for every movement of counterparty account DEUTDEFF/DE001: movements.csv line 6 says "Hans Maier"',
      },
    ],
    [
      'a latitude without longitude',
      (t) => (t.events[0] = { ...t.events[0], longitude: '' }),
      {
        file: 'events.csv',
        line: 2,
        field: 'longitude',
        rule: 'give both latitude and longitude, or neither',
      },
    ],
    [
      'a cash movement on another channel',
      (t) => (t.movements[3] = { ...t.movements[3], channel: 'wire' }),
      {
        file: 'movements.csv',
        line: 5,
        field: 'channel',
        rule: 'must be cash (or be left empty) when cash is true',
      },
    ],
  ])('%s', async (_name, breakIt, expected) => {
    const tables = base();
    breakIt(tables);
    expect(await problemsOf(tables)).toEqual([expected]);
  });

  it('refuses a party id used by a person and a company, and every reference that then fails', async () => {
    const tables = base();
    tables.companies[0] = { ...tables.companies[0], company_id: 'P2' };
    const problems = await problemsOf(tables);
    expect(problems[0]).toEqual({
      file: 'companies.csv',
      line: 2,
      field: 'company_id',
      rule: 'must be unique: the party id "P2" is already in persons.csv line 3',
    });
    expect(problems.slice(1).map((p) => `${p.file}:${p.line}:${p.field}`)).toEqual([
      'holders.csv:3:party_id',
      'ownership.csv:2:company_id',
      'ownership.csv:3:company_id',
      'ownership.csv:4:company_id',
    ]);
  });

  it('reports format and reference problems in one run, without blaming references to a refused row', async () => {
    const tables = base();
    // A2 is refused for its own date; M2, holders line 3 and M1 name it: not reported again.
    tables.accounts[1] = { ...tables.accounts[1], opened_on: '2020-13-01' };
    // C1 is refused too (no jurisdiction): its holdings and its account's holder are not blamed.
    tables.companies[0] = { company_id: 'C1', name: 'Acme Ltd' };
    // A typo in a reference, and an identifier use of an identifier that is not there.
    tables.movements[2] = { ...tables.movements[2], from_account: 'A9' };
    tables['identifier-uses'][0] = { ...tables['identifier-uses'][0], identifier_id: 'I9' };
    const problems = await problemsOf(tables);
    expect(problems.map((p) => `${p.file}:${p.line}:${p.field}`)).toEqual([
      'companies.csv:2:jurisdiction',
      'accounts.csv:3:opened_on',
      'identifier-uses.csv:2:identifier_id',
      'movements.csv:4:from_account',
    ]);
    expect(problems[3].rule).toBe('must name an account_id of accounts ("A9" is not there)');
  });

  it('reports an unknown or missing CSV column once, on the header line', async () => {
    const files = filesOf(base()).filter((f) => f.name !== 'persons.csv');
    files.push(file('persons.csv', 'person_id,full_name\nP1,Ada\nP2,Ben\n'));
    const error = (await parseBankExport(files).catch((e: unknown) => e)) as BankExportInvalidError;
    expect(error.located).toEqual([
      {
        file: 'persons.csv',
        line: 1,
        field: 'full_name',
        rule: 'is not a column of persons (columns: person_id, name, birth_date, nationality, residence, is_pep, is_sanctioned)',
      },
      {
        file: 'persons.csv',
        line: 1,
        field: 'name',
        rule: 'is a required column and is missing from the header',
      },
    ]);
  });

  it('reports bad JSON lines, unknown fields and a missing type in a mixed file', async () => {
    const body = [
      '{"type":"persons","person_id":"P1","name":"Ada","nickname":"A"}',
      '{ not json',
      '{"person_id":"P2","name":"Ben"}',
      '{"type":"movements","movement_id":"M1","timestamp":"2025-01-01T00:00:00Z","amount":12.5,"currency":"USD","from_account":"A1","to_account":"A2","channel":"wire"}',
    ].join('\n');
    const error = (await parseBankExport([file('body.jsonl', body)]).catch(
      (e: unknown) => e,
    )) as BankExportInvalidError;
    expect(error.located.map((p) => [p.line, p.field])).toEqual([
      [1, 'nickname'],
      [2, 'line'],
      [3, 'type'],
      [4, 'amount'],
    ]);
    expect(error.located[0]?.rule).toMatch(/^is not a field of persons \(fields: person_id, name/);
    expect(error.message).toContain('body.jsonl line 2: line must be one JSON object per line');
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a "%s" key in JSON lines as an unknown field, never as a way to set fields',
    async (key) => {
      const body = [
        `{"${key}":{"is_pep":true,"identifier_id":"I1"},"type":"persons","person_id":"P1","name":"Ada"}`,
        `{"type":"persons","person_id":"P2","name":"Ben","${key}":{"is_pep":true}}`,
      ].join('\n');
      const error = (await parseBankExport([file('body.jsonl', body)]).catch(
        (e: unknown) => e,
      )) as BankExportInvalidError;
      expect(error).toBeInstanceOf(BankExportInvalidError);
      expect(error.located.map((p) => [p.line, p.field])).toEqual([
        [1, key],
        [2, key],
      ]);
      expect(error.located[0]?.rule).toMatch(/^is not a field of persons/);
    },
  );

  /** The problems of an export whose persons file is `persons` (the other files are valid). */
  async function personsProblems(persons: BankExportFile): Promise<BankExportProblem[]> {
    const files = filesOf(base()).filter((f) => f.name !== 'persons.csv');
    const error: unknown = await parseBankExport([...files, persons]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BankExportInvalidError);
    return [...(error as BankExportInvalidError).located];
  }
  const bytes = (name: string, data: Buffer): BankExportFile => ({
    name,
    open: () => Readable.from([data.subarray(0, 5), data.subarray(5)]),
  });
  const PERSONS = 'person_id,name,is_pep\nP1,Ada Byron,true\n';

  it('refuses a CSV file that is not UTF-8 (Latin-1), naming the line and field', async () => {
    const latin1 = Buffer.from(`${PERSONS}P2,J\u00fcrgen M\u00fcller,\n`, 'latin1');
    expect(await personsProblems(bytes('persons.csv', latin1))).toEqual([
      {
        file: 'persons.csv',
        line: 3,
        field: 'name',
        rule: 'is not UTF-8 text (it holds a byte that is not UTF-8, shown as U+FFFD): save the file as UTF-8 and try again',
      },
    ]);
  });

  it('still reads UTF-16 with a byte-order mark and UTF-8 with accents', async () => {
    const text = `${PERSONS}P2,J\u00fcrgen M\u00fcller,\n`;
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    for (const data of [utf16, Buffer.from(text, 'utf8')]) {
      const files = filesOf(base()).filter((f) => f.name !== 'persons.csv');
      const { vertices } = await parseBankExport([...files, bytes('persons.csv', data)], {
        bankId: 'b1',
      });
      expect(vertex(vertices, 'person:b1:P2')?.props).toMatchObject({ name: 'Jürgen Müller' });
    }
  });

  it('refuses NUL and other control characters in a text field, naming the field', async () => {
    expect(await personsProblems(file('persons.csv', `${PERSONS}P2,Ben\u0000,\n`))).toEqual([
      {
        file: 'persons.csv',
        line: 3,
        field: 'name',
        rule: 'holds the control character U+0000, which a text value may not hold',
      },
    ]);
    const jsonl = file(
      'persons.jsonl',
      '{"person_id":"P1","name":"Ada"}\n{"person_id":"P2","name":"Ben\\u0007"}\n',
    );
    expect(await personsProblems(jsonl)).toEqual([
      expect.objectContaining({ file: 'persons.jsonl', line: 2, field: 'name' }) as unknown,
    ]);
  });

  it('says a gzip file is one, once, without a bogus "file is empty"', async () => {
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
    for (const name of ['persons.csv', 'persons.jsonl']) {
      const problems = await personsProblems(bytes(name, gzip));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ file: name, line: 1, field: 'file' });
      expect(problems[0]?.rule).toMatch(/^looks like a gzip file .*: unpack it first/);
    }
  });

  it('names an empty header column as such (a trailing comma)', async () => {
    expect(await personsProblems(file('persons.csv', 'person_id,name,\nP1,Ada,\n'))).toEqual([
      {
        file: 'persons.csv',
        line: 1,
        field: 'header',
        rule: 'has an empty column name (a trailing comma?); the columns of persons are person_id, name, birth_date, nationality, residence, is_pep, is_sanctioned',
      },
    ]);
  });

  it('refuses a FIFO named like a record file at once, instead of waiting on it for ever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bank-fifo-'));
    try {
      execFileSync('mkfifo', [join(dir, 'companies.csv')]);
      writeFileSync(join(dir, 'persons.csv'), PERSONS);
      const { files } = await bankExportFolder(dir);
      const error = (await parseBankExport(files).catch(
        (e: unknown) => e,
      )) as BankExportInvalidError;
      expect(error.located).toHaveLength(1);
      expect(error.located[0]).toMatchObject({ file: 'companies.csv', field: 'file' });
      expect(error.located[0].rule).toContain('is not a regular file (a FIFO, socket or device');
      // The same for a single CSV input (the AMLworld importer's --transactions).
      await expect(readCsvRows(join(dir, 'companies.csv')).next()).rejects.toThrow(
        'is not a regular file',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says a folder named like a record file is a folder, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bank-folder-'));
    try {
      mkdirSync(join(dir, 'events.csv'));
      mkdirSync(join(dir, 'movements.jsonl'));
      writeFileSync(join(dir, 'persons.csv'), PERSONS);
      const { files } = await bankExportFolder(dir);
      const error = (await parseBankExport(files).catch(
        (e: unknown) => e,
      )) as BankExportInvalidError;
      expect(error.located).toEqual([
        { file: 'events.csv', line: 0, field: 'file', rule: 'is a folder, not a file' },
        { file: 'movements.jsonl', line: 0, field: 'file', rule: 'is a folder, not a file' },
      ]);
      expect(error.message).toContain('\n  events.csv: file is a folder, not a file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['persons.csv', 'persons.jsonl'])(
    'refuses a %s line beyond 1 MiB early, and quotes no input whole',
    async (name) => {
      const huge = name.endsWith('.csv') ? ','.repeat(3_000_000) : `{"${'x'.repeat(3_000_000)}":1}`;
      const problems = await personsProblems(file(name, `${PERSONS}${huge}\nP3,Cy,\n`));
      expect(problems).toEqual([
        {
          file: name,
          line: 3,
          field: 'line',
          rule: 'is longer than 1,048,576 characters, the most a line may hold: is it a file of this format?',
        },
      ]);
      const wide = name.endsWith('.csv')
        ? `person_id,name,${'y'.repeat(500_000)}\nP1,Ada,\n`
        : `{"person_id":"P1","name":"Ada","${'y'.repeat(500_000)}":1}\n`;
      const message = (
        (await parseBankExport([file(name, wide)]).catch((e: unknown) => e)) as Error
      ).message;
      expect(message.length).toBeLessThan(1000);
      expect(message).toContain('… (500,000 characters)');
    },
  );

  it('stops after maxProblems and says so', async () => {
    const tables = base();
    tables.movements = tables.movements.map((m) => ({ ...m, currency: 'usd' }));
    const error = (await parseBankExport(filesOf(tables), { maxProblems: 3 }).catch(
      (e: unknown) => e,
    )) as BankExportInvalidError;
    expect(error.located).toHaveLength(3);
    expect(error.stoppedEarly).toBe(true);
    expect(error.message).toContain(
      'at least 3 problems (reading stopped there); nothing was imported',
    );
  });

  it('yields no chunk at all when a single row of the last file is wrong', async () => {
    const tables = base();
    tables.events[0] = { ...tables.events[0], kind: 'teleport' };
    const run = importBankExport(filesOf(tables), { chunkSize: 1 });
    await expect(run.next()).rejects.toBeInstanceOf(BankExportInvalidError);
  });

  it('refuses file names it cannot place and two files of one type', async () => {
    await expect(
      parseBankExport([
        file('customers.csv', 'a\n'),
        file('persons.csv', 'x\n'),
        file('persons.jsonl', ''),
      ]),
    ).rejects.toMatchObject({
      problems: [
        {
          field: 'customers.csv',
          rule: expect.stringMatching(/^must be named after a record type/) as unknown,
        },
        {
          field: 'persons.jsonl',
          rule: 'holds persons, and so does persons.csv: give one file per record type',
        },
      ],
    });
  });
});
