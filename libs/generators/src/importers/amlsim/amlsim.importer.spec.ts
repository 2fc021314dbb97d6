import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  validateEdge,
  validateVertex,
  type GraphEdge,
  type GroundTruthRecord,
  type MovementEdge,
} from '@app/vocabulary';
import { collectImport } from '../import-chunk';
import { ImportFormatError } from '../import-format.error';
import { importAmlsim } from './amlsim.importer';

const FIXTURES = join(__dirname, '..', 'fixtures');
const NEW = join(FIXTURES, 'amlsim-new');
const OLD = join(FIXTURES, 'amlsim-old');
const DAY = 86_400_000;

function movement(edges: GraphEdge[], eid: string): MovementEdge {
  const found = edges.find(
    (edge): edge is MovementEdge => edge.eid === eid && edge.label === 'TRANSFERRED',
  );
  if (!found) throw new Error(`no movement ${eid}`);
  return found;
}

function alert(records: GroundTruthRecord[], instanceId: string): GroundTruthRecord {
  const found = records.find((r) => r.instanceId === instanceId);
  if (!found) throw new Error(`no record ${instanceId}`);
  return found;
}

describe('importAmlsim, newer schema', () => {
  it('imports accounts with their bank, currency, status and opening date', async () => {
    const { vertices, summary } = await collectImport(importAmlsim({ dir: NEW }));
    for (const vertex of vertices) expect(validateVertex(vertex)).toEqual([]);
    expect(summary).toMatchObject({ schema: 'new', accounts: 8, accountsNotInAccountsFile: 1 });
    expect(vertices.find((v) => v.uid === 'account:deu_bank:4')).toEqual({
      label: 'Account',
      uid: 'account:deu_bank:4',
      props: {
        accountType: 'personal',
        currency: 'EUR',
        status: 'active',
        country: 'DE',
        bankId: 'deu_bank',
        openedAt: Date.UTC(2010, 5, 15),
      },
    });
    expect(vertices.find((v) => v.uid === 'account:usa_bank:5')?.props).toMatchObject({
      status: 'dormant',
    });
    // Account 9 is only in transactions.csv: default bank, currency and country; opened at its first movement.
    expect(vertices.find((v) => v.uid === 'account:amlsim:9')?.props).toEqual({
      accountType: 'personal',
      currency: 'USD',
      status: 'active',
      country: 'ZZ',
      bankId: 'amlsim',
      openedAt: Date.UTC(2011, 0, 6),
    });
  });

  it('imports every transaction as an exact movement in the payer account currency', async () => {
    const { edges, summary } = await collectImport(importAmlsim({ dir: NEW }));
    for (const edge of edges) expect(validateEdge(edge)).toEqual([]);
    // 10 rows of transactions.csv + transaction 99, listed only in alert_transactions.csv.
    expect(edges).toHaveLength(11);
    expect(summary).toMatchObject({ sarTransactions: 4, alertTransactionsOnlyInAlertFile: 1 });
    expect(movement(edges, 'mv:amlsim:5')).toEqual({
      label: 'TRANSFERRED',
      eid: 'mv:amlsim:5',
      from: 'account:usa_bank:6',
      to: 'account:usa_bank:1',
      props: {
        amountMinor: 51_750,
        currency: 'USD',
        timestamp: Date.UTC(2011, 0, 3),
        channel: 'ach',
        reference: 'DEPOSIT',
      },
    });
    expect(movement(edges, 'mv:amlsim:4').props).toMatchObject({
      amountMinor: 50_000,
      currency: 'EUR',
    });
    expect(movement(edges, 'mv:amlsim:99')).toMatchObject({
      from: 'account:deu_bank:4',
      to: 'account:usa_bank:0',
    });
  });

  it('makes one ground-truth record per alert, false alerts as decoys', async () => {
    const { groundTruth } = await collectImport(importAmlsim({ dir: NEW }));
    const fanIn = alert(groundTruth, 'amlsim:amlsim-new:alert-0');
    expect(fanIn).toEqual({
      instanceId: 'amlsim:amlsim-new:alert-0',
      typology: 'fan-in',
      decoy: false,
      source: 'amlsim',
      entities: [
        'account:usa_bank:0',
        'account:usa_bank:1',
        'account:uae_bank:2',
        'account:uae_bank:3',
        'account:deu_bank:4',
      ],
      movements: ['mv:amlsim:1', 'mv:amlsim:3', 'mv:amlsim:7', 'mv:amlsim:99'],
      window: { from: Date.UTC(2011, 0, 1), to: Date.UTC(2011, 0, 8) },
      parameters: {
        alertId: '0',
        alertType: 'fan_in',
        isSar: true,
        transactions: 4,
        modelId: 2,
        scheduleId: 2,
        startStep: 0,
        endStep: 100,
      },
    });
    const cycle = alert(groundTruth, 'amlsim:amlsim-new:alert-1');
    expect(cycle).toMatchObject({
      typology: 'cycle',
      decoy: true,
      movements: ['mv:amlsim:4', 'mv:amlsim:6', 'mv:amlsim:8'],
      entities: ['account:deu_bank:4', 'account:usa_bank:5', 'account:usa_bank:6'],
    });
    const unlabelled = alert(groundTruth, 'amlsim:amlsim-new:unlabelled');
    expect(unlabelled).toMatchObject({
      typology: 'random',
      decoy: false,
      movements: ['mv:amlsim:10'],
    });
    expect(unlabelled.parameters.unlabelledTypology).toBe(true);
    expect(groundTruth).toHaveLength(3);
  });
});

describe('importAmlsim, old schema', () => {
  it('dates steps from 2017-01-01, adds cash points and infers alert movements', async () => {
    const { vertices, edges, groundTruth, summary } = await collectImport(
      importAmlsim({ dir: OLD }),
    );
    for (const vertex of vertices) expect(validateVertex(vertex)).toEqual([]);
    for (const edge of edges) expect(validateEdge(edge)).toEqual([]);
    expect(summary).toMatchObject({
      schema: 'old',
      accounts: 7,
      edges: 7,
      alerts: 2,
      decoyAlerts: 1,
    });
    expect(vertices.find((v) => v.uid === 'account:amlsim:3')?.props).toMatchObject({
      accountType: 'business',
      country: 'GB',
      openedAt: Date.UTC(2017, 0, 3),
    });
    expect(vertices.find((v) => v.uid === 'cash:amlsim:11')?.props).toMatchObject({
      accountType: 'cash-point',
      currency: 'USD',
    });
    expect(movement(edges, 'mv:amlsim:2').props).toEqual({
      amountMinor: 10_000,
      currency: 'USD',
      timestamp: Date.UTC(2017, 0, 4),
      channel: 'wire',
      reference: 'WIRE',
    });
    expect(movement(edges, 'mv:amlsim:3')).toMatchObject({
      from: 'account:amlsim:0',
      to: 'cash:amlsim:11',
      props: { channel: 'cash', amountMinor: 9_987 },
    });
    expect(movement(edges, 'mv:amlsim:5')).toMatchObject({
      from: 'cash:amlsim:12',
      to: 'account:amlsim:4',
    });

    expect(alert(groundTruth, 'amlsim:amlsim-old:alert-7')).toEqual({
      instanceId: 'amlsim:amlsim-old:alert-7',
      typology: 'cycle',
      decoy: false,
      source: 'amlsim',
      entities: ['account:amlsim:0', 'account:amlsim:1', 'account:amlsim:2'],
      movements: ['mv:amlsim:2', 'mv:amlsim:4', 'mv:amlsim:6'],
      window: { from: Date.UTC(2017, 0, 4), to: Date.UTC(2017, 0, 8) },
      parameters: {
        alertId: '7',
        alertType: 'cycle',
        isSar: true,
        transactions: 3,
        movementsInferred: true,
        alertRows: 3,
      },
    });
    expect(alert(groundTruth, 'amlsim:amlsim-old:alert-8')).toMatchObject({
      typology: 'fan-out',
      decoy: true,
      movements: ['mv:amlsim:8'],
    });
  });

  it('honours another step epoch and default bank', async () => {
    const { edges } = await collectImport(
      importAmlsim({ dir: OLD, stepEpoch: Date.UTC(2020, 0, 1), defaultBankId: 'sim1' }),
    );
    expect(movement(edges, 'mv:amlsim:2')).toMatchObject({
      from: 'account:sim1:0',
      props: { timestamp: Date.UTC(2020, 0, 1) + 3 * DAY },
    });
  });
});

describe('importAmlsim errors', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amlsim-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of the new-schema fixture with one line of one file replaced. */
  function variant(file: string, line: number, text: string): string {
    const copy = join(dir, 'run');
    cpSync(NEW, copy, { recursive: true });
    const lines = readFileSync(join(copy, file), 'utf8').split('\r\n');
    lines[line - 1] = text;
    writeFileSync(join(copy, file), lines.join('\r\n'));
    return copy;
  }

  it('notes where alert_transactions.csv and transactions.csv disagree, and names the folder of --dir .', async () => {
    const copy = variant(
      'alert_transactions.csv',
      2,
      '0,fan_in,True,1,7,8,WIRE,999.99,2011-01-01T00:00:00Z',
    );
    const lines = readFileSync(join(copy, 'transactions.csv'), 'utf8').split('\r\n');
    lines[3] = '3,2,0,CREDIT,234.08,2011-01-02T00:00:00Z,False,0';
    writeFileSync(join(copy, 'transactions.csv'), lines.join('\r\n'));
    const { summary, groundTruth } = await collectImport(importAmlsim({ dir: copy }));
    expect(summary.notes).toContain(
      '1 transactions of alert_transactions.csv differ from the same tran_id in transactions.csv, whose values were used: tran_id 1 (alert file line 2, transactions line 2): orig_acct 7 vs 1, bene_acct 8 vs 0, base_amt 999.99 vs 234.08.',
    );
    expect(summary.notes).toContain(
      "1 transactions listed in alert_transactions.csv are is_sar False in transactions.csv, yet kept in their alert's ground truth: tran_id 3 (transactions line 4).",
    );
    // The untouched fixture: 450.00 and 450 are one amount, a false alert's transactions are not SAR.
    const plain = await collectImport(importAmlsim({ dir: NEW }));
    expect(
      plain.summary.notes.filter(
        (note) => note.includes('differ from') || note.includes('is_sar False'),
      ),
    ).toEqual([]);
    expect(groundTruth.map((record) => record.instanceId)).toContain('amlsim:run:alert-0');
    const cwd = process.cwd();
    try {
      process.chdir(copy);
      const here = await collectImport(importAmlsim({ dir: '.' }));
      expect(here.groundTruth.map((record) => record.instanceId)).toContain('amlsim:run:alert-0');
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a folder without a transactions file', async () => {
    await expect(collectImport(importAmlsim({ dir }))).rejects.toThrow(
      `${dir}: holds neither transactions.csv (AMLSim's newer schema) nor tx.csv (its old schema)`,
    );
    await expect(collectImport(importAmlsim({ dir: join(dir, 'missing') }))).rejects.toBeInstanceOf(
      ImportFormatError,
    );
  });

  it.each([
    [
      'transactions.csv',
      4,
      '3,2,0,CREDIT,234;08,2011-01-02T00:00:00Z,True,0',
      'transactions.csv line 4: column "base_amt" must be a decimal amount such as 1234.56, got "234;08"',
    ],
    [
      'transactions.csv',
      3,
      '2,5,6,TELEX,979.21,2011-01-01T00:00:00Z,False,-1',
      'transactions.csv line 3: column "tx_type" must be one of WIRE',
    ],
    [
      'transactions.csv',
      2,
      '1,1,0,WIRE,234.08,2011-01-01T00:00:00+02:00,True,0',
      'transactions.csv line 2: column "tran_timestamp" must be a UTC timestamp',
    ],
    [
      'transactions.csv',
      5,
      '4,4,5,CREDIT,500',
      'transactions.csv line 5: the row has 5 values but the header has 8 columns',
    ],
    [
      'alert_accounts.csv',
      2,
      '0,zigzag,0,0,True,2,0,100,2,usa_bank',
      'alert_accounts.csv line 2: column "alert_type" must be one of fan_out',
    ],
    [
      'alert_accounts.csv',
      3,
      '0,cycle,1,1,True,2,0,100,2,usa_bank',
      'alert_accounts.csv line 3: column "alert_type" must be "fan_in" like the other rows of alert 0, got "cycle"',
    ],
    [
      'accounts.csv',
      3,
      '1,C_1,SAV,X,USD,false,1,2011-01-01T00:00:00Z,4748-11-28T00:00:00Z,1000.00,1,usa_bank,,,,,,US,,,,,,',
      'accounts.csv line 3: column "acct_stat" must be A (active), D (dormant) or C (closed), got "X"',
    ],
    ['accounts.csv', 1, 'id,bank_id', 'accounts.csv line 1: the header has no column "acct_id"'],
    [
      'accounts.csv',
      1,
      `id,${'b'.repeat(200_000)}`,
      `accounts.csv line 1: the header has no column "acct_id" (columns found: id, ${'b'.repeat(76)}… (200,004 characters))`,
    ],
    [
      'transactions.csv',
      3,
      '1,1,0,WIRE,234.08,2011-01-01T00:00:00Z,True,0',
      'transactions.csv line 3: transaction 1 is listed twice (first on line 2)',
    ],
    [
      'transactions.csv',
      5,
      '1,4,5,CREDIT,500,2011-01-03T00:00:00Z,False,1',
      'transactions.csv line 5: transaction 1 is listed twice (first on line 2)',
    ],
    [
      'alert_transactions.csv',
      3,
      '0,fan_in,True,1,2,0,CREDIT,234.08,2011-01-02T00:00:00Z',
      'alert_transactions.csv line 3: transaction 1 is listed twice (first on line 2)',
    ],
  ])('names %s line %i', async (file, line, text, message) => {
    await expect(collectImport(importAmlsim({ dir: variant(file, line, text) }))).rejects.toThrow(
      message,
    );
  });

  it('refuses a TXN_ID of the old schema used twice, across tx.csv and cash_tx.csv', async () => {
    const copy = join(dir, 'old');
    cpSync(OLD, copy, { recursive: true });
    const cash = readFileSync(join(copy, 'cash_tx.csv'), 'utf8').split('\n');
    cash[2] = '2,4,12,CASH-IN,1,500.00,6,6';
    writeFileSync(join(copy, 'cash_tx.csv'), cash.join('\n'));
    await expect(collectImport(importAmlsim({ dir: copy }))).rejects.toThrow(
      'cash_tx.csv line 3: transaction 2 is listed twice (first in tx.csv line 2)',
    );
  });
});
