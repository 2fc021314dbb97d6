import { CASE_CLOSE_REASONS, ConflictError, InvalidInputError } from '@app/vocabulary';
import type { CaseCloseReason, CaseStatus } from '@app/vocabulary';

/**
 * The moves a case can make. A case is worked (investigating), may be escalated to the
 * money-laundering reporting officer, who reports it to the financial intelligence unit or sends
 * it back; any case that is not reported yet can be closed (with a reason), a reported case is
 * closed once filed, and a closed case can be reopened into investigation.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['investigating', 'closed'],
  investigating: ['escalated', 'closed'],
  escalated: ['investigating', 'reported', 'closed'],
  reported: ['closed'],
  closed: ['investigating'],
};

/** Moves that need a recent second factor (they end or report an investigation). */
export const SENSITIVE_CASE_STATUSES: readonly CaseStatus[] = ['reported', 'closed'];

/** Open cases are every case that is not closed: an alert belongs to at most one of them. */
export function isOpenCase(status: CaseStatus): boolean {
  return status !== 'closed';
}

/**
 * Checks a move and answers the close reason to keep (only a closed case has one). Throws
 * `InvalidInputError` naming closeReason when closing without one (or giving one otherwise), and
 * `ConflictError` naming from, to and the allowed next states when the move is not allowed.
 */
export function checkTransition(
  caseId: string,
  from: CaseStatus,
  to: CaseStatus,
  closeReason: CaseCloseReason | undefined,
): CaseCloseReason | undefined {
  if (to === 'closed' && closeReason === undefined) {
    throw new InvalidInputError('Closing a case needs a reason', [
      {
        field: 'closeReason',
        rule: `is required to close a case: one of ${CASE_CLOSE_REASONS.join(', ')}`,
      },
    ]);
  }
  if (to !== 'closed' && closeReason !== undefined) {
    throw new InvalidInputError('A close reason is only given when closing a case', [
      { field: 'closeReason', rule: 'must be absent unless status is closed' },
    ]);
  }
  const allowed = CASE_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw new ConflictError(
      `Case ${caseId} is ${from}; it cannot move to ${to} (allowed next: ${allowed.join(', ')})`,
      { field: 'status', from, to, allowed },
    );
  }
  return to === 'closed' ? closeReason : undefined;
}
