import { useEffect, useState } from 'react';
import { getJson, withQuery } from '../api';
import { formatTime } from '../money';
import { navigate } from '../router';
import type { CasePage } from '../types';
import { CASE_STATUSES } from './case-workflow';

const PAGE_SIZE = 50;

/** Investigation cases, filtered by status and assignee, page by page. */
export function CasesList(): React.JSX.Element {
  const [status, setStatus] = useState('');
  const [assignee, setAssignee] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<CasePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    getJson<CasePage>(
      withQuery('/cases', { status, assignee: assignee.trim(), cursor, limit: PAGE_SIZE }),
    )
      .then((answer) => {
        if (live) {
          setPage(answer);
          setError(null);
        }
      })
      .catch((caught: unknown) => {
        if (live) setError(caught instanceof Error ? caught.message : String(caught));
      });
    return () => {
      live = false;
    };
  }, [status, assignee, cursor]);

  return (
    <section aria-labelledby="cases-title">
      <h1 id="cases-title">Cases</h1>
      <form className="filters" aria-label="Filter cases" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="case-status">Status</label>
          <select
            id="case-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setCursors([undefined]);
            }}
          >
            <option value="">All</option>
            {CASE_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="case-assignee">Assignee</label>
          <input
            id="case-assignee"
            type="search"
            placeholder="user:alice"
            value={assignee}
            onChange={(e) => {
              setAssignee(e.target.value);
              setCursors([undefined]);
            }}
          />
        </div>
      </form>
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table data-testid="case-table">
        <caption>
          {page === null
            ? 'Loading cases…'
            : `${page.items.length} case${page.items.length === 1 ? '' : 's'} on page ${cursors.length}, oldest first`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Case</th>
            <th scope="col">Status</th>
            <th scope="col">Assignee</th>
            <th scope="col" className="num">
              Alerts
            </th>
            <th scope="col" className="num">
              Notes
            </th>
            <th scope="col">Last change (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {(page?.items ?? []).map((c) => (
            <tr key={c.caseId}>
              <th scope="row">
                <a
                  href={`/app/cases/${encodeURIComponent(c.caseId)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate(`/cases/${encodeURIComponent(c.caseId)}`);
                  }}
                >
                  {c.title}
                </a>
              </th>
              <td>{c.closeReason === undefined ? c.status : `${c.status} (${c.closeReason})`}</td>
              <td>{c.assignee ?? '—'}</td>
              <td className="num">{c.alertIds.length}</td>
              <td className="num">{c.noteCount}</td>
              <td>{formatTime(c.updatedAtIso)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages of cases">
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors((list) => list.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={page?.nextCursor === undefined}
          onClick={() => setCursors((list) => [...list, page?.nextCursor])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
