import type {
  AlertDetail,
  AlertPage,
  AlertRisk,
  AlertStatusChange,
  ScanReport,
  StoredAlert,
} from '@app/detectors';
import type { BaseMoney, GraphVertex, Movement } from '@app/vocabulary';
import { isoOf, moneyView, partyRefOf, withIsoTimes } from '../presentation/analyst-format';
import type { MoneyView, PartyRef } from '../presentation/analyst-format';
import type { AccountParty } from '../presentation/party-directory.service';

/**
 * An alert with ISO times beside its epoch ones, and the learned model's risk (score, model
 * version, reasons in words) or null when no model scored it: every alert names its model.
 */
export type AlertView = Omit<StoredAlert, 'risk'> & {
  createdAtIso: string;
  updatedAtIso: string;
  windowStartIso: string;
  windowEndIso: string;
  risk: AlertRisk | null;
};

export interface AlertPageView {
  items: AlertView[];
  nextCursor?: string;
}

export type StatusChangeView = AlertStatusChange & { atIso: string };

/** A money movement for analysts: amount in major units, base value, named parties. */
export type MovementView = Movement &
  MoneyView & {
    timestampIso: string;
    /** The paying account with its holders' names and business ids. */
    from: AccountParty;
    to: AccountParty;
    /** What the receiver got, when it differs (another currency). */
    received?: MoneyView;
  };

export interface AlertPartyView extends PartyRef {
  role: AlertDetail['parties'][number]['role'];
  /** Holders of a flagged account (customers, with names and business ids). */
  holders?: PartyRef[];
  vertex: GraphVertex;
}

export type AlertDetailView = Omit<AlertView, never> & {
  parties: AlertPartyView[];
  movements: MovementView[];
  history: StatusChangeView[];
};

export function alertView(alert: StoredAlert): AlertView {
  const { createdAt, updatedAt, windowStart, windowEnd } = alert;
  return {
    ...alert,
    createdAtIso: isoOf(createdAt),
    updatedAtIso: isoOf(updatedAt),
    windowStartIso: isoOf(windowStart),
    windowEndIso: isoOf(windowEnd),
    risk: alert.risk ?? null,
  };
}

export function alertPageView(page: AlertPage): AlertPageView {
  return { ...page, items: page.items.map(alertView) };
}

export function statusChangeView(change: AlertStatusChange): StatusChangeView {
  return { ...change, atIso: isoOf(change.at) };
}

/** The accounts an alert detail names: flagged accounts and both ends of every movement. */
export function accountsOf(detail: AlertDetail): string[] {
  return [
    ...detail.parties.filter((p) => p.label === 'Account').map((p) => p.uid),
    ...detail.movements.flatMap((m) => [m.fromAccount, m.toAccount]),
  ];
}

function unknownAccount(uid: string): AccountParty {
  return { uid, label: 'Account', name: uid, holders: [] };
}

export function movementView(
  movement: Movement,
  accounts: ReadonlyMap<string, AccountParty>,
  money: BaseMoney,
): MovementView {
  const view: MovementView = {
    ...movement,
    ...moneyView(money, movement.amountMinor, movement.currency, movement.timestamp),
    timestampIso: isoOf(movement.timestamp),
    from: accounts.get(movement.fromAccount) ?? unknownAccount(movement.fromAccount),
    to: accounts.get(movement.toAccount) ?? unknownAccount(movement.toAccount),
  };
  if (movement.receivedAmountMinor !== undefined && movement.receivedCurrency !== undefined)
    view.received = moneyView(
      money,
      movement.receivedAmountMinor,
      movement.receivedCurrency,
      movement.timestamp,
    );
  return view;
}

export function alertDetailView(
  detail: AlertDetail,
  accounts: ReadonlyMap<string, AccountParty>,
  money: BaseMoney,
): AlertDetailView {
  const { parties, movements, history, ...alert } = detail;
  return {
    ...alertView(alert),
    parties: parties.map((party) => {
      const account = party.label === 'Account' ? accounts.get(party.uid) : undefined;
      return {
        ...(account ?? partyRefOf(party.vertex)),
        role: party.role,
        vertex: { ...party.vertex, props: withIsoTimes(party.vertex.props) } as GraphVertex,
      };
    }),
    movements: movements.map((m) => movementView(m, accounts, money)),
    history: history.map(statusChangeView),
  };
}

/** A scan report with ISO times for its window. */
export type ScanReportView = ScanReport & { fromIso: string; toIso: string };

export function scanReportView(report: ScanReport): ScanReportView {
  return { ...report, fromIso: isoOf(report.from), toIso: isoOf(report.to) };
}
