import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ids, type AccountVertex } from '@app/vocabulary';
import { readCsvTable } from '../csv-rows.reader';
import type { ImportChunk } from '../import-chunk';
import { ImportFormatError } from '../import-format.error';
import {
  columnError,
  parseIdPart,
  parseInteger,
  utcInstant,
  type RowContext,
} from '../row-values.parser';
import { amlsimTypology, AMLSIM_TYPOLOGIES } from './amlsim.mapping';
import { DAY_MS, refOf, type AlertAccumulator, type AmlsimRun } from './amlsim-run';

/** File names of the old AMLSim output schema (IBM/AMLSim `sample_outputs/`). */
export const AMLSIM_OLD_FILES = {
  accounts: 'accounts.csv',
  alerts: 'alerts.csv',
  transactions: 'tx.csv',
  cashTransactions: 'cash_tx.csv',
} as const;

interface OldAccount {
  uid: string;
  country: string;
}

/**
 * The old AMLSim schema: `accounts.csv` (ACCOUNT_ID, PRIMARY_CUSTOMER_ID, init_balance, start,
 * end, country, business, suspicious, isFraud, modelID), `tx.csv` (TXN_ID, ACCOUNT_ID,
 * COUNTER_PARTY_ACCOUNT_NUM, TXN_SOURCE_TYPE_CODE, tx_count, TXN_AMOUNT_ORIG, start, end),
 * `cash_tx.csv` (TXN_ID, ACCOUNT_ID, BRANCH_ID, TXN_SOURCE_TYPE_CODE, tx_count,
 * TXN_AMOUNT_ORIG, RUN_DATE, end) and `alerts.csv` (ALERT_KEY, ALERT_TEXT, ACCOUNT_ID,
 * CUSTOMER_ID, EVENT_DATE, CHECK_NAME, Organization_Type, Escalated_To_Case_Investigation).
 *
 * Times are simulation steps (days) from `stepEpoch`. Amounts have no currency (the default
 * currency is used) and accounts no bank (the default bank id is used). Cash transactions go
 * between the account and a cash point (`ids.cashPoint(bank, BRANCH_ID)`): CASH-IN from the
 * cash point, CASH-OUT to it.
 *
 * Ground truth: AMLSim's converter writes one alerts.csv row per alert transaction with the
 * alert number (ALERT_TEXT), the sending account, the date and the pattern (CHECK_NAME), but
 * not the transaction id. The importer therefore takes as an alert's movements the tx.csv
 * transactions sent by an alert row's account on that row's date; the record says so with
 * `movementsInferred: true`. Escalated_To_Case_Investigation = NO marks a false alert (decoy).
 */
export async function* importAmlsimOldSchema(
  run: AmlsimRun,
  dir: string,
): AsyncGenerator<ImportChunk, void, undefined> {
  const { buffer, summary } = run;
  const known = new Map<string, OldAccount>();

  // 1. Accounts.
  const accountsPath = join(dir, AMLSIM_OLD_FILES.accounts);
  if (existsSync(accountsPath)) {
    let rows = 0;
    for await (const row of readCsvTable(
      accountsPath,
      ['ACCOUNT_ID'],
      ['start', 'country', 'business'],
    )) {
      rows += 1;
      const ctx = { file: accountsPath, line: row.line };
      const acctId = parseIdPart(row.cell('ACCOUNT_ID'), ctx, 'ACCOUNT_ID');
      if (known.has(acctId)) columnError(ctx, 'ACCOUNT_ID', 'must not repeat an account', acctId);
      const country = row.cell('country') === '' ? run.country : row.cell('country').toUpperCase();
      if (!/^[A-Z]{2}$/.test(country)) {
        columnError(
          ctx,
          'country',
          'must be a two-letter ISO 3166 country code',
          row.cell('country'),
        );
      }
      const start = row.cell('start') === '' ? 0 : parseStep(row.cell('start'), ctx, 'start');
      const business = row.cell('business').trim().toUpperCase();
      const vertex = run.account(run.bankId, acctId, {
        // "I" is an individual; AMLSim writes anything else for organisations.
        accountType: business === '' || business === 'I' ? 'personal' : 'business',
        country,
        openedAt: run.stepEpoch + start * DAY_MS,
      });
      known.set(acctId, { uid: vertex.uid, country });
      run.accounts.ensure(vertex.uid, () => vertex, buffer, accountsPath, row.line);
      if (buffer.full) yield buffer.take();
    }
    summary.files.push({ path: accountsPath, rows });
  } else {
    summary.notes.push(`${AMLSIM_OLD_FILES.accounts} is absent: accounts get default properties.`);
  }
  const accountOf = (acctId: string, timestamp: number, ctx: RowContext): OldAccount => {
    const found = known.get(acctId);
    if (found) return found;
    const vertex = run.account(run.bankId, acctId, { openedAt: timestamp });
    if (!run.accounts.has(vertex.uid)) {
      run.accounts.ensure(vertex.uid, () => vertex, buffer, ctx.file, ctx.line);
      summary.accountsNotInAccountsFile += 1;
    }
    return { uid: vertex.uid, country: run.country };
  };

  // 2. Alerts: which (account, day) pairs each alert names.
  const alertsByAccountDay = new Map<string, AlertAccumulator[]>();
  const alertsPath = join(dir, AMLSIM_OLD_FILES.alerts);
  if (existsSync(alertsPath)) {
    let rows = 0;
    for await (const row of readCsvTable(
      alertsPath,
      ['ACCOUNT_ID', 'EVENT_DATE', 'CHECK_NAME'],
      ['ALERT_KEY', 'ALERT_TEXT', 'Escalated_To_Case_Investigation'],
    )) {
      rows += 1;
      const ctx = { file: alertsPath, line: row.line };
      const groupColumn = row.has('ALERT_TEXT') ? 'ALERT_TEXT' : 'ALERT_KEY';
      const alertId = String(parseInteger(row.cell(groupColumn), ctx, groupColumn));
      const alertType = row.cell('CHECK_NAME');
      const typology =
        amlsimTypology(alertType) ??
        columnError(
          ctx,
          'CHECK_NAME',
          `must be one of ${Object.keys(AMLSIM_TYPOLOGIES).join(', ')}`,
          alertType,
        );
      const escalated = row.cell('Escalated_To_Case_Investigation').trim().toUpperCase();
      let alert = run.alerts.get(alertId);
      if (!alert) {
        alert = {
          alertId,
          alertType,
          typology,
          isSar: escalated !== 'NO',
          accounts: [],
          refs: [],
          parameters: { movementsInferred: true, alertRows: 0 },
        };
        run.alerts.set(alertId, alert);
      } else if (alert.alertType !== alertType) {
        columnError(
          ctx,
          'CHECK_NAME',
          `must be "${alert.alertType}" like the other rows of alert ${alertId}`,
          alertType,
        );
      }
      alert.parameters.alertRows = Number(alert.parameters.alertRows) + 1;
      const acctId = parseIdPart(row.cell('ACCOUNT_ID'), ctx, 'ACCOUNT_ID');
      const uid = known.get(acctId)?.uid ?? ids.account(run.bankId, acctId);
      if (!alert.accounts.includes(uid)) alert.accounts.push(uid);
      const day = dayOfEventDate(row.cell('EVENT_DATE'), run.stepEpoch, ctx);
      const key = `${acctId}|${day}`;
      const list = alertsByAccountDay.get(key) ?? [];
      if (!list.includes(alert)) list.push(alert);
      alertsByAccountDay.set(key, list);
    }
    summary.files.push({ path: alertsPath, rows });
  }

  // TXN_ID -> where it was first seen: tx.csv and cash_tx.csv share one id space (movement ids).
  const seenTransactions = new Map<string, { file: string; line: number }>();
  const checkUnique = (tranId: string, ctx: RowContext): void => {
    const first = seenTransactions.get(tranId);
    if (first !== undefined) {
      throw new ImportFormatError(
        ctx.file,
        ctx.line,
        `transaction ${tranId} is listed twice (first in ${basename(first.file)} line ${first.line}); every TXN_ID of ${AMLSIM_OLD_FILES.transactions} and ${AMLSIM_OLD_FILES.cashTransactions} must be unique`,
        'TXN_ID',
      );
    }
    seenTransactions.set(tranId, ctx);
  };

  // 3. Account-to-account transactions.
  const txPath = join(dir, AMLSIM_OLD_FILES.transactions);
  let txRows = 0;
  for await (const row of readCsvTable(txPath, [
    'TXN_ID',
    'ACCOUNT_ID',
    'COUNTER_PARTY_ACCOUNT_NUM',
    'TXN_SOURCE_TYPE_CODE',
    'TXN_AMOUNT_ORIG',
    'start',
  ])) {
    txRows += 1;
    const ctx = { file: txPath, line: row.line };
    const tranId = parseIdPart(row.cell('TXN_ID'), ctx, 'TXN_ID');
    checkUnique(tranId, ctx);
    const day = parseStep(row.cell('start'), ctx, 'start');
    const timestamp = run.stepEpoch + day * DAY_MS;
    const acctId = parseIdPart(row.cell('ACCOUNT_ID'), ctx, 'ACCOUNT_ID');
    const payer = accountOf(acctId, timestamp, ctx);
    const payee = accountOf(
      parseIdPart(row.cell('COUNTER_PARTY_ACCOUNT_NUM'), ctx, 'COUNTER_PARTY_ACCOUNT_NUM'),
      timestamp,
      ctx,
    );
    const edge = run.movement(
      ctx,
      tranId,
      payer.uid,
      payee.uid,
      row.cell('TXN_SOURCE_TYPE_CODE'),
      row.cell('TXN_AMOUNT_ORIG'),
      run.currency,
      timestamp,
      'TXN_AMOUNT_ORIG',
      'TXN_SOURCE_TYPE_CODE',
    );
    buffer.addEdge(edge, txPath, row.line);
    for (const alert of alertsByAccountDay.get(`${acctId}|${day}`) ?? []) {
      alert.refs.push(refOf(edge, orderOf(tranId, row.line)));
    }
    if (buffer.full) yield buffer.take();
  }
  summary.files.push({ path: txPath, rows: txRows });

  // 4. Cash transactions, between the account and the branch's cash point.
  const cashPath = join(dir, AMLSIM_OLD_FILES.cashTransactions);
  if (existsSync(cashPath)) {
    let rows = 0;
    for await (const row of readCsvTable(cashPath, [
      'TXN_ID',
      'ACCOUNT_ID',
      'BRANCH_ID',
      'TXN_SOURCE_TYPE_CODE',
      'TXN_AMOUNT_ORIG',
      'RUN_DATE',
    ])) {
      rows += 1;
      const ctx = { file: cashPath, line: row.line };
      const tranId = parseIdPart(row.cell('TXN_ID'), ctx, 'TXN_ID');
      checkUnique(tranId, ctx);
      const timestamp = run.stepEpoch + parseStep(row.cell('RUN_DATE'), ctx, 'RUN_DATE') * DAY_MS;
      const account = accountOf(
        parseIdPart(row.cell('ACCOUNT_ID'), ctx, 'ACCOUNT_ID'),
        timestamp,
        ctx,
      );
      const branch = parseIdPart(row.cell('BRANCH_ID'), ctx, 'BRANCH_ID');
      const cashPoint: AccountVertex = {
        label: 'Account',
        uid: ids.cashPoint(run.bankId, branch),
        props: {
          accountType: 'cash-point',
          currency: run.currency,
          openedAt: run.stepEpoch,
          status: 'active',
          bankId: run.bankId,
          country: account.country,
        },
      };
      run.accounts.ensure(cashPoint.uid, () => cashPoint, buffer, cashPath, row.line);
      const type = row.cell('TXN_SOURCE_TYPE_CODE').trim().toUpperCase();
      if (type !== 'CASH-IN' && type !== 'CASH-OUT') {
        columnError(
          ctx,
          'TXN_SOURCE_TYPE_CODE',
          'must be CASH-IN or CASH-OUT',
          row.cell('TXN_SOURCE_TYPE_CODE'),
        );
      }
      const [from, to] =
        type === 'CASH-IN' ? [cashPoint.uid, account.uid] : [account.uid, cashPoint.uid];
      const edge = run.movement(
        ctx,
        tranId,
        from,
        to,
        type,
        row.cell('TXN_AMOUNT_ORIG'),
        run.currency,
        timestamp,
        'TXN_AMOUNT_ORIG',
        'TXN_SOURCE_TYPE_CODE',
      );
      buffer.addEdge(edge, cashPath, row.line);
      if (buffer.full) yield buffer.take();
    }
    summary.files.push({ path: cashPath, rows });
  }

  // 5. Ground truth, one record per alert.
  const alerts = [...run.alerts.values()].sort((a, b) => Number(a.alertId) - Number(b.alertId));
  for (const alert of alerts) {
    run.addAlertRecord(alert, dir);
    if (buffer.full) yield buffer.take();
  }
  if (alerts.length > 0) {
    summary.notes.push(
      `Old AMLSim schema: alert movements are inferred (tx.csv transactions sent by an alert row's account on its EVENT_DATE).`,
    );
  }
}

/** A simulation step: a whole number of days, 0 or more. */
function parseStep(text: string, ctx: RowContext, column: string): number {
  const step = parseInteger(text, ctx, column);
  if (step < 0) columnError(ctx, column, 'must be a simulation step of 0 or more', text);
  return step;
}

/** EVENT_DATE (YYYYMMDD) as a step number counted from `stepEpoch`. */
function dayOfEventDate(text: string, stepEpoch: number, ctx: RowContext): number {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text.trim());
  const ms = match ? utcInstant(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
  if (ms === undefined) columnError(ctx, 'EVENT_DATE', 'must be a date written YYYYMMDD', text);
  return Math.round((ms - stepEpoch) / DAY_MS);
}

function orderOf(tranId: string, line: number): number {
  const numeric = Number(tranId);
  return Number.isSafeInteger(numeric) ? numeric : line;
}
