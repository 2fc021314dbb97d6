/**
 * The case workflow as the API enforces it (apps/api/src/cases/case-workflow.ts): the web app
 * shows only the moves the API allows next. Reporting and closing need a step-up.
 */
export const CASE_STATUSES = ['open', 'investigating', 'escalated', 'reported', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['investigating', 'closed'],
  investigating: ['escalated', 'closed'],
  escalated: ['investigating', 'reported', 'closed'],
  reported: ['closed'],
  closed: ['investigating'],
};

export const CASE_CLOSE_REASONS = [
  'reported',
  'false-positive',
  'no-further-action',
  'duplicate',
] as const;

export function nextStatuses(status: string): readonly CaseStatus[] {
  return (CASE_STATUSES as readonly string[]).includes(status)
    ? CASE_TRANSITIONS[status as CaseStatus]
    : [];
}

/** The button of a move: "Move to investigating", "Reopen". */
export function moveLabel(from: string, to: CaseStatus): string {
  if (from === 'closed' && to === 'investigating') return 'Reopen (investigating)';
  if (from === 'escalated' && to === 'investigating') return 'Send back to investigating';
  return `Move to ${to}`;
}
