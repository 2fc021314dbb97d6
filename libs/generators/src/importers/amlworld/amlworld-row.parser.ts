import { createHash } from 'node:crypto';
import {
  ids,
  type AccountStatus,
  type AccountType,
  type AccountVertex,
  type Channel,
  type MovementEdge,
} from '@app/vocabulary';
import { ImportFormatError } from '../import-format.error';
import {
  canonicalDecimal,
  columnError,
  parseAmount,
  parseFlag,
  parseIdPart,
  utcInstant,
  type ParsedAmount,
  type RowContext,
} from '../row-values.parser';
import { AMLWORLD_CHANNELS, AMLWORLD_CURRENCIES, nameLookup } from './amlworld.mapping';

/**
 * Columns of AMLworld `*_Trans.csv` and of the transaction lines of `*_Patterns.txt`. The
 * header names the payer's and the payee's account columns both "Account"; error messages
 * say which one is meant.
 */
export const AMLWORLD_HEADER = [
  'Timestamp',
  'From Bank',
  'Account',
  'To Bank',
  'Account',
  'Amount Received',
  'Receiving Currency',
  'Amount Paid',
  'Payment Currency',
  'Payment Format',
  'Is Laundering',
] as const;

const COLUMN = {
  timestamp: 'Timestamp',
  fromBank: 'From Bank',
  fromAccount: 'Account (column 3, payer)',
  toBank: 'To Bank',
  toAccount: 'Account (column 5, payee)',
  amountReceived: 'Amount Received',
  receivingCurrency: 'Receiving Currency',
  amountPaid: 'Amount Paid',
  paymentCurrency: 'Payment Currency',
  paymentFormat: 'Payment Format',
  isLaundering: 'Is Laundering',
} as const;

/** One transaction of AMLworld, parsed and checked. */
export interface AmlworldRow {
  line: number;
  /** Epoch ms; AMLworld writes minutes ("2022/09/01 00:20") without a zone, read as UTC. */
  timestamp: number;
  fromBank: string;
  fromAccount: string;
  toBank: string;
  toAccount: string;
  paid: ParsedAmount;
  paidCurrency: string;
  received: ParsedAmount;
  receivedCurrency: string;
  channel: Channel;
  isLaundering: boolean;
  /**
   * Hash of the normalised row without its label: the same transaction written in
   * `*_Trans.csv` and in `*_Patterns.txt` gets the same key (and so the same movement id).
   */
  contentKey: string;
}

const lookupCurrency = nameLookup(AMLWORLD_CURRENCIES);
const lookupChannel = nameLookup(AMLWORLD_CHANNELS);
const TIMESTAMP = /^(\d{4})\/(\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** True when the values are the `*_Trans.csv` header (compared without case and spaces). */
export function isAmlworldHeader(values: readonly string[]): boolean {
  return (
    values.length === AMLWORLD_HEADER.length &&
    values.every((value, i) => value.trim().toLowerCase() === AMLWORLD_HEADER[i]?.toLowerCase())
  );
}

/** Parses one row; every problem is reported with the file, line and column. */
export function parseAmlworldRow(values: readonly string[], ctx: RowContext): AmlworldRow {
  if (values.length !== AMLWORLD_HEADER.length) {
    throw new ImportFormatError(
      ctx.file,
      ctx.line,
      `a transaction row must have ${AMLWORLD_HEADER.length} columns (${AMLWORLD_HEADER.join(', ')}), got ${values.length}`,
    );
  }
  const [ts, fromBank, fromAccount, toBank, toAccount, recv, recvCur, paid, paidCur, format, flag] =
    values as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];

  const timestamp = parseTimestamp(ts, ctx);
  const receivedCurrency = parseCurrency(recvCur, ctx, COLUMN.receivingCurrency);
  const paidCurrency = parseCurrency(paidCur, ctx, COLUMN.paymentCurrency);
  const channel =
    lookupChannel(format) ??
    columnError(
      ctx,
      COLUMN.paymentFormat,
      `must be one of ${Object.keys(AMLWORLD_CHANNELS).join(', ')}`,
      format,
    );
  const row: Omit<AmlworldRow, 'contentKey'> = {
    line: ctx.line,
    timestamp,
    fromBank: parseIdPart(fromBank, ctx, COLUMN.fromBank),
    fromAccount: parseIdPart(fromAccount, ctx, COLUMN.fromAccount),
    toBank: parseIdPart(toBank, ctx, COLUMN.toBank),
    toAccount: parseIdPart(toAccount, ctx, COLUMN.toAccount),
    received: parseAmount(recv, receivedCurrency, ctx, COLUMN.amountReceived),
    receivedCurrency,
    paid: parseAmount(paid, paidCurrency, ctx, COLUMN.amountPaid),
    paidCurrency,
    channel,
    isLaundering: parseFlag(flag, ctx, COLUMN.isLaundering),
  };
  // A row is a payment that arrived: both sides move money (the received side may be in
  // another currency, but not nothing).
  if (row.paid.minor < 1) {
    columnError(
      ctx,
      COLUMN.amountPaid,
      `must be at least one minor unit of ${paidCurrency} (a movement moves money)`,
      paid,
    );
  }
  if (row.received.minor < 1) {
    columnError(
      ctx,
      COLUMN.amountReceived,
      `must be at least one minor unit of ${receivedCurrency} (a movement moves money)`,
      recv,
    );
  }
  const normalised = [
    timestamp,
    row.fromBank,
    row.fromAccount,
    row.toBank,
    row.toAccount,
    canonicalDecimal(recv),
    receivedCurrency,
    canonicalDecimal(paid),
    paidCurrency,
    channel,
  ].join('|');
  return { ...row, contentKey: createHash('sha256').update(normalised).digest('hex').slice(0, 24) };
}

function parseTimestamp(text: string, ctx: RowContext): number {
  const match = TIMESTAMP.exec(text);
  const ms = match
    ? utcInstant(
        Number(match[1]),
        Number(match[2]),
        Number(match[3]),
        Number(match[4]),
        Number(match[5]),
        Number(match[6] ?? 0),
      )
    : undefined;
  if (ms === undefined) {
    columnError(ctx, COLUMN.timestamp, 'must be a date and time such as 2022/09/01 00:20', text);
  }
  return ms;
}

function parseCurrency(text: string, ctx: RowContext, column: string): string {
  return (
    lookupCurrency(text) ??
    columnError(
      ctx,
      column,
      `must be one of the AMLworld currency names (${Object.keys(AMLWORLD_CURRENCIES).join(', ')})`,
      text,
    )
  );
}

/**
 * The movement key of a row: its content key, plus "-<n>" for the n-th identical row (n >= 2),
 * so that two genuinely repeated transactions stay two movements.
 */
export function movementKey(contentKey: string, occurrence: number): string {
  return occurrence <= 1 ? contentKey : `${contentKey}-${occurrence}`;
}

/** The TRANSFERRED edge of a row. The paid side is the movement; the received side is kept when it differs. */
export function amlworldMovement(row: AmlworldRow, key: string): MovementEdge {
  const differs =
    row.receivedCurrency !== row.paidCurrency || row.received.minor !== row.paid.minor;
  return {
    label: 'TRANSFERRED',
    eid: ids.movement('amlworld', key),
    from: ids.account(row.fromBank, row.fromAccount),
    to: ids.account(row.toBank, row.toAccount),
    props: {
      amountMinor: row.paid.minor,
      currency: row.paidCurrency,
      timestamp: row.timestamp,
      channel: row.channel,
      ...(differs
        ? { receivedAmountMinor: row.received.minor, receivedCurrency: row.receivedCurrency }
        : {}),
    },
  };
}

/**
 * What AMLworld does not say about an account, and what the importer writes instead:
 * - `accountType`: 'personal' (AMLworld's own accounts file names the holder, Trans.csv does not);
 * - `status`: 'active' (every account that moves money is);
 * - `country`: 'ZZ' (ISO 3166 "unknown or unspecified"; AMLworld has no countries);
 * - `openedAt`: the timestamp of the first row that mentions the account in this run (an upper
 *   bound on the real opening date);
 * - `currency`: the payment currency when the account pays, the receiving currency when it
 *   receives (AMLworld accounts hold one currency; a Bitcoin leg uses a sibling account id).
 */
export interface ImportedAccountDefaults {
  accountType: AccountType;
  status: AccountStatus;
  country: string;
}

export const AMLWORLD_ACCOUNT_DEFAULTS: ImportedAccountDefaults = {
  accountType: 'personal',
  status: 'active',
  country: 'ZZ',
};

export function amlworldAccount(
  bankId: string,
  accountNumber: string,
  currency: string,
  openedAt: number,
  defaults: ImportedAccountDefaults,
): AccountVertex {
  return {
    label: 'Account',
    uid: ids.account(bankId, accountNumber),
    props: { ...defaults, currency, openedAt, bankId },
  };
}
