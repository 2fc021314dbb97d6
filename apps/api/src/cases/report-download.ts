import type { Response } from 'express';
import { asDownload } from '../presentation/download';
import { reportHtml } from './case-report';
import type { InvestigationReport, ReportFormat } from './case-report';

/** Answers a report as a download: html (the default) or json. */
export function reportDownload(
  response: Response,
  report: InvestigationReport,
  id: string,
  format: ReportFormat | undefined,
): string {
  if (format === 'json') {
    asDownload(response, 'application/json; charset=utf-8', `${id}-report.json`);
    return JSON.stringify(report, null, 2);
  }
  asDownload(response, 'text/html; charset=utf-8', `${id}-report.html`);
  return reportHtml(report);
}
