import { isoOf } from '../presentation/analyst-format';
import { alertView } from '../alerts/alert.view';
import type { AlertView } from '../alerts/alert.view';
import type { AttachmentRef, CaseNote, CaseRecord, CaseStatusChange } from './case';
import type { CasePage } from './case-store';
import type { CaseDetail } from './cases.service';

/** A case in a list: no notes or history, their counts instead; ISO times beside epoch ones. */
export type CaseView = Omit<CaseRecord, 'notes' | 'history'> & {
  createdAtIso: string;
  updatedAtIso: string;
  noteCount: number;
};

export interface CasePageView {
  items: CaseView[];
  nextCursor?: string;
}

export type CaseNoteView = CaseNote & { atIso: string };
export type CaseStatusChangeView = CaseStatusChange & { atIso: string };
/** An attachment reference with the note it came with. */
export type CaseAttachmentView = AttachmentRef & { noteId: string };

export type CaseDetailView = CaseView & {
  alerts: AlertView[];
  notes: CaseNoteView[];
  attachments: CaseAttachmentView[];
  history: CaseStatusChangeView[];
};

export function caseView(record: CaseRecord): CaseView {
  const { notes, history: _history, ...rest } = record;
  return {
    ...rest,
    createdAtIso: isoOf(record.createdAt),
    updatedAtIso: isoOf(record.updatedAt),
    noteCount: notes.length,
  };
}

export function casePageView(page: CasePage): CasePageView {
  return { ...page, items: page.items.map(caseView) };
}

/**
 * A case with everything it holds. `withAlerts: false` (a caller below analyst, who sees no
 * alerts) leaves `alerts` empty: the case still names its alerts in `alertIds`, not their contents.
 */
export function caseDetailView(detail: CaseDetail, withAlerts: boolean): CaseDetailView {
  const { record, alerts } = detail;
  return {
    ...caseView(record),
    alerts: withAlerts ? alerts.map(alertView) : [],
    notes: record.notes.map((note) => ({ ...note, atIso: isoOf(note.at) })),
    attachments: record.notes.flatMap((note) =>
      note.attachments.map((ref) => ({ ...ref, noteId: note.noteId })),
    ),
    history: record.history.map((change) => ({ ...change, atIso: isoOf(change.at) })),
  };
}
