import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { allows, getJson, postJson, withQuery } from '../api';
import { navigate } from '../router';
import { useSession } from '../session';
import type { AlertPage, AlertSummary, CaseDetail } from '../types';

const TYPOLOGIES = [
  'fan-out',
  'fan-in',
  'cycle',
  'scatter-gather',
  'gather-scatter',
  'bipartite',
  'stack',
  'random',
  'structuring',
  'pass-through',
  'dormant-reactivation',
  'round-amounts',
  'high-risk-jurisdiction',
  'velocity-spike',
  'fraud-ring',
  'account-takeover',
  'mule-chain',
  'card-velocity',
  'impossible-travel',
];
const STATUSES = ['open', 'investigating', 'escalated', 'closed-false-positive', 'closed-reported'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const PAGE_SIZES = [10, 25, 50, 100];

/** What the API sorts the whole queue by (GET /alerts?sort=&direction=); '' is alert id order. */
type SortKey = '' | 'score' | 'raisedAt' | 'risk';
type Direction = 'asc' | 'desc';

interface ScanJob {
  jobId: string;
  status: string;
}

/**
 * A column header that sorts the whole queue on the server (every page, not just this one):
 * the first click sorts highest or newest first, the next one flips the direction.
 */
function SortHeader({
  title,
  column,
  sort,
  direction,
  onSort,
}: {
  title: string;
  column: Exclude<SortKey, ''>;
  sort: SortKey;
  direction: Direction;
  onSort: (column: Exclude<SortKey, ''>, direction: Direction) => void;
}): React.JSX.Element {
  const active = sort === column;
  const next: Direction = active && direction === 'desc' ? 'asc' : 'desc';
  return (
    <th
      scope="col"
      aria-sort={active ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className="sort"
        data-testid={`sort-${column}`}
        onClick={() => onSort(column, next)}
        title={`Sort the whole queue by ${title.toLowerCase()}, ${next === 'desc' ? 'highest first' : 'lowest first'}`}
      >
        {title}
        <span aria-hidden="true">{active ? (direction === 'desc' ? ' ▼' : ' ▲') : ' ↕'}</span>
      </button>
    </th>
  );
}

/**
 * The learned model's score of an alert, with the model version and its reasons on hover;
 * a dash when no model scored the alert.
 */
function RiskCell({ risk }: { risk: AlertSummary['risk'] }): React.JSX.Element {
  if (risk === undefined || risk === null)
    return (
      <td data-risk="" title="No risk model scored this alert">
        –
      </td>
    );
  const reasons = risk.reasons.map((r) => r.text).join('; ');
  return (
    <td
      data-risk={risk.score}
      title={`Model ${risk.modelVersion}, threshold ${risk.threshold.toFixed(2)}${reasons === '' ? '' : `: ${reasons}`}`}
    >
      {risk.score.toFixed(3)}
    </td>
  );
}

/** The admin's "scan for alerts" form: starts a scan job and follows it to its end. */
function ScanControl({ onFinished }: { onFinished: () => void }): React.JSX.Element {
  const [from, setFrom] = useState('2024-01-01');
  const [to, setTo] = useState('2025-12-31');
  const [message, setMessage] = useState<string | null>(null);

  const start = async (): Promise<void> => {
    setMessage('Scan started…');
    try {
      const job = await postJson<ScanJob>('/alerts/scan', {
        from: `${from}T00:00:00Z`,
        to: `${to}T23:59:59Z`,
      });
      let current = job;
      while (current.status === 'queued' || current.status === 'running') {
        await new Promise((resolve) => window.setTimeout(resolve, 1000));
        current = await getJson<ScanJob>(`/alerts/scan/${encodeURIComponent(job.jobId)}`);
      }
      setMessage(`Scan ${current.status}.`);
      onFinished();
    } catch (error) {
      setMessage(`The scan could not run: ${error instanceof Error ? error.message : ''}`);
    }
  };

  return (
    <form
      className="scan"
      aria-label="Scan for alerts"
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      <div className="field">
        <label htmlFor="scan-from">From</label>
        <input
          id="scan-from"
          type="date"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          required
        />
      </div>
      <div className="field">
        <label htmlFor="scan-to">To</label>
        <input
          id="scan-to"
          type="date"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          required
        />
      </div>
      <button type="submit">Scan for alerts</button>
      <span role="status">{message}</span>
    </form>
  );
}

/** What to do with the selected alerts: give them to someone, or open a case with them. */
function SelectionActions({
  selected,
  onAssigned,
}: {
  selected: string[];
  onAssigned: () => void;
}): React.JSX.Element {
  const [assignee, setAssignee] = useState('');
  const [title, setTitle] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const none = selected.length === 0;

  const assign = async (): Promise<void> => {
    try {
      const done = await postJson<AlertSummary[]>('/alerts/assign', {
        alertIds: selected,
        assignee: assignee.trim(),
      });
      setMessage(
        `${done.length} alert${done.length === 1 ? '' : 's'} ${assignee.trim() === '' ? 'unassigned' : `assigned to ${assignee.trim()}`}.`,
      );
      onAssigned();
    } catch (caught) {
      setMessage(`Could not assign: ${caught instanceof Error ? caught.message : ''}`);
    }
  };

  const newCase = async (): Promise<void> => {
    try {
      const created = await postJson<CaseDetail>('/cases', {
        title:
          title.trim() || `Case of ${selected.length} alert${selected.length === 1 ? '' : 's'}`,
        alertIds: selected,
      });
      navigate(`/cases/${encodeURIComponent(created.caseId)}`);
    } catch (caught) {
      setMessage(`Could not open a case: ${caught instanceof Error ? caught.message : ''}`);
    }
  };

  return (
    <form
      className="options selection"
      aria-label="Selected alerts"
      onSubmit={(event) => event.preventDefault()}
    >
      <span data-testid="selected-count">{selected.length} selected</span>
      <div className="field">
        <label htmlFor="bulk-assignee">Assign to…</label>
        <input
          id="bulk-assignee"
          placeholder="user:alice (empty: nobody)"
          value={assignee}
          onChange={(e) => setAssignee(e.target.value)}
        />
      </div>
      <button type="button" disabled={none} onClick={() => void assign()}>
        Assign selected
      </button>
      <div className="field">
        <label htmlFor="new-case-title">Case title</label>
        <input
          id="new-case-title"
          placeholder="Cash structuring around account 3080006234"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </div>
      <button type="button" disabled={none} onClick={() => void newCase()}>
        New case from selected
      </button>
      <span role="status">{message}</span>
    </form>
  );
}

/** The alert queue: filters, sorting, cursor paging, one row per alert. */
export function AlertQueue(): React.JSX.Element {
  const { role } = useSession();
  const [typology, setTypology] = useState('');
  const [status, setStatus] = useState('');
  const [severity, setSeverity] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [account, setAccount] = useState('');
  const [sort, setSort] = useState<SortKey>('score');
  const [direction, setDirection] = useState<Direction>('desc');
  const [pageSize, setPageSize] = useState(50);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<AlertPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const table = useRef<HTMLTableElement>(null);
  const started = useRef(performance.now());
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    started.current = performance.now();
    const query = {
      typology,
      status,
      account: account.trim(),
      from: from === '' ? undefined : `${from}T00:00:00Z`,
      to: to === '' ? undefined : `${to}T23:59:59Z`,
      severity,
      sort: sort === '' ? undefined : sort,
      direction: sort === '' ? undefined : direction,
      cursor,
      limit: pageSize,
    };
    getJson<AlertPage>(withQuery('/alerts', query))
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
  }, [typology, status, severity, account, from, to, sort, direction, pageSize, cursor, reload]);

  const rows = useMemo(() => page?.items ?? [], [page]);
  const sortBy = (column: Exclude<SortKey, ''>, next: Direction): void => {
    setSort(column);
    setDirection(next);
    resetPaging();
  };

  useEffect(() => {
    if (page !== null && table.current !== null) {
      table.current.dataset.renderMs = (performance.now() - started.current).toFixed(1);
    }
  }, [page, rows]);

  const resetPaging = (): void => setCursors([undefined]);
  const refresh = useCallback(() => {
    setCursors([undefined]);
    setReload((n) => n + 1);
  }, []);

  const onRowKey = (event: React.KeyboardEvent<HTMLTableSectionElement>): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = Array.from(event.currentTarget.querySelectorAll<HTMLAnchorElement>('a'));
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = links[at + (event.key === 'ArrowDown' ? 1 : -1)];
    if (next !== undefined) {
      event.preventDefault();
      next.focus();
    }
  };

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Alert queue</h1>
      {allows(role, 'admin') && <ScanControl onFinished={refresh} />}
      <form className="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="typology">Typology</label>
          <select
            id="typology"
            name="typology"
            value={typology}
            onChange={(e) => {
              setTypology(e.target.value);
              resetPaging();
            }}
          >
            <option value="">All</option>
            {TYPOLOGIES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="status">Status</label>
          <select
            id="status"
            name="status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              resetPaging();
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="active-from">Active from</label>
          <input
            id="active-from"
            type="date"
            value={from}
            onChange={(e) => {
              setFrom(e.target.value);
              resetPaging();
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="active-to">Active until</label>
          <input
            id="active-to"
            type="date"
            value={to}
            onChange={(e) => {
              setTo(e.target.value);
              resetPaging();
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="account">Account or party id</label>
          <input
            id="account"
            type="search"
            value={account}
            placeholder="account:SYNB:…"
            onChange={(e) => {
              setAccount(e.target.value);
              resetPaging();
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="severity">Severity</label>
          <select
            id="severity"
            name="severity"
            value={severity}
            onChange={(e) => {
              setSeverity(e.target.value);
              resetPaging();
            }}
          >
            <option value="">All</option>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sort-by">Sort the whole queue by</label>
          <select
            id="sort-by"
            name="sort"
            value={sort === '' ? '' : `${sort}:${direction}`}
            onChange={(e) => {
              const [column, order] = e.target.value.split(':');
              setSort((column ?? '') as SortKey);
              setDirection(order === 'asc' ? 'asc' : 'desc');
              resetPaging();
            }}
          >
            <option value="score:desc">Score (highest first)</option>
            <option value="score:asc">Score (lowest first)</option>
            <option value="raisedAt:desc">Raised (newest first)</option>
            <option value="raisedAt:asc">Raised (oldest first)</option>
            <option value="risk:desc">Model risk (highest first, unscored last)</option>
            <option value="risk:asc">Model risk (lowest first, unscored last)</option>
            <option value="">Alert id</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="page-size">Alerts per page</label>
          <select
            id="page-size"
            name="limit"
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number(e.target.value));
              resetPaging();
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </form>
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <SelectionActions
        selected={selected}
        onAssigned={() => {
          setSelected([]);
          setReload((n) => n + 1);
        }}
      />
      <table ref={table} className="queue" data-testid="alert-table">
        <caption>
          {page === null
            ? 'Loading alerts…'
            : `${rows.length} alert${rows.length === 1 ? '' : 's'} on page ${cursors.length}. Use the arrow keys to move between alerts, Enter to open one.`}
        </caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Select</span>
            </th>
            <th scope="col">Alert</th>
            <th scope="col">Typology</th>
            <th scope="col">Severity</th>
            <SortHeader
              title="Score"
              column="score"
              sort={sort}
              direction={direction}
              onSort={sortBy}
            />
            <SortHeader
              title="Risk"
              column="risk"
              sort={sort}
              direction={direction}
              onSort={sortBy}
            />
            <th scope="col">Status</th>
            <SortHeader
              title="Raised (UTC)"
              column="raisedAt"
              sort={sort}
              direction={direction}
              onSort={sortBy}
            />
            <th scope="col">Window (UTC)</th>
          </tr>
        </thead>
        <tbody onKeyDown={onRowKey}>
          {rows.map((alert) => (
            <tr key={alert.alertId} data-typology={alert.typology} data-alert-id={alert.alertId}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select alert ${alert.ruleId} ${alert.alertId.slice(-8)}`}
                  checked={selected.includes(alert.alertId)}
                  onChange={(event) => {
                    const checked = event.target.checked;
                    setSelected((list) =>
                      checked
                        ? [...list, alert.alertId]
                        : list.filter((id) => id !== alert.alertId),
                    );
                  }}
                />
              </td>
              <th scope="row">
                <a
                  href={`/app/alerts/${encodeURIComponent(alert.alertId)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate(`/alerts/${encodeURIComponent(alert.alertId)}`);
                  }}
                >
                  {alert.ruleId} · {alert.alertId.slice(-8)}
                </a>
              </th>
              <td>{alert.typology}</td>
              <td>
                <span className={`badge severity-${alert.severity}`}>{alert.severity}</span>
              </td>
              <td>{alert.score.toFixed(3)}</td>
              <RiskCell risk={alert.risk} />
              <td>{alert.status}</td>
              <td>{alert.createdAtIso.slice(0, 16).replace('T', ' ')}</td>
              <td>
                {alert.windowStartIso.slice(0, 16).replace('T', ' ')} –{' '}
                {alert.windowEndIso.slice(0, 16).replace('T', ' ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages of alerts">
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
