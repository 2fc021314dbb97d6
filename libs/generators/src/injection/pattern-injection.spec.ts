import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ids, type MovementEdge } from '@app/vocabulary';
import { ImportFormatError } from '../importers/import-format.error';
import { DAY_MS, type SimulationClock } from '../population/population.model';
import { patternFileName, readPatternFile, type PatternFile } from './pattern-file';
import {
  type InjectionCandidate,
  type InjectionTarget,
  planPatternInjection,
} from './pattern-injection';

const FIXTURE = join(__dirname, 'fixtures', 'mini-inject_Patterns.txt');
const WINDOW_END = Date.UTC(2025, 0, 1);
const CLOCK: SimulationClock = {
  windowStart: WINDOW_END - 60 * DAY_MS,
  windowEnd: WINDOW_END,
  days: 60,
};

/** 30 candidates: 20 USD, 6 EUR, 4 GBP, in a fixed order. */
function candidates(): InjectionCandidate[] {
  const list: InjectionCandidate[] = [];
  for (let i = 0; i < 30; i++) {
    list.push({ uid: `account:bank:${i}`, currency: i < 20 ? 'USD' : i < 26 ? 'EUR' : 'GBP' });
  }
  return list;
}

function target(overrides: Partial<InjectionTarget> = {}): InjectionTarget {
  return { seed: 42, clock: CLOCK, candidates: candidates(), ...overrides };
}

/** The AMLworld accounts of the fixture (bank ids keep their leading zeros). */
const FIXTURE_ACCOUNTS = [
  ids.account('0110994', '80A0ECCF0'),
  ids.account('0110320', '804F34520'),
  ids.account('0044986', '81112A390'),
  ids.account('0110994', '80A0ECCF1'),
  ids.account('0017', '8000FEE11'),
  ids.account('0033', '800BBB220'),
  ids.account('00220', '800AAA110'),
  ids.account('0044', '800CCC330'),
  ids.account('020', '8100AA010'),
  ids.account('021', '8100BB020'),
  ids.account('022', '8100CC030'),
  ids.account('029', '8100FF090'),
];

describe('readPatternFile', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'inject-spec-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('reads the blocks of a CRLF patterns file with their header details', async () => {
    const file = await readPatternFile(FIXTURE);
    expect(file.name).toBe('mini-inject');
    expect(file.blocks.map((b) => [b.typology, b.rows.length, b.line])).toEqual([
      ['fan-out', 4, 1],
      ['cycle', 3, 8],
      ['scatter-gather', 4, 14],
    ]);
    expect(file.blocks[0]).toMatchObject({ detail: 'Max 3-degree Fan-Out', maxDegree: 3 });
    expect(file.blocks[1]).toMatchObject({ detail: 'Max 3 hops', maxHops: 3 });
  });

  it('names instances after the file: LI-Medium_Patterns.txt -> li-medium', () => {
    expect(patternFileName('/data/LI-Medium_Patterns.txt')).toBe('li-medium');
    expect(patternFileName('HI Small patterns.txt')).toBe('hi-small-patterns');
    expect(patternFileName('___.txt')).toBe('patterns');
  });

  it('refuses a bad row naming the file, the line and the rule', async () => {
    const path = join(work, 'bad_Patterns.txt');
    writeFileSync(
      path,
      'BEGIN LAUNDERING ATTEMPT - CYCLE\r\n' +
        '2022/09/04 10:00,001,A1,002,B2,1000.00,US Dollar,1000.00,US Dollar,Wire,1\r\n' +
        '2022/09/04 12:00,002,B2,001,A1,"12,5",US Dollar,900.00,US Dollar,Wire,1\r\n' +
        'END LAUNDERING ATTEMPT - CYCLE\r\n',
    );
    const failure = await readPatternFile(path).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImportFormatError);
    expect(failure).toMatchObject({ file: path, line: 3 });
    expect((failure as Error).message).toMatch(/^bad_Patterns\.txt line 3: .*Amount Received/);
  });

  it('refuses an unclosed block, an empty block and a file without blocks', async () => {
    const unclosed = join(work, 'unclosed_Patterns.txt');
    writeFileSync(
      unclosed,
      'BEGIN LAUNDERING ATTEMPT - STACK\r\n' +
        '2022/09/04 10:00,001,A1,002,B2,1000.00,US Dollar,1000.00,US Dollar,Wire,1\r\n',
    );
    await expect(readPatternFile(unclosed)).rejects.toMatchObject({
      line: 1,
      message: expect.stringContaining('never closed') as unknown,
    });
    const empty = join(work, 'empty_Patterns.txt');
    writeFileSync(empty, 'BEGIN LAUNDERING ATTEMPT - STACK\r\nEND LAUNDERING ATTEMPT - STACK\r\n');
    await expect(readPatternFile(empty)).rejects.toMatchObject({
      line: 1,
      message: expect.stringContaining('lists no transaction') as unknown,
    });
    const none = join(work, 'none_Patterns.txt');
    writeFileSync(none, '\r\n');
    await expect(readPatternFile(none)).rejects.toMatchObject({
      message: expect.stringContaining('nothing to inject') as unknown,
    });
  });
});

describe('planPatternInjection', () => {
  let file: PatternFile;
  beforeAll(async () => {
    file = await readPatternFile(FIXTURE);
  });

  it('maps every AMLworld account to its own bank account, the same way for the same seed', () => {
    const plan = planPatternInjection(file, target());
    expect([...plan.accountMap.keys()].sort()).toEqual([...FIXTURE_ACCOUNTS].sort());
    const banks = [...plan.accountMap.values()];
    expect(new Set(banks).size).toBe(FIXTURE_ACCOUNTS.length);
    const known = new Set(candidates().map((c) => c.uid));
    expect(banks.every((uid) => known.has(uid))).toBe(true);
    expect([...planPatternInjection(file, target()).accountMap]).toEqual([...plan.accountMap]);
    expect([...planPatternInjection(file, target({ seed: 43 })).accountMap]).not.toEqual([
      ...plan.accountMap,
    ]);
  });

  it("prefers a bank account in the AMLworld account's most used currency", () => {
    const currencyOf = new Map(candidates().map((c) => [c.uid, c.currency]));
    const plan = planPatternInjection(file, target());
    // 0110320/804F34520 receives only euros; 0033/800BBB220 moves only dollars; 029/8100FF090
    // receives dollars and pounds once each (a tie: the first seen, dollars, wins).
    expect(currencyOf.get(plan.accountMap.get(ids.account('0110320', '804F34520')) ?? '')).toBe(
      'EUR',
    );
    expect(currencyOf.get(plan.accountMap.get(ids.account('0033', '800BBB220')) ?? '')).toBe('USD');
    expect(currencyOf.get(plan.accountMap.get(ids.account('029', '8100FF090')) ?? '')).toBe('USD');
    expect(plan.summary.sameCurrency).toBe(
      FIXTURE_ACCOUNTS.length - 3, // Yen, Bitcoin x2 (payer sibling and payee): no such accounts
    );
  });

  it('falls back to any currency, and refuses a bank with too few accounts', () => {
    const usdOnly = candidates().slice(0, 12);
    const plan = planPatternInjection(file, target({ candidates: usdOnly }));
    expect(new Set(plan.accountMap.values()).size).toBe(12);
    expect(() => planPatternInjection(file, target({ candidates: usdOnly.slice(0, 11) }))).toThrow(
      /names 12 distinct accounts, but the bank has only 11/,
    );
  });

  it('shifts each attempt by whole days into the period, keeping its order and gaps', () => {
    const plan = planPatternInjection(file, target());
    const byId = new Map(plan.movements.map((m) => [m.eid, m]));
    for (const [index, block] of file.blocks.entries()) {
      const record = plan.records[index];
      const moved = block.rows.map(
        (_, k) => byId.get(ids.movement(record.instanceId, k + 1)) as MovementEdge,
      );
      const shift = moved[0].props.timestamp - (block.rows[0]?.timestamp ?? 0);
      expect(shift % DAY_MS).toBe(0);
      expect(record.parameters.shiftDays).toBe(shift / DAY_MS);
      for (const [k, row] of block.rows.entries()) {
        expect(moved[k]?.props.timestamp).toBe(row.timestamp + shift);
        expect(moved[k]?.props.timestamp).toBeGreaterThanOrEqual(CLOCK.windowStart);
        expect(moved[k]?.props.timestamp).toBeLessThan(CLOCK.windowEnd);
      }
    }
    const times = plan.movements.map((m) => m.props.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('keeps amounts, currencies and channels as the file writes them', () => {
    const plan = planPatternInjection(file, target());
    const movement = (instance: number, row: number): MovementEdge | undefined =>
      plan.movements.find(
        (m) => m.eid === ids.movement(`amlworld-mini-inject-000${instance}`, row),
      );
    expect(movement(1, 3)?.props).toMatchObject({
      amountMinor: 139_507_300,
      currency: 'BTC',
      channel: 'crypto',
    });
    expect(movement(1, 2)?.props).toMatchObject({ amountMinor: 433_189, currency: 'JPY' });
    expect(movement(3, 4)?.props).toMatchObject({
      amountMinor: 500_000,
      currency: 'USD',
      receivedAmountMinor: 430_000,
      receivedCurrency: 'GBP',
      channel: 'ach',
    });
    expect(movement(2, 1)?.props.channel).toBe('wire');
  });

  it('writes one ground-truth record per attempt with its typology, movements, accounts and window', () => {
    const plan = planPatternInjection(file, target());
    const map = (bank: string, account: string): string =>
      plan.accountMap.get(ids.account(bank, account)) ?? '';
    const [fanOut, cycle, scatter] = plan.records;
    expect(fanOut).toMatchObject({
      instanceId: 'amlworld-mini-inject-0001',
      typology: 'fan-out',
      decoy: false,
      source: 'amlworld',
      parameters: {
        pattern: 'FAN-OUT',
        detail: 'Max 3-degree Fan-Out',
        maxDegree: 3,
        file: 'mini-inject_Patterns.txt',
        beginLine: 1,
        rows: 4,
        injected: true,
      },
    });
    // Rows in time order: 1 (09/01), 3 (09/02 13:52, Bitcoin), 4 (09/02 23:10), 2 (09/03).
    expect(fanOut?.movements).toEqual(
      [1, 3, 4, 2].map((k) => ids.movement('amlworld-mini-inject-0001', k)),
    );
    expect(cycle?.entities).toEqual([
      map('00220', '800AAA110'),
      map('0033', '800BBB220'),
      map('0044', '800CCC330'),
    ]);
    expect(cycle?.parameters.sourceAccounts).toEqual([
      ids.account('00220', '800AAA110'),
      ids.account('0033', '800BBB220'),
      ids.account('0044', '800CCC330'),
    ]);
    expect(cycle?.window?.to).toBe((cycle?.window?.from ?? 0) + 23 * 3_600_000);
    expect(scatter?.typology).toBe('scatter-gather');
    // 0033/800BBB220 is in the fan-out and in the cycle: one bank account in both records.
    expect(fanOut?.entities).toContain(map('0033', '800BBB220'));
    expect(plan.summary).toMatchObject({
      file: 'mini-inject_Patterns.txt',
      attempts: 3,
      movements: 11,
      accounts: 12,
      byTypology: { 'fan-out': 1, cycle: 1, 'scatter-gather': 1 },
    });
  });

  it('refuses an attempt longer than the period', () => {
    const short: SimulationClock = {
      windowStart: WINDOW_END - 3 * DAY_MS,
      windowEnd: WINDOW_END,
      days: 3,
    };
    expect(() => planPatternInjection(file, target({ clock: short }))).toThrow(
      /SCATTER-GATHER attempt at line 14 spans 5 days, more than the 3 whole days/,
    );
  });
});
