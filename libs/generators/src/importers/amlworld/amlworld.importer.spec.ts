import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvalidInputError,
  validateEdge,
  validateVertex,
  type GraphEdge,
  type GroundTruthRecord,
  type MovementEdge,
} from '@app/vocabulary';
import { collectImport, type ImportChunk } from '../import-chunk';
import { ImportFormatError } from '../import-format.error';
import { importAmlworld } from './amlworld.importer';

const FIXTURES = join(__dirname, '..', 'fixtures', 'amlworld');
const TRANS = join(FIXTURES, 'mini_Trans.csv');
const PATTERNS = join(FIXTURES, 'mini_Patterns.txt');
const MALFORMED = join(FIXTURES, 'malformed_Trans.csv');
const at = (text: string): number =>
  Date.parse(`${text.replace(/\//g, '-').replace(' ', 'T')}:00Z`);

function movementsOf(edges: GraphEdge[]): MovementEdge[] {
  return edges.filter((edge): edge is MovementEdge => edge.label === 'TRANSFERRED');
}

function find(edges: GraphEdge[], from: string, to: string, timestamp: string): MovementEdge[] {
  return movementsOf(edges).filter(
    (edge) => edge.from === from && edge.to === to && edge.props.timestamp === at(timestamp),
  );
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0];
}

function record(records: GroundTruthRecord[], typology: string): GroundTruthRecord {
  return only(records.filter((r) => r.typology === typology));
}

describe('importAmlworld with Trans.csv and Patterns.txt', () => {
  it('creates one account per (bank, account), keeping leading zeros and sibling Bitcoin accounts', async () => {
    const { vertices, summary } = await collectImport(
      importAmlworld({ transactionsPath: TRANS, patternsPath: PATTERNS }),
    );
    const uids = vertices.map((v) => v.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids).toEqual(
      expect.arrayContaining([
        'account:0110994:80A0ECCF0',
        'account:0110994:80A0ECCF1',
        'account:020:8001B2C30',
        'account:00220:800AAA110',
      ]),
    );
    // 0110994/80A0ECCF0 and its Bitcoin sibling, 0110320, 020, 0017, 0044986, the three cycle
    // accounts, and the three accounts of bank 0123/0456/0789.
    expect(uids).toHaveLength(12);
    expect(summary.accounts).toBe(12);
    const zeroBank = only(vertices.filter((v) => v.uid === 'account:00220:800AAA110'));
    expect(zeroBank).toEqual({
      label: 'Account',
      uid: 'account:00220:800AAA110',
      props: {
        accountType: 'personal',
        status: 'active',
        country: 'ZZ',
        currency: 'USD',
        openedAt: at('2022/09/04 10:00'),
        bankId: '00220',
      },
    });
    const bitcoin = only(vertices.filter((v) => v.uid === 'account:0110994:80A0ECCF1'));
    expect(bitcoin.props).toMatchObject({ currency: 'BTC', bankId: '0110994' });
  });

  it('turns every row into one valid movement with exact amounts', async () => {
    const { vertices, edges, summary } = await collectImport(
      importAmlworld({ transactionsPath: TRANS, patternsPath: PATTERNS }),
    );
    for (const vertex of vertices) expect(validateVertex(vertex)).toEqual([]);
    for (const edge of edges) expect(validateEdge(edge)).toEqual([]);
    // 11 rows of Trans.csv + the cycle's closing hop that only Patterns.txt has.
    expect(edges).toHaveLength(12);
    expect(summary).toMatchObject({
      edges: 12,
      patternRows: 6,
      patternBlocks: 2,
      patternRowsOnlyInPatterns: 1,
    });

    const btc = only(
      find(edges, 'account:0110994:80A0ECCF1', 'account:0017:8000FEE11', '2022/09/02 13:52'),
    );
    expect(btc.props).toEqual({
      amountMinor: 139_507_300,
      currency: 'BTC',
      timestamp: at('2022/09/02 13:52'),
      channel: 'crypto',
    });
    const euro = only(
      find(edges, 'account:0110994:80A0ECCF0', 'account:0110320:804F34520', '2022/09/01 00:29'),
    );
    expect(euro.props).toMatchObject({ amountMinor: 31_190, currency: 'EUR', channel: 'ach' });
    // Yen has no minor unit: 433188.87 is rounded half-up to 433189, and counted.
    const yen = only(
      find(edges, 'account:0110994:80A0ECCF0', 'account:0044986:81112A390', '2022/09/03 08:04'),
    );
    expect(yen.props).toMatchObject({ amountMinor: 433_189, currency: 'JPY' });
    expect(summary.roundedAmounts).toBe(2);
    const fx = only(
      find(edges, 'account:0123:8099AA000', 'account:0789:8099CC000', '2022/09/06 08:00'),
    );
    expect(fx.props).toMatchObject({
      amountMinor: 100_000,
      currency: 'USD',
      receivedAmountMinor: 85_025,
      receivedCurrency: 'EUR',
      channel: 'wire',
    });
    const reinvest = only(
      find(edges, 'account:0110994:80A0ECCF0', 'account:0110994:80A0ECCF0', '2022/09/01 00:20'),
    );
    expect(reinvest.props.channel).toBe('reinvestment');
  });

  it('keeps two identical rows as two movements', async () => {
    const { edges } = await collectImport(importAmlworld({ transactionsPath: TRANS }));
    const twins = find(
      edges,
      'account:020:8001B2C30',
      'account:0110320:804F34520',
      '2022/09/07 09:30',
    );
    expect(twins).toHaveLength(2);
    expect(twins[0]?.eid).not.toBe(twins[1]?.eid);
    expect(twins[1]?.eid).toBe(`${twins[0]?.eid}-2`);
  });

  it('numbers identical rows over the whole file, whatever the order of the rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amlworld-order-'));
    try {
      const header =
        'Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering';
      const a =
        '2022/09/01 00:20,010,8000EBD30,011,8000F5340,10.00,US Dollar,10.00,US Dollar,ACH,0';
      const b =
        '2022/09/01 00:00,012,8000F5030,012,8000F5030,20.00,US Dollar,20.00,US Dollar,ACH,0';
      const eidsOf = async (name: string, rows: string[]): Promise<string[]> => {
        const path = join(dir, name);
        writeFileSync(path, [header, ...rows].join('\n') + '\n');
        const { edges } = await collectImport(importAmlworld({ transactionsPath: path }));
        return edges.map((edge) => edge.eid).sort();
      };
      const interleaved = await eidsOf('aba_Trans.csv', [a, b, a]);
      expect(new Set(interleaved).size).toBe(3);
      expect(await eidsOf('aab_Trans.csv', [a, a, b])).toEqual(interleaved);
      expect(await eidsOf('baa_Trans.csv', [b, a, a])).toEqual(interleaved);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('labels each pattern block with its typology, movements in time order, accounts and detail', async () => {
    const { edges, groundTruth } = await collectImport(
      importAmlworld({ transactionsPath: TRANS, patternsPath: PATTERNS }),
    );
    expect(groundTruth).toHaveLength(3);
    const fanOut = record(groundTruth, 'fan-out');
    const [a, b, c] = [
      only(
        find(edges, 'account:0110994:80A0ECCF0', 'account:0110320:804F34520', '2022/09/01 00:29'),
      ),
      only(find(edges, 'account:0110994:80A0ECCF1', 'account:0017:8000FEE11', '2022/09/02 13:52')),
      only(
        find(edges, 'account:0110994:80A0ECCF0', 'account:0044986:81112A390', '2022/09/03 08:04'),
      ),
    ];
    // The block lists a, c, b; the record orders them by time. The ids are those of the
    // Trans.csv rows: one transaction, one movement.
    expect(fanOut).toEqual({
      instanceId: 'amlworld:mini_Patterns:1',
      typology: 'fan-out',
      decoy: false,
      source: 'amlworld',
      entities: [
        'account:0110994:80A0ECCF0',
        'account:0110320:804F34520',
        'account:0110994:80A0ECCF1',
        'account:0017:8000FEE11',
        'account:0044986:81112A390',
      ],
      movements: [a.eid, b.eid, c.eid],
      window: { from: at('2022/09/01 00:29'), to: at('2022/09/03 08:04') },
      parameters: {
        pattern: 'FAN-OUT',
        detail: 'Max 3-degree Fan-Out',
        maxDegree: 3,
        file: 'mini_Patterns.txt',
        beginLine: 1,
        rows: 3,
      },
    });
    const cycle = record(groundTruth, 'cycle');
    expect(cycle.parameters).toMatchObject({
      pattern: 'CYCLE',
      detail: 'Max 3 hops',
      maxHops: 3,
      beginLine: 7,
    });
    expect(cycle.movements).toHaveLength(3);
    const closing = only(
      find(edges, 'account:0044:800CCC330', 'account:00220:800AAA110', '2022/09/05 09:00'),
    );
    expect(cycle.movements[2]).toBe(closing.eid);
    expect(cycle.entities).toEqual([
      'account:00220:800AAA110',
      'account:0033:800BBB220',
      'account:0044:800CCC330',
    ]);
  });

  it("puts laundering rows that no block lists into one 'random' record marked unlabelledTypology", async () => {
    const { edges, groundTruth, summary } = await collectImport(
      importAmlworld({ transactionsPath: TRANS, patternsPath: PATTERNS }),
    );
    const cash = only(
      find(edges, 'account:0123:8099AA000', 'account:0456:8099BB000', '2022/09/06 07:15'),
    );
    const unlabelled = only(groundTruth.filter((r) => r.parameters.unlabelledTypology === true));
    expect(unlabelled).toMatchObject({
      instanceId: 'amlworld:mini_Trans:unlabelled',
      typology: 'random',
      decoy: false,
      movements: [cash.eid],
      entities: ['account:0123:8099AA000', 'account:0456:8099BB000'],
      window: { from: at('2022/09/06 07:15'), to: at('2022/09/06 07:15') },
    });
    expect(summary.unlabelledLaunderingRows).toBe(1);
    expect(summary.notes.join(' ')).toContain('1 rows of mini_Trans.csv are labelled laundering');
  });

  it('gives a pattern row the same movement id whether or not Trans.csv is imported with it', async () => {
    const both = await collectImport(
      importAmlworld({ transactionsPath: TRANS, patternsPath: PATTERNS }),
    );
    const alone = await collectImport(importAmlworld({ patternsPath: PATTERNS }));
    expect(alone.edges).toHaveLength(6);
    expect(alone.groundTruth.map((r) => r.movements)).toEqual(
      both.groundTruth
        .filter((r) => r.parameters.unlabelledTypology !== true)
        .map((r) => r.movements),
    );
    const bothIds = new Set(both.edges.map((e) => e.eid));
    for (const edge of alone.edges) expect(bothIds.has(edge.eid)).toBe(true);
  });

  it('streams in chunks where every edge comes after both of its accounts', async () => {
    const chunks: ImportChunk[] = [];
    const run = importAmlworld({ transactionsPath: TRANS, patternsPath: PATTERNS, chunkSize: 4 });
    for await (const chunk of run) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    const seen = new Set<string>();
    let edges = 0;
    for (const chunk of chunks) {
      expect(
        chunk.vertices.length + chunk.edges.length + chunk.groundTruth.length,
      ).toBeLessThanOrEqual(5);
      for (const vertex of chunk.vertices) seen.add(vertex.uid);
      for (const edge of chunk.edges) {
        expect(seen.has(edge.from) && seen.has(edge.to)).toBe(true);
        edges += 1;
      }
    }
    expect(edges).toBe(12);
  });

  it('lets the caller override the account defaults', async () => {
    const { vertices } = await collectImport(
      importAmlworld({
        patternsPath: PATTERNS,
        accountDefaults: { country: 'US', accountType: 'business' },
      }),
    );
    expect(
      vertices.every(
        (v) =>
          v.label === 'Account' && v.props.country === 'US' && v.props.accountType === 'business',
      ),
    ).toBe(true);
  });
});

describe('importAmlworld errors', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlworld-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, lines: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    return path;
  };
  const row =
    '2022/09/04 10:00,00220,800AAA110,0033,800BBB220,1000.00,US Dollar,1000.00,US Dollar,Wire,1';

  it('names the file, the line and the column of a malformed amount', async () => {
    const error = await collectImport(importAmlworld({ transactionsPath: MALFORMED })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportFormatError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as ImportFormatError).message).toBe(
      'malformed_Trans.csv line 4: column "Amount Paid" must be a decimal amount such as 1234.56, got "12,5"',
    );
    expect(error).toMatchObject({ line: 4, field: 'Amount Paid', code: 'invalid_input' });
  });

  it('refuses a file that cannot be read, naming it', async () => {
    const missing = join(dir, 'nope_Trans.csv');
    await expect(collectImport(importAmlworld({ transactionsPath: missing }))).rejects.toThrow(
      new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot be read \\(ENOENT`),
    );
    await expect(collectImport(importAmlworld({ transactionsPath: dir }))).rejects.toBeInstanceOf(
      ImportFormatError,
    );
  });

  it('refuses a transactions file without the AMLworld header', async () => {
    const path = write('x_Trans.csv', [row]);
    await expect(collectImport(importAmlworld({ transactionsPath: path }))).rejects.toThrow(
      'x_Trans.csv line 1: the first line must be the AMLworld header',
    );
  });

  it.each([
    [
      'an unknown currency',
      row.replace('US Dollar,1000.00,US Dollar', 'US Dollar,1000.00,Peso Oro'),
      'column "Payment Currency" must be one of the AMLworld currency names',
    ],
    [
      'an unknown payment format',
      row.replace(',Wire,', ',Telex,'),
      'column "Payment Format" must be one of',
    ],
    [
      'an impossible date',
      row.replace('2022/09/04', '2022/02/30'),
      'column "Timestamp" must be a date and time such as 2022/09/01 00:20, got "2022/02/30 10:00"',
    ],
    [
      'a missing column',
      row.replace(',1000.00,US Dollar,Wire', ',Wire'),
      'a transaction row must have 11 columns',
    ],
    [
      'a zero amount',
      row.replace('1000.00,US Dollar,Wire', '0.00,US Dollar,Wire'),
      'column "Amount Paid" must be at least one minor unit of USD',
    ],
    [
      'a zero amount received',
      row.replace('1000.00,US Dollar,1000.00', '0.00,US Dollar,1000.00'),
      'column "Amount Received" must be at least one minor unit of USD',
    ],
    [
      'a Bitcoin amount below a satoshi',
      row.replace(
        '1000.00,US Dollar,1000.00,US Dollar,Wire',
        '0.1,Bitcoin,0.000000001,Bitcoin,Bitcoin',
      ),
      'column "Amount Paid" must be at least one minor unit of BTC',
    ],
  ])('refuses %s with its line number', async (_what, bad, message) => {
    const path = write('y_Trans.csv', [
      'Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering',
      row,
      bad,
    ]);
    await expect(collectImport(importAmlworld({ transactionsPath: path }))).rejects.toThrow(
      `y_Trans.csv line 3: ${message}`,
    );
  });

  it.each([
    [
      'a block that is never closed',
      ['BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 3 hops', row],
      'line 1: the CYCLE block that starts here is never closed',
    ],
    [
      'an END of another pattern',
      ['BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 3 hops', row, 'END LAUNDERING ATTEMPT - STACK'],
      'line 3: END LAUNDERING ATTEMPT - STACK does not match the open CYCLE block of line 1',
    ],
    [
      'a row outside a block',
      [row],
      'line 1: a transaction line must be inside a BEGIN LAUNDERING ATTEMPT',
    ],
    [
      'an unknown pattern',
      ['BEGIN LAUNDERING ATTEMPT - ZIGZAG', row, 'END LAUNDERING ATTEMPT - ZIGZAG'],
      'line 1: unknown laundering pattern "ZIGZAG"',
    ],
    [
      'a BEGIN inside a block',
      ['BEGIN LAUNDERING ATTEMPT - STACK', 'BEGIN LAUNDERING ATTEMPT - STACK'],
      'line 2: a new BEGIN LAUNDERING ATTEMPT starts before the STACK block of line 1 was closed',
    ],
    [
      'an END without a BEGIN',
      ['', 'END LAUNDERING ATTEMPT - STACK'],
      'line 2: END LAUNDERING ATTEMPT - STACK closes no open block',
    ],
    [
      'a block without any transaction',
      ['BEGIN LAUNDERING ATTEMPT - STACK', 'END LAUNDERING ATTEMPT - STACK'],
      'line 1: the STACK attempt that starts here lists no transaction',
    ],
  ])('refuses a patterns file with %s', async (_what, lines, message) => {
    const path = write('z_Patterns.txt', lines);
    await expect(collectImport(importAmlworld({ patternsPath: path }))).rejects.toThrow(
      `z_Patterns.txt ${message}`,
    );
  });

  it.each([
    ['empty', ''],
    ['made of blank lines', '\r\n  \r\n\r\n'],
  ])('refuses a patterns file that is %s', async (_what, text) => {
    const path = join(dir, 'empty_Patterns.txt');
    writeFileSync(path, text);
    await expect(collectImport(importAmlworld({ patternsPath: path }))).rejects.toThrow(
      `${path}: has no BEGIN LAUNDERING ATTEMPT … END LAUNDERING ATTEMPT block`,
    );
  });

  it('reports broken CSV quoting as a format error of the file', async () => {
    const header =
      'Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering';
    const path = write('q_Trans.csv', [
      header,
      row.replace(',1000.00,US Dollar,Wire', ',"1000.00,US Dollar,Wire'),
    ]);
    await expect(collectImport(importAmlworld({ transactionsPath: path }))).rejects.toThrow(
      /^q_Trans\.csv line \d+: is not valid CSV: CSV_QUOTE_NOT_CLOSED/,
    );
  });

  it('refuses a line beyond 1 MiB and never quotes a huge line whole', async () => {
    const huge = write('h_Trans.csv', [','.repeat(3_000_000)]);
    await expect(collectImport(importAmlworld({ transactionsPath: huge }))).rejects.toThrow(
      'h_Trans.csv line 1: the line is longer than 1,048,576 characters',
    );
    const wide = write('w_Trans.csv', [','.repeat(500_000)]);
    const error = (await collectImport(importAmlworld({ transactionsPath: wide })).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toContain(`got "${','.repeat(80)}… (500,000 characters)"`);
    expect(error.message.length).toBeLessThan(500);
  });

  it('refuses a row that is not UTF-8 text, naming the line', async () => {
    const path = join(dir, 'l_Trans.csv');
    const header =
      'Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering';
    writeFileSync(path, Buffer.from(`${header}\n${row.replace('Wire', 'W\u00efre')}\n`, 'latin1'));
    await expect(collectImport(importAmlworld({ transactionsPath: path }))).rejects.toThrow(
      'l_Trans.csv line 2: value 10 of the row is not UTF-8 text',
    );
  });

  it('refuses a chunk size below 1', async () => {
    await expect(
      collectImport(importAmlworld({ patternsPath: PATTERNS, chunkSize: 0 })),
    ).rejects.toThrow('chunkSize must be a whole number of at least 1, got 0');
  });

  it('needs at least one file', async () => {
    await expect(collectImport(importAmlworld({}))).rejects.toBeInstanceOf(InvalidInputError);
  });
});
