import { basename, resolve } from 'node:path';
import {
  ids,
  type AccountType,
  type AccountVertex,
  type AmlTypology,
  type GroundTruthRecord,
  type MovementEdge,
} from '@app/vocabulary';
import { AccountRegistry } from '../account-registry';
import { ChunkBuffer, type ImportSummary } from '../import-chunk';
import { entitiesOf, inTimeOrder, windowOf, type MovementRef } from '../movement-ref';
import { columnError, parseAmount, type RowContext } from '../row-values.parser';
import { amlsimChannel, AMLSIM_CHANNELS } from './amlsim.mapping';

export interface AmlsimImportOptions {
  /** The AMLSim output folder (new schema: transactions.csv …; old schema: tx.csv …). */
  dir: string;
  /** Vertices + edges + ground-truth records per chunk (default 5000). */
  chunkSize?: number;
  /** Bank id of accounts whose bank is not given (the old schema has no banks). Default "amlsim". */
  defaultBankId?: string;
  /** Currency when the files give none (the old schema has no currencies). Default "USD". */
  defaultCurrency?: string;
  /** ISO 3166 country when the files give none. Default "ZZ" (unknown). */
  defaultCountry?: string;
  /**
   * Old schema only: the instant of simulation step 0, epoch ms. Steps are days; AMLSim's own
   * converter dates step n as 2017-01-01 + n days, which is the default.
   */
  stepEpoch?: number;
}

export interface AmlsimImportSummary extends ImportSummary {
  source: 'amlsim';
  schema: 'new' | 'old';
  accounts: number;
  alerts: number;
  /** Alerts whose transactions are not suspicious (AMLSim's false alerts): decoy records. */
  decoyAlerts: number;
  /** Transactions flagged `is_sar` (new schema). */
  sarTransactions: number;
  /** Accounts that transactions use but the accounts file does not list (created with defaults). */
  accountsNotInAccountsFile: number;
  /** Alert transactions missing from transactions.csv (imported from alert_transactions.csv). */
  alertTransactionsOnlyInAlertFile: number;
  /** SAR transactions that belong to no alert (one record, typology 'random', unlabelledTypology). */
  unlabelledSarTransactions: number;
}

export const DEFAULT_STEP_EPOCH = Date.UTC(2017, 0, 1);
export const DAY_MS = 86_400_000;

/** One alert being gathered while the files are read. */
export interface AlertAccumulator {
  alertId: string;
  alertType: string;
  typology: AmlTypology | undefined;
  isSar: boolean;
  accounts: string[];
  refs: MovementRef[];
  parameters: Record<string, string | number | boolean>;
}

/** What both schemas share while importing: options with defaults, buffer, accounts, summary. */
export class AmlsimRun {
  readonly buffer: ChunkBuffer;
  readonly accounts = new AccountRegistry();
  readonly bankId: string;
  readonly currency: string;
  readonly country: string;
  readonly stepEpoch: number;
  readonly alerts = new Map<string, AlertAccumulator>();

  constructor(
    readonly options: AmlsimImportOptions,
    readonly summary: AmlsimImportSummary,
  ) {
    this.buffer = new ChunkBuffer(options.chunkSize);
    this.bankId = options.defaultBankId ?? 'amlsim';
    this.currency = options.defaultCurrency ?? 'USD';
    this.country = options.defaultCountry ?? 'ZZ';
    this.stepEpoch = options.stepEpoch ?? DEFAULT_STEP_EPOCH;
  }

  static emptySummary(schema: 'new' | 'old'): AmlsimImportSummary {
    return {
      source: 'amlsim',
      schema,
      files: [],
      vertices: 0,
      edges: 0,
      groundTruth: 0,
      roundedAmounts: 0,
      notes: [],
      accounts: 0,
      alerts: 0,
      decoyAlerts: 0,
      sarTransactions: 0,
      accountsNotInAccountsFile: 0,
      alertTransactionsOnlyInAlertFile: 0,
      unlabelledSarTransactions: 0,
    };
  }

  /** An Account vertex with the importer's defaults for what the files do not say. */
  account(
    bankId: string,
    accountId: string,
    props: Partial<AccountVertex['props']> & { openedAt: number },
  ): AccountVertex {
    return {
      label: 'Account',
      uid: ids.account(bankId, accountId),
      props: {
        accountType: 'personal' satisfies AccountType,
        currency: this.currency,
        status: 'active',
        country: this.country,
        bankId,
        ...props,
      },
    };
  }

  /** The TRANSFERRED edge of one AMLSim transaction; the original type is kept as `reference`. */
  movement(
    ctx: RowContext,
    tranId: string,
    from: string,
    to: string,
    txType: string,
    amountText: string,
    currency: string,
    timestamp: number,
    amountColumn: string,
    typeColumn: string,
  ): MovementEdge {
    const channel =
      amlsimChannel(txType) ??
      columnError(
        ctx,
        typeColumn,
        `must be one of ${Object.keys(AMLSIM_CHANNELS).join(', ')}`,
        txType,
      );
    const amount = parseAmount(amountText, currency, ctx, amountColumn);
    if (amount.minor < 1) {
      columnError(ctx, amountColumn, `must be at least one minor unit of ${currency}`, amountText);
    }
    if (amount.rounded) this.summary.roundedAmounts += 1;
    return {
      label: 'TRANSFERRED',
      eid: ids.movement('amlsim', tranId),
      from,
      to,
      props: { amountMinor: amount.minor, currency, timestamp, channel, reference: txType.trim() },
    };
  }

  /** Adds an alert's ground-truth record to the buffer. */
  addAlertRecord(alert: AlertAccumulator, dir: string): void {
    const ordered = inTimeOrder(alert.refs);
    const record: GroundTruthRecord = {
      instanceId: `amlsim:${basename(resolve(dir))}:alert-${alert.alertId}`,
      typology: alert.typology ?? 'random',
      decoy: !alert.isSar,
      source: 'amlsim',
      entities: entitiesOf(ordered, alert.accounts),
      movements: ordered.map((ref) => ref.eid),
      ...windowOf(ordered),
      parameters: {
        alertId: alert.alertId,
        alertType: alert.alertType,
        isSar: alert.isSar,
        transactions: ordered.length,
        ...(alert.typology === undefined ? { unlabelledTypology: true } : {}),
        ...alert.parameters,
      },
    };
    this.buffer.addGroundTruth(record);
    this.summary.alerts += 1;
    if (!alert.isSar) this.summary.decoyAlerts += 1;
  }

  /** Adds one record for suspicious transactions that belong to no alert. */
  addUnlabelledRecord(refs: MovementRef[], dir: string, reason: string): void {
    if (refs.length === 0) return;
    const ordered = inTimeOrder(refs);
    this.buffer.addGroundTruth({
      instanceId: `amlsim:${basename(resolve(dir))}:unlabelled`,
      typology: 'random',
      decoy: false,
      source: 'amlsim',
      entities: entitiesOf(ordered),
      movements: ordered.map((ref) => ref.eid),
      ...windowOf(ordered),
      parameters: { unlabelledTypology: true, transactions: ordered.length, reason },
    });
    this.summary.unlabelledSarTransactions = ordered.length;
    this.summary.notes.push(
      `${ordered.length} suspicious transactions belong to no alert (${reason}); they form one ground-truth record with typology 'random' and unlabelledTypology: true.`,
    );
  }

  finish(): AmlsimImportSummary {
    this.summary.vertices = this.buffer.totals.vertices;
    this.summary.edges = this.buffer.totals.edges;
    this.summary.groundTruth = this.buffer.totals.groundTruth;
    this.summary.accounts = this.accounts.size;
    if (this.summary.roundedAmounts > 0) {
      this.summary.notes.push(
        `${this.summary.roundedAmounts} amounts had more decimals than their currency and were rounded half-up to the minor unit.`,
      );
    }
    if (this.summary.accountsNotInAccountsFile > 0) {
      this.summary.notes.push(
        `${this.summary.accountsNotInAccountsFile} accounts used by transactions are not in the accounts file; they were created with default properties.`,
      );
    }
    return this.summary;
  }
}

/** A ref for ground truth from a movement edge, ordered by the source's transaction id. */
export function refOf(edge: MovementEdge, order: number): MovementRef {
  return { eid: edge.eid, timestamp: edge.props.timestamp, order, from: edge.from, to: edge.to };
}
