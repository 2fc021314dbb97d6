import type { AlertRisk } from '@app/detectors';
import { toCsv } from '../presentation/csv';
import type { AccountParty } from '../presentation/party-directory.service';
import type { AlertDetailView } from './alert.view';

/** Columns of the alert CSV export: the alert on every row, then one evidence movement. */
export const ALERT_CSV_COLUMNS = [
  'alertId',
  'ruleId',
  'typology',
  'severity',
  'score',
  'status',
  'windowStart',
  'windowEnd',
  'subject',
  'subjectCustomers',
  'explanation',
  'riskScore',
  'riskThreshold',
  'riskModelVersion',
  'riskReasons',
  'movementId',
  'time',
  'fromAccount',
  'fromCustomers',
  'toAccount',
  'toCustomers',
  'amount',
  'currency',
  'baseAmount',
  'baseCurrency',
  'channel',
  'reference',
] as const;

/** "Name (business id)" of each holder, joined by "; ". */
function customers(account: AccountParty | undefined): string {
  return (account?.holders ?? [])
    .map((h) => (h.businessId ? `${h.name} (${h.businessId})` : h.name))
    .join('; ');
}

/**
 * The learned model's risk as four cells: score, threshold, model version and the reasons in
 * words, strongest first, joined by "; ". All empty when no model scored the alert.
 */
function riskColumns(risk: AlertRisk | null) {
  return {
    riskScore: risk?.score ?? '',
    riskThreshold: risk?.threshold ?? '',
    riskModelVersion: risk?.modelVersion ?? '',
    riskReasons: (risk?.reasons ?? []).map((reason) => reason.text).join('; '),
  };
}

/**
 * The alert and its evidence as CSV (RFC 4180, header row, comma-separated): one row per
 * evidence movement, the alert's columns repeated on each (one row with empty movement
 * columns when no movement is left in the graph). Times are ISO 8601 UTC, amounts decimals in
 * major units. The risk columns are empty when no learned model scored the alert.
 */
export function alertCsv(detail: AlertDetailView): string {
  const subject = detail.parties.find((p) => p.role === 'subject');
  const subjectAccount =
    subject && subject.label === 'Account' ? (subject as AccountParty) : undefined;
  const alertColumns = {
    alertId: detail.alertId,
    ruleId: detail.ruleId,
    typology: detail.typology,
    severity: detail.severity,
    score: detail.score,
    status: detail.status,
    windowStart: detail.windowStartIso,
    windowEnd: detail.windowEndIso,
    subject: subject ? (subject.businessId ?? subject.name) : '',
    subjectCustomers: customers(subjectAccount),
    explanation: detail.explanation,
    ...riskColumns(detail.risk),
  };
  const rows =
    detail.movements.length === 0
      ? [alertColumns]
      : detail.movements.map((m) => ({
          ...alertColumns,
          movementId: m.movementId,
          time: m.timestampIso,
          fromAccount: m.from.businessId ?? m.fromAccount,
          fromCustomers: customers(m.from),
          toAccount: m.to.businessId ?? m.toAccount,
          toCustomers: customers(m.to),
          amount: m.amount,
          currency: m.currency,
          baseAmount: m.base?.amount ?? '',
          baseCurrency: m.base?.currency ?? '',
          channel: m.channel,
          reference: m.reference ?? '',
        }));
  return toCsv(rows, ALERT_CSV_COLUMNS);
}
