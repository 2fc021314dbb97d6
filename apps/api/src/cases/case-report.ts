import { isoOf } from '../presentation/analyst-format';
import type { AccountParty } from '../presentation/party-directory.service';
import type { AlertDetailView } from '../alerts/alert.view';
import type { AttachmentRef, CaseRecord } from './case';

/*
 * The printable report of a case or of one alert (GET /cases/{id}/report, GET /alerts/{id}/report):
 * one content, as JSON or as a self-contained HTML page (inline CSS, no script, every value
 * escaped). Pure functions: the caller gathers the alerts and gives the time and the author.
 */

export const REPORT_FORMATS = ['html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One end of a movement: the account number and its holders' names. */
export interface ReportParty {
  account: string;
  names: string[];
}

export interface ReportMovement {
  movementId: string;
  timeIso: string;
  from: ReportParty;
  to: ReportParty;
  /** Major units, as a decimal string. */
  amount: string;
  currency: string;
  /** In the base currency at the rate of the day; null without a rate. */
  baseAmount: string | null;
  baseCurrency: string | null;
  channel: string;
  reference?: string;
}

export interface ReportStatusChange {
  atIso: string;
  from: string | null;
  to: string;
  actor: string;
  closeReason?: string;
  note?: string;
}

export interface ReportAlert {
  alertId: string;
  ruleId: string;
  typology: string;
  severity: string;
  score: number;
  status: string;
  assignee?: string;
  windowStartIso: string;
  windowEndIso: string;
  explanation: string;
  movements: ReportMovement[];
  history: ReportStatusChange[];
}

export interface ReportNote {
  noteId: string;
  atIso: string;
  author: string;
  text: string;
  attachments: AttachmentRef[];
}

export interface ReportCase {
  caseId: string;
  title: string;
  description?: string;
  status: string;
  closeReason?: string;
  assignee?: string;
  createdBy: string;
  createdAtIso: string;
  updatedAtIso: string;
  notes: ReportNote[];
  history: ReportStatusChange[];
}

/** The content of a report, the same in both formats. */
export interface InvestigationReport {
  kind: 'case' | 'alert';
  title: string;
  generatedAtIso: string;
  /** The principal who asked for the report. */
  generatedBy: string;
  /** Present in a case report. */
  case?: ReportCase;
  alerts: ReportAlert[];
}

/** Who asked, and when (from the injected clock). */
export interface ReportOrigin {
  at: number;
  by: string;
}

function party(account: AccountParty): ReportParty {
  return {
    account: account.businessId ?? account.name,
    names: account.holders.map((h) => (h.businessId ? `${h.name} (${h.businessId})` : h.name)),
  };
}

function reportAlert(detail: AlertDetailView): ReportAlert {
  return {
    alertId: detail.alertId,
    ruleId: detail.ruleId,
    typology: detail.typology,
    severity: detail.severity,
    score: detail.score,
    status: detail.status,
    ...(detail.assignee === undefined ? {} : { assignee: detail.assignee }),
    windowStartIso: detail.windowStartIso,
    windowEndIso: detail.windowEndIso,
    explanation: detail.explanation,
    movements: [...detail.movements]
      .sort((a, b) => a.timestamp - b.timestamp)
      .map((m) => ({
        movementId: m.movementId,
        timeIso: m.timestampIso,
        from: party(m.from),
        to: party(m.to),
        amount: m.amount,
        currency: m.currency,
        baseAmount: m.base?.amount ?? null,
        baseCurrency: m.base?.currency ?? null,
        channel: m.channel,
        ...(m.reference === undefined ? {} : { reference: m.reference }),
      })),
    history: detail.history.map((h) => ({
      atIso: h.atIso,
      from: h.from ?? null,
      to: h.to,
      actor: h.actor,
      ...(h.note === undefined ? {} : { note: h.note }),
    })),
  };
}

/** The report of a case: its summary, notes, history, and each alert with its evidence. */
export function caseReport(
  record: CaseRecord,
  alerts: readonly AlertDetailView[],
  origin: ReportOrigin,
): InvestigationReport {
  return {
    kind: 'case',
    title: `Case report: ${record.title}`,
    generatedAtIso: isoOf(origin.at),
    generatedBy: origin.by,
    case: {
      caseId: record.caseId,
      title: record.title,
      ...(record.description === undefined ? {} : { description: record.description }),
      status: record.status,
      ...(record.closeReason === undefined ? {} : { closeReason: record.closeReason }),
      ...(record.assignee === undefined ? {} : { assignee: record.assignee }),
      createdBy: record.createdBy,
      createdAtIso: isoOf(record.createdAt),
      updatedAtIso: isoOf(record.updatedAt),
      notes: record.notes.map((n) => ({
        noteId: n.noteId,
        atIso: isoOf(n.at),
        author: n.author,
        text: n.text,
        attachments: n.attachments.map((a) => ({ ...a })),
      })),
      history: record.history.map((h) => ({
        atIso: isoOf(h.at),
        from: h.from,
        to: h.to,
        actor: h.actor,
        ...(h.closeReason === undefined ? {} : { closeReason: h.closeReason }),
        ...(h.note === undefined ? {} : { note: h.note }),
      })),
    },
    alerts: alerts.map(reportAlert),
  };
}

/** The report of one alert with its evidence and history. */
export function alertReport(detail: AlertDetailView, origin: ReportOrigin): InvestigationReport {
  return {
    kind: 'alert',
    title: `Alert report: ${detail.typology} alert ${detail.alertId}`,
    generatedAtIso: isoOf(origin.at),
    generatedBy: origin.by,
    alerts: [reportAlert(detail)],
  };
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A tagged template that escapes every interpolated value, except `Html` fragments. */
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type HtmlValue = Html | string | number | null | undefined | readonly Html[];

function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    if (value instanceof Html) text += value.text;
    else if (Array.isArray(value)) text += (value as readonly Html[]).map((v) => v.text).join('');
    else text += escapeHtml(value as string | number | null | undefined);
    text += strings[index + 1] ?? '';
  });
  return new Html(text);
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c; margin: 2rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #cbd5e0; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: 13px; }
th, td { border: 1px solid #cbd5e0; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #edf2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.explanation { background: #f7fafc; border-left: 3px solid #2b6cb0; padding: .4rem .6rem; }
.note { white-space: pre-wrap; }
.meta { color: #4a5568; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
`;

function facts(rows: readonly [string, string | number | undefined][]): Html {
  const shown = rows.filter(([, value]) => value !== undefined && value !== '');
  return html`<dl class="facts">
    ${shown.map(
      ([term, value]) =>
        html`<dt>${term}</dt>
          <dd>${value}</dd>`,
    )}
  </dl>`;
}

function partyCell(p: ReportParty): Html {
  return p.names.length === 0 ? html`${p.account}` : html`${p.account} · ${p.names.join('; ')}`;
}

function historyTable(history: readonly ReportStatusChange[], caption: string): Html {
  if (history.length === 0) return html`<p class="meta">No status changes.</p>`;
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Time (UTC)</th>
        <th scope="col">From</th>
        <th scope="col">To</th>
        <th scope="col">By</th>
        <th scope="col">Note</th>
      </tr>
    </thead>
    <tbody>
      ${history.map(
        (h) =>
          html`<tr>
            <td>${h.atIso}</td>
            <td>${h.from ?? '(new)'}</td>
            <td>${h.to}${h.closeReason === undefined ? '' : ` (${h.closeReason})`}</td>
            <td>${h.actor}</td>
            <td>${h.note}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function movementsTable(movements: readonly ReportMovement[]): Html {
  if (movements.length === 0) {
    return html`<p class="meta">No evidence movement is left in the graph.</p>`;
  }
  return html`<table>
    <caption>
      ${movements.length} evidence movement(s) in time order; amounts in major units
    </caption>
    <thead>
      <tr>
        <th scope="col">#</th>
        <th scope="col">Time (UTC)</th>
        <th scope="col">From</th>
        <th scope="col">To</th>
        <th scope="col">Amount</th>
        <th scope="col">Base amount</th>
        <th scope="col">Channel</th>
        <th scope="col">Reference</th>
      </tr>
    </thead>
    <tbody>
      ${movements.map(
        (m, i) =>
          html`<tr>
            <td>${i + 1}</td>
            <td>${m.timeIso}</td>
            <td>${partyCell(m.from)}</td>
            <td>${partyCell(m.to)}</td>
            <td class="num">${m.amount} ${m.currency}</td>
            <td class="num">
              ${m.baseAmount === null ? 'no rate' : `${m.baseAmount} ${m.baseCurrency ?? ''}`}
            </td>
            <td>${m.channel}</td>
            <td>${m.reference}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function alertSection(alert: ReportAlert): Html {
  return html`<section>
    <h3>${alert.typology} alert ${alert.alertId}</h3>
    ${facts([
      ['Rule', alert.ruleId],
      ['Severity', alert.severity],
      ['Score', alert.score],
      ['Status', alert.status],
      ['Assignee', alert.assignee],
      ['Window (UTC)', `${alert.windowStartIso} to ${alert.windowEndIso}`],
    ])}
    <p class="explanation">${alert.explanation}</p>
    ${movementsTable(alert.movements)}${historyTable(alert.history, 'Status history of the alert')}
  </section>`;
}

function attachmentItem(a: AttachmentRef): Html {
  return html`<li>
    ${a.name}${a.uri === undefined ? '' : ` — ${a.uri}`}${a.reference === undefined ? '' : ` — reference ${a.reference}`}${a.sha256 === undefined ? '' : ` — SHA-256 ${a.sha256}`}
  </li>`;
}

function notesSection(notes: readonly ReportNote[]): Html {
  if (notes.length === 0)
    return html`<h2>Notes</h2>
      <p class="meta">No notes.</p>`;
  return html`<h2>Notes</h2>
    ${notes.map(
      (n) =>
        html`<article>
          <p class="meta">${n.atIso} by ${n.author}</p>
          <p class="note">${n.text}</p>
          ${
            n.attachments.length === 0
              ? ''
              : html`<p>Attachments:</p>
                  <ul>
                    ${n.attachments.map(attachmentItem)}
                  </ul>`
          }
        </article>`,
    )}`;
}

/** The report as one HTML page: inline CSS, no script, no outside resource, values escaped. */
export function reportHtml(report: InvestigationReport): string {
  const c = report.case;
  const summary =
    c === undefined
      ? html``
      : html`<h2>Summary</h2>
          ${facts([
            ['Case', c.caseId],
            ['Title', c.title],
            ['Description', c.description],
            ['Status', c.closeReason === undefined ? c.status : `${c.status} (${c.closeReason})`],
            ['Assignee', c.assignee ?? '(none)'],
            ['Opened by', c.createdBy],
            ['Opened (UTC)', c.createdAtIso],
            ['Last change (UTC)', c.updatedAtIso],
            ['Alerts', report.alerts.length],
          ])}`;
  const caseParts =
    c === undefined
      ? html``
      : html`${notesSection(c.notes)}
          <h2>Status history</h2>
          ${historyTable(c.history, 'Status history of the case')}`;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${report.title}</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>${report.title}</h1>
          <p class="meta">Generated ${report.generatedAtIso} by ${report.generatedBy}</p>
        </header>
        <main>
          ${summary}
          <h2>Alerts</h2>
          ${report.alerts.length === 0 ? html`<p class="meta">No alerts.</p>` : report.alerts.map(alertSection)}${caseParts}
        </main>
      </body>
    </html> `;
  return page.text;
}
