import type { DetectedAlert } from '@app/detectors';
import { csvField } from '@app/generators';
import {
  formatMinorUnits,
  type GraphEdge,
  type GraphVertex,
  type Movement,
  type Severity,
} from '@app/vocabulary';

/** One piece of evidence as an analyst reads it: amounts in major units, times in ISO 8601. */
export interface EvidenceLine {
  movementId: string;
  from: string;
  to: string;
  /** Major units as decimal text ("9400.00"). */
  amount: string;
  currency: string;
  /** ISO 8601, UTC. */
  time: string;
  channel: string;
}

/** A party named in a report: its uid and its name when the dataset has one. */
export interface NamedParty {
  uid: string;
  name: string;
}

/** One alert as written to alerts.jsonl. */
export interface AlertReportLine {
  alertId: string;
  ruleId: string;
  ruleVersion: string;
  typology: string;
  severity: Severity;
  score: number;
  /** The key entity (usually an account). */
  subject: string;
  /** Holders of the subject account (or the subject itself when it is a person or company). */
  customers: NamedParty[];
  explanation: string;
  windowStart: string;
  windowEnd: string;
  evidence: EvidenceLine[];
  /** Account events (logins, changes) behind the alert, when the rule uses them. */
  events: { eventId: string; accountId: string; kind: string; time: string }[];
  parties: { uid: string; role: string }[];
  facts: Readonly<Record<string, number | string>>;
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Major-unit text of an amount ("9400.00" for 940000 USD). */
export function majorUnits(minor: number, currency: string): string {
  return formatMinorUnits(minor, currency).slice(0, -(currency.length + 1));
}

function evidenceOf(m: Movement): EvidenceLine {
  return {
    movementId: m.movementId,
    from: m.fromAccount,
    to: m.toAccount,
    amount: majorUnits(m.amountMinor, m.currency),
    currency: m.currency,
    time: iso(m.timestamp),
    channel: m.channel,
  };
}

/** Names of vertices and holders of accounts, to say who an alert is about. */
export class PartyNames {
  private readonly names = new Map<string, string>();
  private readonly holders = new Map<string, string[]>();

  constructor(vertices: readonly GraphVertex[], edges: readonly GraphEdge[]) {
    for (const vertex of vertices) {
      if (vertex.label === 'Person' || vertex.label === 'Company') {
        this.names.set(vertex.uid, vertex.props.name);
      }
    }
    for (const edge of edges) {
      if (edge.label !== 'HOLDS') continue;
      const list = this.holders.get(edge.to) ?? [];
      list.push(edge.from);
      this.holders.set(edge.to, list);
    }
  }

  /** The holders of an account, or the party itself. */
  customersOf(uid: string): NamedParty[] {
    const own = this.names.get(uid);
    if (own !== undefined) return [{ uid, name: own }];
    return (this.holders.get(uid) ?? []).map((holder) => ({
      uid: holder,
      name: this.names.get(holder) ?? holder,
    }));
  }
}

/** Alerts as report lines, most severe and highest score first. */
export function reportLines(
  alerts: readonly DetectedAlert[],
  names: PartyNames,
): AlertReportLine[] {
  return [...alerts]
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        b.score - a.score ||
        (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0),
    )
    .map((alert) => ({
      alertId: alert.alertId,
      ruleId: alert.ruleId,
      ruleVersion: alert.ruleVersion,
      typology: alert.typology,
      severity: alert.severity,
      score: alert.score,
      subject: alert.subject,
      customers: names.customersOf(alert.subject),
      explanation: alert.explanation,
      windowStart: iso(alert.windowStart),
      windowEnd: iso(alert.windowEnd),
      evidence: alert.movements.map(evidenceOf),
      events: (alert.events ?? []).map((e) => ({
        eventId: e.eventId,
        accountId: e.accountId,
        kind: e.kind,
        time: iso(e.timestamp),
      })),
      parties: alert.parties.map((p) => ({ uid: p.uid, role: p.role })),
      facts: alert.facts,
    }));
}

export function renderAlertsJsonl(lines: readonly AlertReportLine[]): string {
  return lines.map((line) => JSON.stringify(line)).join('\n') + (lines.length > 0 ? '\n' : '');
}

function evidenceText(e: EvidenceLine): string {
  return `${e.movementId} ${e.amount} ${e.currency} ${e.time} (${e.from} -> ${e.to}, ${e.channel})`;
}

function customerText(line: AlertReportLine): string {
  return line.customers.map((c) => c.name).join('; ');
}

export const ALERTS_CSV_COLUMNS = [
  'account',
  'customer_names',
  'rule',
  'typology',
  'score',
  'severity',
  'explanation',
  'window_start',
  'window_end',
  'evidence',
  'alert_id',
] as const;

/** One row per alert; evidence items are separated by " | ". */
export function renderAlertsCsv(lines: readonly AlertReportLine[]): string {
  const rows = lines.map((line) =>
    [
      line.subject,
      customerText(line),
      line.ruleId,
      line.typology,
      line.score,
      line.severity,
      line.explanation,
      line.windowStart,
      line.windowEnd,
      [
        ...line.evidence.map(evidenceText),
        ...line.events.map((e) => `${e.eventId} ${e.kind} ${e.time}`),
      ].join(' | '),
      line.alertId,
    ]
      .map((value) => csvField(value))
      .join(','),
  );
  return [ALERTS_CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A readable report: a table of rules, then each alert with its evidence. */
export function renderAlertsMarkdown(
  lines: readonly AlertReportLine[],
  facts: { dataset: string; kind: string; movements: number; events: number; rules: number },
): string {
  const out: string[] = [
    '# Alerts',
    '',
    `Dataset \`${facts.dataset}\` (${facts.kind}): ${facts.movements} movements and ${facts.events} account events ` +
      `checked by ${facts.rules} rules; ${lines.length} alert${lines.length === 1 ? '' : 's'}.`,
    'Amounts are in major units of their currency; times are ISO 8601 in UTC. No ground truth is used:',
    'every alert is a lead for an analyst, not a finding.',
    '',
  ];
  const byRule = new Map<string, { typology: string; count: number }>();
  for (const line of lines) {
    const entry = byRule.get(line.ruleId) ?? { typology: line.typology, count: 0 };
    entry.count += 1;
    byRule.set(line.ruleId, entry);
  }
  if (byRule.size > 0) {
    out.push('| rule | typology | alerts |', '|---|---|---:|');
    for (const [rule, entry] of [...byRule.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push(`| ${rule} | ${entry.typology} | ${entry.count} |`);
    }
    out.push('');
  }
  lines.forEach((line, index) => {
    const customers = customerText(line);
    out.push(
      `## ${index + 1}. ${line.ruleId} on ${line.subject}${customers !== '' ? ` (${customers})` : ''}`,
      '',
      `- typology: ${line.typology}; severity: ${line.severity}; score: ${line.score}`,
      `- window: ${line.windowStart} to ${line.windowEnd}`,
      `- ${line.explanation}`,
      `- alert id: \`${line.alertId}\``,
      '',
    );
    if (line.evidence.length > 0) {
      out.push('| movement | time | amount | from | to | channel |', '|---|---|---:|---|---|---|');
      for (const e of line.evidence) {
        out.push(
          `| ${markdownCell(e.movementId)} | ${e.time} | ${e.amount} ${e.currency} | ${markdownCell(e.from)} | ${markdownCell(e.to)} | ${e.channel} |`,
        );
      }
      out.push('');
    }
    if (line.events.length > 0) {
      out.push('| event | time | kind | account |', '|---|---|---|---|');
      for (const e of line.events) {
        out.push(
          `| ${markdownCell(e.eventId)} | ${e.time} | ${e.kind} | ${markdownCell(e.accountId)} |`,
        );
      }
      out.push('');
    }
  });
  return out.join('\n');
}
