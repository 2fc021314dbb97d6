import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { GraphStore } from '@app/graph-store';
import { AlertRepository } from '@app/detectors';
import type { StoredAlert } from '@app/detectors';
import { Clock, ConflictError, EntityNotFoundError } from '@app/vocabulary';
import type {
  AlertStatus,
  AlertVertex,
  CaseCloseReason,
  CaseStatus,
  Typology,
} from '@app/vocabulary';
import { ALERT_NOTE_MAX } from '../alerts/update-alert.body.dto';
import { CLOSING_ALERT_STATUSES } from '../auth/step-up.decorator';
import type { AttachmentRef, CaseRecord } from './case';
import { CaseFilter, CasePage, CaseStore } from './case-store';
import { CASE_TRANSITIONS, checkTransition, isOpenCase } from './case-workflow';

export interface NewCase {
  title: string;
  description?: string;
  assignee?: string;
  alertIds?: readonly string[];
}

/** What a PATCH changes; `assignee: null` takes the case off its assignee. */
export interface CaseChange {
  title?: string;
  assignee?: string | null;
  status?: CaseStatus;
  closeReason?: CaseCloseReason;
  note?: string;
}

export interface NewNote {
  text: string;
  attachments?: readonly AttachmentRef[];
}

/** A case with its alerts as stored (alerts no longer in the graph are left out). */
export interface CaseDetail {
  record: CaseRecord;
  alerts: StoredAlert[];
}

/** `case:<creation time, UTC, to the second>-<random>`: ids sort oldest first. */
function newCaseId(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `case:${stamp}-${randomUUID()}`;
}

/**
 * What closing a case does to its alerts: closed as a false positive or reported, the case's
 * alerts still open (open, investigating, escalated) close the same way, each with a status
 * change naming the case. Closed for no further action or as a duplicate, they stay as they are
 * (an analyst decides each one). The alerts are closed one after another while the case is
 * held (about four graph calls each): a case of hundreds of alerts takes seconds to close.
 */
export const ALERT_STATUS_WHEN_CASE_CLOSES: Readonly<
  Partial<Record<CaseCloseReason, AlertStatus>>
> = {
  'false-positive': 'closed-false-positive',
  reported: 'closed-reported',
};

function isClosedAlert(status: AlertStatus): boolean {
  return CLOSING_ALERT_STATUSES.includes(status);
}

function storedAlertOf(vertex: AlertVertex): StoredAlert {
  return { alertId: vertex.uid, ...vertex.props, typology: vertex.props.typology as Typology };
}

/**
 * A closed case is kept as it was closed: its title, assignee, notes and alerts change only after
 * it is reopened (closed -> investigating, in its status history). 409 naming the status.
 */
function checkNotClosed(record: CaseRecord, doing: string): void {
  if (isOpenCase(record.status)) return;
  throw new ConflictError(
    `Case ${record.caseId} is closed; reopen it (status investigating) before ${doing}`,
    { field: 'status', status: record.status },
  );
}

/**
 * A reported case's alerts are the ones filed with the authority, and a closed case's are kept as
 * they were: neither changes until the case is back under investigation. A reported case cannot be
 * reopened directly; it is closed (step-up) and then reopened, both moves in its status history.
 */
function checkAlertsWritable(record: CaseRecord): void {
  if (record.status === 'reported') {
    throw new ConflictError(
      `Case ${record.caseId} is reported; its alerts are the ones filed with the authority and cannot change. A reported case does not reopen directly (allowed next: ${CASE_TRANSITIONS.reported.join(', ')}): close it, then reopen it (status investigating) to change its alerts`,
      { field: 'status', status: record.status },
    );
  }
  checkNotClosed(record, 'changing its alerts');
}

/**
 * Investigation cases: alerts gathered under a title, assigned, annotated and moved through the
 * workflow of case-workflow.ts. Changes run one at a time in this process, so two requests
 * cannot put one alert into two open cases, nor lose each other's notes.
 */
@Injectable()
export class CasesService {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly cases: CaseStore,
    private readonly store: GraphStore,
    private readonly clock: Clock,
    private readonly alerts: AlertRepository,
  ) {}

  create(input: NewCase, actor: string): Promise<CaseRecord> {
    return this.exclusive(async () => {
      const alertIds = [...new Set(input.alertIds ?? [])];
      await this.checkAlerts(alertIds, undefined);
      const now = this.clock.now();
      const record: CaseRecord = {
        caseId: newCaseId(now),
        title: input.title,
        ...(input.description === undefined ? {} : { description: input.description }),
        status: 'open',
        ...(input.assignee === undefined ? {} : { assignee: input.assignee }),
        createdBy: actor,
        createdAt: now,
        updatedAt: now,
        alertIds,
        notes: [],
        history: [{ from: null, to: 'open', at: now, actor }],
      };
      await this.cases.save(record);
      return record;
    });
  }

  list(filter: CaseFilter, limit: number, cursor?: string): Promise<CasePage> {
    return this.cases.list(filter, limit, cursor);
  }

  async get(caseId: string): Promise<CaseRecord> {
    const record = await this.cases.get(caseId);
    if (record === undefined) throw new EntityNotFoundError('Case', caseId);
    return record;
  }

  /** The case with its alerts (one read for all of them). */
  async detail(caseId: string): Promise<CaseDetail> {
    const record = await this.get(caseId);
    const found = new Map(
      (await this.store.getVertices(record.alertIds))
        .filter((v): v is AlertVertex => v.label === 'Alert')
        .map((v) => [v.uid, storedAlertOf(v)] as const),
    );
    return {
      record,
      alerts: record.alertIds.flatMap((id) => found.get(id) ?? []),
    };
  }

  update(caseId: string, change: CaseChange, actor: string): Promise<CaseRecord> {
    return this.exclusive(async () => {
      const record = await this.get(caseId);
      // Reopening in the same request is allowed: the change then applies to a case under way.
      if (
        change.status === undefined &&
        (change.title !== undefined || change.assignee !== undefined)
      ) {
        checkNotClosed(record, 'changing its title or assignee');
      }
      const now = this.clock.now();
      const next: CaseRecord = { ...record, updatedAt: now };
      if (change.title !== undefined) next.title = change.title;
      if (change.assignee === null) delete next.assignee;
      else if (change.assignee !== undefined) next.assignee = change.assignee;
      if (change.status !== undefined) {
        const closeReason = checkTransition(
          caseId,
          record.status,
          change.status,
          change.closeReason,
        );
        // A reopened case takes its alerts back: none of them may be in another open case.
        if (!isOpenCase(record.status)) await this.checkAlerts(record.alertIds, caseId);
        // The alerts first: a case saved closed always has its alerts closed with it, and a
        // close that failed half-way is finished by sending it again.
        if (closeReason !== undefined && isOpenCase(record.status)) {
          await this.closeAlerts(record, closeReason, change.note, actor);
        }
        next.status = change.status;
        if (closeReason === undefined) delete next.closeReason;
        else next.closeReason = closeReason;
        next.history = [
          ...record.history,
          {
            from: record.status,
            to: change.status,
            at: now,
            actor,
            ...(closeReason === undefined ? {} : { closeReason }),
            ...(change.note === undefined ? {} : { note: change.note }),
          },
        ];
      } else if (change.closeReason !== undefined) {
        checkTransition(caseId, record.status, record.status, change.closeReason);
      }
      await this.cases.save(next);
      return next;
    });
  }

  /** See `ALERT_STATUS_WHEN_CASE_CLOSES`. */
  private async closeAlerts(
    record: CaseRecord,
    reason: CaseCloseReason,
    note: string | undefined,
    actor: string,
  ): Promise<void> {
    const to = ALERT_STATUS_WHEN_CASE_CLOSES[reason];
    if (to === undefined) return;
    // Cut to what an alert's own status note may hold (2,000 characters).
    const text =
      `Closed together with case ${record.caseId} (${reason})${note === undefined ? '' : `: ${note}`}`.slice(
        0,
        ALERT_NOTE_MAX,
      );
    const alerts = (await this.store.getVertices(record.alertIds)).filter(
      (v): v is AlertVertex => v.label === 'Alert',
    );
    for (const alert of alerts) {
      if (isClosedAlert(alert.props.status)) continue;
      try {
        await this.alerts.changeStatus(alert.uid, to, text, actor);
      } catch (error: unknown) {
        // Closed meanwhile by someone else: it keeps the status they gave it. Any other
        // refusal (a write the store lost to another) fails the close: the case stays open.
        if (!(error instanceof ConflictError)) throw error;
        const now = await this.store.getVertex(alert.uid);
        if (now?.label !== 'Alert' || !isClosedAlert(now.props.status)) throw error;
      }
    }
  }

  addAlerts(caseId: string, alertIds: readonly string[]): Promise<CaseRecord> {
    return this.exclusive(async () => {
      const record = await this.get(caseId);
      checkAlertsWritable(record);
      const added = [...new Set(alertIds)].filter((id) => !record.alertIds.includes(id));
      await this.checkAlerts(added, caseId);
      const next: CaseRecord = {
        ...record,
        alertIds: [...record.alertIds, ...added],
        updatedAt: this.clock.now(),
      };
      await this.cases.save(next);
      return next;
    });
  }

  removeAlert(caseId: string, alertId: string): Promise<CaseRecord> {
    return this.exclusive(async () => {
      const record = await this.get(caseId);
      checkAlertsWritable(record);
      if (!record.alertIds.includes(alertId)) {
        throw new EntityNotFoundError(`Alert in case ${caseId}`, alertId);
      }
      const next: CaseRecord = {
        ...record,
        alertIds: record.alertIds.filter((id) => id !== alertId),
        updatedAt: this.clock.now(),
      };
      await this.cases.save(next);
      return next;
    });
  }

  addNote(caseId: string, note: NewNote, author: string): Promise<CaseRecord> {
    return this.exclusive(async () => {
      const record = await this.get(caseId);
      checkNotClosed(record, 'adding a note');
      const now = this.clock.now();
      const next: CaseRecord = {
        ...record,
        notes: [
          ...record.notes,
          {
            noteId: randomUUID(),
            text: note.text,
            author,
            at: now,
            attachments: [...(note.attachments ?? [])],
          },
        ],
        updatedAt: now,
      };
      await this.cases.save(next);
      return next;
    });
  }

  /**
   * Every alert exists (404 naming the first unknown one) and is in no open case other than
   * `caseId` (409 naming the alert and the case).
   */
  private async checkAlerts(
    alertIds: readonly string[],
    caseId: string | undefined,
  ): Promise<void> {
    if (alertIds.length === 0) return;
    const known = new Set(
      (await this.store.getVertices(alertIds)).filter((v) => v.label === 'Alert').map((v) => v.uid),
    );
    const unknown = alertIds.find((id) => !known.has(id));
    if (unknown !== undefined) throw new EntityNotFoundError('Alert', unknown);
    const wanted = new Set(alertIds);
    const other = (await this.cases.openCasesWithAlerts(alertIds)).find((c) => c.caseId !== caseId);
    if (other !== undefined) {
      const alertId = other.alertIds.find((id) => wanted.has(id)) ?? '';
      throw new ConflictError(
        `Alert ${alertId} is already in open case ${other.caseId} ("${other.title}"); remove it there or close that case first`,
        { field: 'alertIds', alertId, caseId: other.caseId },
      );
    }
  }

  /** Runs changes one at a time, in arrival order. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
