import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ids } from '@app/vocabulary';
import { readCsvTable, type TableRow } from '../csv-rows.reader';
import type { ImportChunk } from '../import-chunk';
import { ImportFormatError } from '../import-format.error';
import type { MovementRef } from '../movement-ref';
import {
  columnError,
  parseFlag,
  parseIdPart,
  parseInteger,
  parseIsoInstant,
} from '../row-values.parser';
import { amlsimAccountStatus, amlsimTypology, AMLSIM_TYPOLOGIES } from './amlsim.mapping';
import { refOf, type AlertAccumulator, type AmlsimRun } from './amlsim-run';

/** File names of the newer AMLSim output schema. */
export const AMLSIM_NEW_FILES = {
  accounts: 'accounts.csv',
  alertAccounts: 'alert_accounts.csv',
  alertTransactions: 'alert_transactions.csv',
  transactions: 'transactions.csv',
} as const;

interface KnownAccount {
  uid: string;
  currency: string;
  line: number;
}

interface AlertTransaction {
  alertId: string;
  row: TableRow<AlertTxColumn>;
}

const ALERT_TX_REQUIRED = ['alert_id', 'tran_id'] as const;
const ALERT_TX_OPTIONAL = [
  'alert_type',
  'is_sar',
  'orig_acct',
  'bene_acct',
  'tx_type',
  'base_amt',
  'tran_timestamp',
] as const;
type AlertTxColumn = (typeof ALERT_TX_REQUIRED)[number] | (typeof ALERT_TX_OPTIONAL)[number];

/**
 * The newer AMLSim schema: `accounts.csv` (acct_id, bank_id, acct_rptng_crncy, acct_stat,
 * open_dt, country …), `transactions.csv` (tran_id, orig_acct, bene_acct, tx_type, base_amt,
 * tran_timestamp, is_sar, alert_id), `alert_accounts.csv` and `alert_transactions.csv`.
 * Only transactions.csv is required. Ground truth: one record per alert_id.
 */
export async function* importAmlsimNewSchema(
  run: AmlsimRun,
  dir: string,
): AsyncGenerator<ImportChunk, void, undefined> {
  const { buffer, summary } = run;
  const known = new Map<string, KnownAccount>();

  // 1. Accounts.
  const accountsPath = join(dir, AMLSIM_NEW_FILES.accounts);
  if (existsSync(accountsPath)) {
    let rows = 0;
    for await (const row of readCsvTable(
      accountsPath,
      ['acct_id'],
      ['bank_id', 'acct_rptng_crncy', 'acct_stat', 'open_dt', 'country'],
    )) {
      rows += 1;
      const ctx = { file: accountsPath, line: row.line };
      const acctId = parseIdPart(row.cell('acct_id'), ctx, 'acct_id');
      const before = known.get(acctId);
      if (before) {
        throw new ImportFormatError(
          accountsPath,
          row.line,
          `account ${acctId} is listed twice (first on line ${before.line})`,
          'acct_id',
        );
      }
      const bankId =
        row.cell('bank_id') === '' ? run.bankId : parseIdPart(row.cell('bank_id'), ctx, 'bank_id');
      const currency =
        optionalCode(row.cell('acct_rptng_crncy'), 3, ctx, 'acct_rptng_crncy') ?? run.currency;
      const country = optionalCode(row.cell('country'), 2, ctx, 'country') ?? run.country;
      const status =
        amlsimAccountStatus(row.cell('acct_stat')) ??
        columnError(
          ctx,
          'acct_stat',
          'must be A (active), D (dormant) or C (closed)',
          row.cell('acct_stat'),
        );
      if (!row.has('open_dt') || row.cell('open_dt') === '') {
        columnError(
          ctx,
          'open_dt',
          'must give the opening date of the account',
          row.cell('open_dt'),
        );
      }
      const openedAt = parseIsoInstant(row.cell('open_dt'), ctx, 'open_dt');
      const vertex = run.account(bankId, acctId, { currency, country, status, openedAt });
      known.set(acctId, { uid: vertex.uid, currency, line: row.line });
      run.accounts.ensure(vertex.uid, () => vertex, buffer, accountsPath, row.line);
      if (buffer.full) yield buffer.take();
    }
    summary.files.push({ path: accountsPath, rows });
  } else {
    summary.notes.push(`${AMLSIM_NEW_FILES.accounts} is absent: accounts get default properties.`);
  }
  // Transactions name accounts without their bank, so an account missing from accounts.csv is
  // keyed under the default bank everywhere (alert_accounts' bank_id is not used for the uid).
  const uidOf = (acctId: string): string =>
    known.get(acctId)?.uid ?? ids.account(run.bankId, acctId);

  // 2. Alerts and their accounts.
  const alertAccountsPath = join(dir, AMLSIM_NEW_FILES.alertAccounts);
  if (existsSync(alertAccountsPath)) {
    let rows = 0;
    for await (const row of readCsvTable(
      alertAccountsPath,
      ['alert_id', 'alert_type', 'acct_id'],
      ['is_sar', 'model_id', 'schedule_id', 'start', 'end'],
    )) {
      rows += 1;
      const ctx = { file: alertAccountsPath, line: row.line };
      const alert = alertOf(
        run,
        row.cell('alert_id'),
        row.cell('alert_type'),
        row.cell('is_sar'),
        ctx,
      );
      const acctId = parseIdPart(row.cell('acct_id'), ctx, 'acct_id');
      const uid = uidOf(acctId);
      if (!alert.accounts.includes(uid)) alert.accounts.push(uid);
      for (const [column, name] of [
        ['model_id', 'modelId'],
        ['schedule_id', 'scheduleId'],
        ['start', 'startStep'],
        ['end', 'endStep'],
      ] as const) {
        if (row.cell(column) !== '' && alert.parameters[name] === undefined) {
          alert.parameters[name] = parseInteger(row.cell(column), ctx, column);
        }
      }
    }
    summary.files.push({ path: alertAccountsPath, rows });
  }

  // 3. Which transactions each alert lists (kept whole: alert files are small).
  const alertTransactions = new Map<string, AlertTransaction>();
  const alertTxPath = join(dir, AMLSIM_NEW_FILES.alertTransactions);
  if (existsSync(alertTxPath)) {
    let rows = 0;
    for await (const row of readCsvTable(alertTxPath, ALERT_TX_REQUIRED, ALERT_TX_OPTIONAL)) {
      rows += 1;
      const ctx = { file: alertTxPath, line: row.line };
      const alert = alertOf(
        run,
        row.cell('alert_id'),
        row.cell('alert_type'),
        row.cell('is_sar'),
        ctx,
      );
      const tranId = parseIdPart(row.cell('tran_id'), ctx, 'tran_id');
      const before = alertTransactions.get(tranId);
      if (before) {
        throw new ImportFormatError(
          alertTxPath,
          row.line,
          `transaction ${tranId} is listed twice (first on line ${before.row.line}); a transaction belongs to one alert`,
          'tran_id',
        );
      }
      alertTransactions.set(tranId, { alertId: alert.alertId, row });
    }
    summary.files.push({ path: alertTxPath, rows });
  }

  // 4. Transactions, streamed.
  const transactionsPath = join(dir, AMLSIM_NEW_FILES.transactions);
  const disagreements = new AlertFileDisagreements();
  const unlabelled: MovementRef[] = [];
  // tran_id -> line: a repeated id would give two movements one id (memory: one entry per row).
  const seenTransactions = new Map<string, number>();
  let rows = 0;
  for await (const row of readCsvTable(
    transactionsPath,
    ['tran_id', 'orig_acct', 'bene_acct', 'tx_type', 'base_amt', 'tran_timestamp'],
    ['is_sar', 'alert_id'],
  )) {
    rows += 1;
    const ctx = { file: transactionsPath, line: row.line };
    const tranId = parseIdPart(row.cell('tran_id'), ctx, 'tran_id');
    const firstLine = seenTransactions.get(tranId);
    if (firstLine !== undefined) {
      throw new ImportFormatError(
        transactionsPath,
        row.line,
        `transaction ${tranId} is listed twice (first on line ${firstLine}); every tran_id must be unique`,
        'tran_id',
      );
    }
    seenTransactions.set(tranId, row.line);
    const ref = addTransaction(run, known, row, ctx, tranId);
    const isSar = row.cell('is_sar') === '' ? false : parseFlag(row.cell('is_sar'), ctx, 'is_sar');
    if (isSar) summary.sarTransactions += 1;
    const alertColumn =
      row.cell('alert_id') === '' ? -1 : parseInteger(row.cell('alert_id'), ctx, 'alert_id');
    const listed = alertTransactions.get(tranId);
    alertTransactions.delete(tranId);
    if (listed !== undefined)
      disagreements.check(tranId, listed.row, row, {
        transactionSar: isSar,
        alertSar: run.alerts.get(listed.alertId)?.isSar === true,
      });
    const alertId = alertColumn >= 0 ? String(alertColumn) : listed?.alertId;
    if (alertId !== undefined) {
      const alert = run.alerts.get(alertId) ?? alertOf(run, alertId, '', row.cell('is_sar'), ctx);
      alert.refs.push(ref);
    } else if (isSar) {
      unlabelled.push(ref);
    }
    if (buffer.full) yield buffer.take();
  }
  summary.files.push({ path: transactionsPath, rows });
  summary.notes.push(...disagreements.notes());

  // 5. Alert transactions that transactions.csv does not have.
  for (const [tranId, listed] of alertTransactions) {
    const ctx = { file: alertTxPath, line: listed.row.line };
    for (const column of [
      'orig_acct',
      'bene_acct',
      'tx_type',
      'base_amt',
      'tran_timestamp',
    ] as const) {
      if (listed.row.cell(column) === '') {
        columnError(
          ctx,
          column,
          `must be given: transaction ${tranId} is not in ${AMLSIM_NEW_FILES.transactions}, so it is imported from this row`,
          '',
        );
      }
    }
    run.alerts.get(listed.alertId)?.refs.push(addTransaction(run, known, listed.row, ctx, tranId));
    summary.alertTransactionsOnlyInAlertFile += 1;
    if (buffer.full) yield buffer.take();
  }
  if (summary.alertTransactionsOnlyInAlertFile > 0) {
    summary.notes.push(
      `${summary.alertTransactionsOnlyInAlertFile} transactions of ${AMLSIM_NEW_FILES.alertTransactions} are not in ${AMLSIM_NEW_FILES.transactions}; they were imported from the alert file.`,
    );
  }

  // 6. Ground truth.
  const alerts = [...run.alerts.values()].sort((a, b) => Number(a.alertId) - Number(b.alertId));
  for (const alert of alerts) {
    run.addAlertRecord(alert, dir);
    if (buffer.full) yield buffer.take();
  }
  run.addUnlabelledRecord(unlabelled, dir, 'is_sar is True but alert_id is -1');
}

/** Finds or starts the alert of a row, checking that its type is known and consistent. */
function alertOf(
  run: AmlsimRun,
  alertIdText: string,
  alertType: string,
  isSarText: string,
  ctx: { file: string; line: number },
): AlertAccumulator {
  const alertId = String(parseInteger(alertIdText, ctx, 'alert_id'));
  const existing = run.alerts.get(alertId);
  if (existing) {
    if (alertType !== '' && existing.alertType !== '' && alertType !== existing.alertType) {
      columnError(
        ctx,
        'alert_type',
        `must be "${existing.alertType}" like the other rows of alert ${alertId}`,
        alertType,
      );
    }
    if (existing.alertType === '' && alertType !== '') {
      existing.alertType = alertType;
      existing.typology = typologyOf(alertType, ctx);
    }
    return existing;
  }
  const alert: AlertAccumulator = {
    alertId,
    alertType,
    typology: alertType === '' ? undefined : typologyOf(alertType, ctx),
    // AMLSim alerts are SAR unless the file says otherwise (is_sar False: a false alert).
    isSar: isSarText === '' ? true : parseFlag(isSarText, ctx, 'is_sar'),
    accounts: [],
    refs: [],
    parameters: {},
  };
  run.alerts.set(alertId, alert);
  return alert;
}

function typologyOf(alertType: string, ctx: { file: string; line: number }) {
  return (
    amlsimTypology(alertType) ??
    columnError(
      ctx,
      'alert_type',
      `must be one of ${Object.keys(AMLSIM_TYPOLOGIES).join(', ')}`,
      alertType,
    )
  );
}

/** Emits one transaction (and any account it is first to use) and returns its ground-truth ref. */
function addTransaction(
  run: AmlsimRun,
  known: Map<string, KnownAccount>,
  row: TableRow<'orig_acct' | 'bene_acct' | 'tx_type' | 'base_amt' | 'tran_timestamp'>,
  ctx: { file: string; line: number },
  tranId: string,
): MovementRef {
  const timestamp = parseIsoInstant(row.cell('tran_timestamp'), ctx, 'tran_timestamp');
  const ends = (['orig_acct', 'bene_acct'] as const).map((column) => {
    const acctId = parseIdPart(row.cell(column), ctx, column);
    const found = known.get(acctId);
    if (found) return found;
    const vertex = run.account(run.bankId, acctId, { openedAt: timestamp });
    if (!run.accounts.has(vertex.uid)) {
      run.accounts.ensure(vertex.uid, () => vertex, run.buffer, ctx.file, ctx.line);
      run.summary.accountsNotInAccountsFile += 1;
    }
    return { uid: vertex.uid, currency: run.currency, line: ctx.line };
  });
  const [payer, payee] = ends as [KnownAccount, KnownAccount];
  const edge = run.movement(
    ctx,
    tranId,
    payer.uid,
    payee.uid,
    row.cell('tx_type'),
    row.cell('base_amt'),
    payer.currency,
    timestamp,
    'base_amt',
    'tx_type',
  );
  run.buffer.addEdge(edge, ctx.file, ctx.line);
  const numeric = Number(tranId);
  return refOf(edge, Number.isSafeInteger(numeric) ? numeric : ctx.line);
}

/** An optional ISO code column: '' -> undefined, otherwise upper-case letters of `length`. */
function optionalCode(
  text: string,
  length: 2 | 3,
  ctx: { file: string; line: number },
  column: string,
): string | undefined {
  if (text === '') return undefined;
  const code = text.toUpperCase();
  if (!new RegExp(`^[A-Z]{${length}}$`).test(code)) {
    columnError(
      ctx,
      column,
      `must be a ${length === 2 ? 'two-letter ISO 3166 country' : 'three-letter ISO 4217 currency'} code`,
      text,
    );
  }
  return code;
}

/** The columns both transaction files give, compared when a transaction is in both. */
const SHARED_TRANSACTION_COLUMNS = [
  'orig_acct',
  'bene_acct',
  'base_amt',
  'tran_timestamp',
] as const;

/** Whether two spellings of a column's value mean the same (450.00 and 450; one instant). */
function sameValue(
  column: (typeof SHARED_TRANSACTION_COLUMNS)[number],
  a: string,
  b: string,
): boolean {
  if (a === b) return true;
  if (column === 'base_amt') return decimalKey(a) === decimalKey(b);
  if (column === 'tran_timestamp') {
    const [x, y] = [Date.parse(a), Date.parse(b)];
    return !Number.isNaN(x) && x === y;
  }
  return a.trim() === b.trim();
}

/** A decimal written without leading zeros, trailing zeros of the fraction or a bare point. */
function decimalKey(text: string): string {
  const [whole, fraction = ''] = text.trim().split('.');
  const digits = whole.replace(/^0+(?=\d)/, '');
  const cut = fraction.replace(/0+$/, '');
  return cut === '' ? digits : `${digits}.${cut}`;
}

/** A CSV row as both readers give it. */
interface CellRow {
  line: number;
  cell(column: string): string;
}

/**
 * Where alert_transactions.csv and transactions.csv disagree about a transaction: other
 * accounts, amount or time (transactions.csv is used), or an alert's transaction that
 * transactions.csv says is not suspicious (is_sar False). The import goes on; the summary's
 * notes say how many and show the first few, since either file may be the wrong one.
 */
class AlertFileDisagreements {
  private readonly values: string[] = [];
  private valueCount = 0;
  private readonly notSar: string[] = [];
  private notSarCount = 0;

  check(
    tranId: string,
    listed: CellRow,
    row: CellRow,
    sar: { transactionSar: boolean; alertSar: boolean },
  ): void {
    const differing = SHARED_TRANSACTION_COLUMNS.filter((column) => {
      const inAlertFile = listed.cell(column);
      return inAlertFile !== '' && !sameValue(column, inAlertFile, row.cell(column));
    });
    if (differing.length > 0) {
      this.valueCount += 1;
      if (this.values.length < 3)
        this.values.push(
          `tran_id ${tranId} (alert file line ${listed.line}, transactions line ${row.line}): ${differing
            .map((column) => `${column} ${listed.cell(column)} vs ${row.cell(column)}`)
            .join(', ')}`,
        );
    }
    if (sar.alertSar && row.cell('is_sar') !== '' && !sar.transactionSar) {
      this.notSarCount += 1;
      if (this.notSar.length < 3)
        this.notSar.push(`tran_id ${tranId} (transactions line ${row.line})`);
    }
  }

  notes(): string[] {
    const notes: string[] = [];
    if (this.valueCount > 0)
      notes.push(
        `${this.valueCount} transactions of ${AMLSIM_NEW_FILES.alertTransactions} differ from the same tran_id in ${AMLSIM_NEW_FILES.transactions}, whose values were used: ${this.values.join('; ')}${this.valueCount > this.values.length ? '; …' : ''}.`,
      );
    if (this.notSarCount > 0)
      notes.push(
        `${this.notSarCount} transactions listed in ${AMLSIM_NEW_FILES.alertTransactions} are is_sar False in ${AMLSIM_NEW_FILES.transactions}, yet kept in their alert's ground truth: ${this.notSar.join('; ')}${this.notSarCount > this.notSar.length ? '; …' : ''}.`,
      );
    return notes;
  }
}
