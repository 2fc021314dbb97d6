import { useCallback, useEffect, useState } from 'react';
import { allows, getJson, patchJson, postJson } from '../api';
import { formatTime } from '../money';
import { navigate } from '../router';
import { useSession } from '../session';
import { useStepUp } from '../step-up';
import type { AttachmentRef, CaseDetail } from '../types';
import { CASE_CLOSE_REASONS, moveLabel, nextStatuses } from './case-workflow';
import { ReportButtons } from './report-buttons';

function casePath(caseId: string): string {
  return `/cases/${encodeURIComponent(caseId)}`;
}

function errorText(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}

/** Status buttons: only the moves allowed next; closing asks for a reason. */
function Workflow({
  current,
  onMove,
}: {
  current: CaseDetail;
  onMove: (status: string, closeReason?: string, note?: string) => Promise<void>;
}): React.JSX.Element {
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const moves = nextStatuses(current.status);
  return (
    <form
      className="options workflow"
      aria-labelledby="workflow-title"
      onSubmit={(event) => event.preventDefault()}
    >
      <h2 id="workflow-title">Workflow</h2>
      <div className="field">
        <label htmlFor="move-note">Why (optional, kept in the history)</label>
        <input id="move-note" value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      {moves
        .filter((to) => to !== 'closed')
        .map((to) => (
          <button
            key={to}
            type="button"
            onClick={() => void onMove(to, undefined, note.trim() || undefined)}
          >
            {moveLabel(current.status, to)}
          </button>
        ))}
      {moves.includes('closed') && (
        <>
          <div className="field">
            <label htmlFor="close-reason">Close reason</label>
            <select id="close-reason" value={reason} onChange={(e) => setReason(e.target.value)}>
              <option value="">Choose a reason</option>
              {CASE_CLOSE_REASONS.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </div>
          <button
            type="button"
            disabled={reason === ''}
            onClick={() => void onMove('closed', reason, note.trim() || undefined)}
          >
            Close case
          </button>
        </>
      )}
    </form>
  );
}

/** Adds a note, with one optional attachment reference (a URI or a reference elsewhere). */
function NoteForm({
  onAdd,
}: {
  onAdd: (text: string, ref?: AttachmentRef) => Promise<boolean>;
}): React.JSX.Element {
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [where, setWhere] = useState('');
  const submit = async (): Promise<void> => {
    const place = where.trim();
    const ref: AttachmentRef | undefined =
      name.trim() === ''
        ? undefined
        : {
            name: name.trim(),
            ...(/^[a-z][a-z0-9+.-]*:/i.test(place) ? { uri: place } : { reference: place }),
          };
    if (await onAdd(text.trim(), ref)) {
      setText('');
      setName('');
      setWhere('');
    }
  };
  return (
    <form
      className="note-form"
      aria-label="Add a note"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="note-text">Note</label>
      <textarea
        id="note-text"
        rows={3}
        required
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="options">
        <div className="field">
          <label htmlFor="attachment-name">Attachment name (optional)</label>
          <input
            id="attachment-name"
            placeholder="invoice-2024-117.pdf"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="attachment-where">Attachment URI or reference</label>
          <input
            id="attachment-where"
            placeholder="https://dms.example.org/docs/117 or TICKET-42"
            required={name.trim() !== ''}
            value={where}
            onChange={(e) => setWhere(e.target.value)}
          />
        </div>
      </div>
      <button type="submit" disabled={text.trim() === ''}>
        Add note
      </button>
    </form>
  );
}

/** One case: alerts, notes, workflow, assignment and reports. Viewers read only. */
export function CasePage({ caseId }: { caseId: string }): React.JSX.Element {
  const { role } = useSession();
  const stepUp = useStepUp();
  const canChange = allows(role, 'analyst');
  const [current, setCurrent] = useState<CaseDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [assignee, setAssignee] = useState('');

  useEffect(() => {
    getJson<CaseDetail>(casePath(caseId))
      .then((answer) => {
        setCurrent(answer);
        setAssignee(answer.assignee ?? '');
      })
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [caseId]);

  const change = useCallback(
    async (action: () => Promise<CaseDetail>, done: string): Promise<boolean> => {
      setMessage(null);
      try {
        const answer = await stepUp.run(action);
        setCurrent(answer);
        setAssignee(answer.assignee ?? '');
        setMessage(done);
        return true;
      } catch (caught) {
        setMessage(errorText(caught));
        return false;
      }
    },
    [stepUp],
  );

  if (error !== null) {
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  }
  if (current === null) return <p>Loading the case…</p>;
  // A closed case takes no assignment or note until it is reopened (the API answers 409).
  const open = current.status !== 'closed';

  const move = async (status: string, closeReason?: string, note?: string): Promise<void> => {
    await change(
      () => patchJson<CaseDetail>(casePath(caseId), { status, closeReason, note }),
      `The case is now ${status}.`,
    );
  };

  return (
    <article aria-labelledby="case-title">
      <p>
        <a
          href="/app/cases"
          onClick={(event) => {
            event.preventDefault();
            navigate('/cases');
          }}
        >
          ← All cases
        </a>
      </p>
      <h1 id="case-title">{current.title}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="case-status">
          {current.status}
          {current.closeReason === undefined ? '' : ` (${current.closeReason})`}
        </dd>
        <dt>Assignee</dt>
        <dd>{current.assignee ?? 'nobody'}</dd>
        <dt>Opened</dt>
        <dd>
          {formatTime(current.createdAtIso)} by {current.createdBy}
        </dd>
        {current.description !== undefined && (
          <>
            <dt>Description</dt>
            <dd>{current.description}</dd>
          </>
        )}
      </dl>
      <p role="status" className="muted">
        {message}
      </p>

      {canChange && (
        <>
          <Workflow current={current} onMove={move} />
          {open && (
            <form
              className="options"
              aria-label="Assignment"
              onSubmit={(event) => {
                event.preventDefault();
                void change(
                  () => patchJson<CaseDetail>(casePath(caseId), { assignee: assignee.trim() }),
                  assignee.trim() === ''
                    ? 'Nobody is assigned now.'
                    : `Assigned to ${assignee.trim()}.`,
                );
              }}
            >
              <div className="field">
                <label htmlFor="case-assign">Assignee (empty: nobody)</label>
                <input
                  id="case-assign"
                  placeholder="user:alice"
                  value={assignee}
                  onChange={(e) => setAssignee(e.target.value)}
                />
              </div>
              <button type="submit">Save assignment</button>
            </form>
          )}
          <h2>Report</h2>
          <ReportButtons path={`${casePath(caseId)}/report`} id={caseId} />
        </>
      )}

      <h2>Alerts</h2>
      {current.alerts.length === 0 && current.alertIds.length > 0 ? (
        // A viewer gets the ids only: alert contents need the analyst role.
        <>
          <p className="muted">
            {current.alertIds.length} alert(s); their contents need the analyst role.
          </p>
          <ul data-testid="case-alert-ids">
            {current.alertIds.map((alertId) => (
              <li key={alertId}>
                <code>{alertId}</code>
              </li>
            ))}
          </ul>
        </>
      ) : current.alerts.length === 0 ? (
        <p className="muted">No alerts in this case.</p>
      ) : (
        <ul data-testid="case-alerts">
          {current.alerts.map((alert) => (
            <li key={alert.alertId}>
              {canChange ? (
                <a
                  href={`/app/alerts/${encodeURIComponent(alert.alertId)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate(`/alerts/${encodeURIComponent(alert.alertId)}`);
                  }}
                >
                  {alert.ruleId} · {alert.alertId.slice(-8)}
                </a>
              ) : (
                <span>
                  {alert.ruleId} · {alert.alertId.slice(-8)}
                </span>
              )}{' '}
              <span className={`badge severity-${alert.severity}`}>{alert.severity}</span>{' '}
              {alert.explanation}
            </li>
          ))}
        </ul>
      )}

      <h2>Notes</h2>
      {current.notes.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ol className="notes" data-testid="case-notes">
          {current.notes.map((note) => (
            <li key={note.noteId}>
              <p className="muted">
                {formatTime(note.atIso)} by {note.author}
              </p>
              <p className="note-text">{note.text}</p>
              {note.attachments.length > 0 && (
                <ul aria-label="Attachments">
                  {note.attachments.map((a) => (
                    <li key={`${a.name}-${a.uri ?? a.reference ?? ''}`}>
                      {a.name}: {a.uri ?? a.reference}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
      {canChange && open && (
        <NoteForm
          onAdd={(text, ref) =>
            change(
              () =>
                postJson<CaseDetail>(`${casePath(caseId)}/notes`, {
                  text,
                  ...(ref === undefined ? {} : { attachments: [ref] }),
                }),
              'Note added.',
            )
          }
        />
      )}

      <h2>Status history</h2>
      <ol>
        {current.history.map((entry) => (
          <li key={`${entry.atIso}-${entry.to}`}>
            {formatTime(entry.atIso)}: {entry.from ?? 'new'} → {entry.to}
            {entry.closeReason === undefined ? '' : ` (${entry.closeReason})`} by {entry.actor}
            {entry.note === undefined ? '' : ` — ${entry.note}`}
          </li>
        ))}
      </ol>
    </article>
  );
}
