import type { CaseCloseReason, CaseStatus } from '@app/vocabulary';

/** A reference to evidence kept elsewhere (a document store, a ticket, a file share). */
export interface AttachmentRef {
  /** What the analyst calls it, e.g. "invoice-2024-117.pdf". */
  name: string;
  /** Where it is, as a URI (https:, s3:, file:…). */
  uri?: string;
  /** Or an identifier in another system (a ticket or document number). */
  reference?: string;
  /** SHA-256 of the file in 64 lowercase hex digits, so a reader can check it is the same one. */
  sha256?: string;
}

export interface CaseNote {
  noteId: string;
  text: string;
  /** Who wrote it (a principal id). */
  author: string;
  at: number;
  attachments: AttachmentRef[];
}

/** One move of a case through its workflow; the first one (from null) opened it. */
export interface CaseStatusChange {
  from: CaseStatus | null;
  to: CaseStatus;
  at: number;
  /** Who moved it (a principal id). */
  actor: string;
  /** Present when the move closed the case. */
  closeReason?: CaseCloseReason;
  /** Why, in the analyst's words. */
  note?: string;
}

/** An investigation case as stored. */
export interface CaseRecord {
  caseId: string;
  title: string;
  description?: string;
  status: CaseStatus;
  closeReason?: CaseCloseReason;
  assignee?: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  alertIds: string[];
  /** Oldest first. */
  notes: CaseNote[];
  /** Oldest first. */
  history: CaseStatusChange[];
}
