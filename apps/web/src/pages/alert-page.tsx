import type { ElementDefinition, StylesheetJson } from 'cytoscape';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { getJson } from '../api';
import { GraphView } from '../graph/graph-view';
import { formatAmount, formatTime } from '../money';
import { navigate } from '../router';
import type { AlertDetail, EntityAnswer, PartyRef } from '../types';
import { ReportButtons } from './report-buttons';

// The chart library comes in its own file, fetched when an alert is opened.
const MovementsChart = lazy(() => import('./movements-chart'));

const FLOW_STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'background-color': '#2b6cb0',
      color: '#1a202c',
      'font-size': 10,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      width: 26,
      height: 26,
    },
  },
  { selector: 'node[kind = "subject"]', style: { 'background-color': '#c53030' } },
  { selector: 'node[kind = "added"]', style: { 'background-color': '#718096' } },
  {
    selector: 'node[kind = "person"]',
    style: { shape: 'round-rectangle', 'background-color': '#805ad5' },
  },
  {
    selector: 'edge',
    style: {
      label: 'data(label)',
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'line-color': '#4a5568',
      'target-arrow-color': '#4a5568',
      'font-size': 9,
      'text-background-color': '#ffffff',
      'text-background-opacity': 1,
      width: 1.5,
    },
  },
  { selector: 'edge[kind = "added"]', style: { 'line-style': 'dashed' } },
];

function partyName(party: PartyRef | undefined, uid: string): string {
  const holder = party?.holders?.[0]?.name;
  const account = uid.split(':').pop() ?? uid;
  return holder === undefined ? account : `${account}\n${holder}`;
}

/** Accounts as nodes, the alert's movements as edges numbered in time order. */
function flowElements(alert: AlertDetail): ElementDefinition[] {
  const subjects = new Set(alert.parties.filter((p) => p.role === 'subject').map((p) => p.uid));
  const nodes = new Map<string, ElementDefinition>();
  const ordered = [...alert.movements].sort((a, b) => a.timestampIso.localeCompare(b.timestampIso));
  for (const movement of ordered) {
    for (const [uid, party] of [
      [movement.fromAccount, movement.from],
      [movement.toAccount, movement.to],
    ] as const) {
      if (!nodes.has(uid)) {
        nodes.set(uid, {
          data: {
            id: uid,
            label: partyName(party, uid),
            kind: subjects.has(uid) ? 'subject' : 'account',
          },
        });
      }
    }
  }
  const edges = ordered.map((movement, index) => ({
    data: {
      id: movement.movementId,
      source: movement.fromAccount,
      target: movement.toAccount,
      label: `#${index + 1} ${formatAmount(movement.amount, movement.currency)}`,
      kind: 'alert',
    },
  }));
  return [...nodes.values(), ...edges];
}

/** One hop around an account: its counterparties by movement and its holders. */
function hopElements(answer: EntityAnswer, known: Set<string>): ElementDefinition[] {
  const added: ElementDefinition[] = [];
  const keep = new Set(['Account', 'Person', 'Company']);
  const vertices = new Map(answer.neighbourhood.vertices.map((v) => [v.uid, v]));
  for (const edge of answer.neighbourhood.edges) {
    if (edge.label !== 'TRANSFERRED' && edge.label !== 'HOLDS') continue;
    if (known.has(edge.eid)) continue;
    for (const uid of [edge.from, edge.to]) {
      const vertex = vertices.get(uid);
      if (known.has(uid) || vertex === undefined || !keep.has(vertex.label)) continue;
      known.add(uid);
      added.push({
        data: {
          id: uid,
          label: vertex.party?.name ?? uid.split(':').pop() ?? uid,
          kind: vertex.label === 'Account' ? 'added' : 'person',
        },
      });
    }
    if (!known.has(edge.from) || !known.has(edge.to)) continue;
    known.add(edge.eid);
    added.push({
      data: {
        id: edge.eid,
        source: edge.from,
        target: edge.to,
        label:
          edge.label === 'HOLDS'
            ? 'holds'
            : edge.money === undefined
              ? ''
              : `${typeof edge.props.timestampIso === 'string' ? edge.props.timestampIso.slice(0, 10) : ''} ${formatAmount(edge.money.amount, edge.money.currency)}`,
        kind: 'added',
      },
    });
  }
  return added;
}

/** An alert: what was found, the movements in time order, and the money-flow graph. */
export function AlertPage({ alertId }: { alertId: string }): React.JSX.Element {
  const [alert, setAlert] = useState<AlertDetail | null>(null);
  const [elements, setElements] = useState<ElementDefinition[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<string[]>([]);
  const [choice, setChoice] = useState('');
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    getJson<AlertDetail>(`/alerts/${encodeURIComponent(alertId)}`)
      .then((answer) => {
        setAlert(answer);
        setElements(flowElements(answer));
      })
      .catch((caught: unknown) =>
        setError(caught instanceof Error ? caught.message : String(caught)),
      );
  }, [alertId]);

  const expand = useCallback(
    (uid: string) => {
      if (expanded.includes(uid) || uid.startsWith('person:')) return;
      getJson<EntityAnswer>(`/entities/${encodeURIComponent(uid)}?depth=1&limit=50`)
        .then((answer) => {
          setElements((current) => {
            const known = new Set(current.map((e) => String(e.data.id)));
            const added = hopElements(answer, known);
            setNote(`Expanded ${uid}: ${added.length} new nodes and links.`);
            return added.length === 0 ? current : [...current, ...added];
          });
          setExpanded((list) => [...list, uid]);
        })
        .catch((caught: unknown) =>
          setNote(caught instanceof Error ? caught.message : String(caught)),
        );
    },
    [expanded],
  );

  if (error !== null) {
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  }
  if (alert === null) return <p>Loading the alert…</p>;

  const accounts = elements
    .filter((e) => e.data.source === undefined && String(e.data.id).startsWith('account:'))
    .map((e) => String(e.data.id));

  return (
    <article aria-labelledby="alert-title">
      <p>
        <a
          href="/app/alerts"
          onClick={(event) => {
            event.preventDefault();
            navigate('/alerts');
          }}
        >
          ← Back to the queue
        </a>
      </p>
      <h1 id="alert-title">
        {alert.typology} alert{' '}
        <span className={`badge severity-${alert.severity}`}>{alert.severity}</span>
      </h1>
      <dl className="facts">
        <dt>Rule</dt>
        <dd>
          {alert.ruleId} {alert.ruleVersion}
        </dd>
        <dt>Score</dt>
        <dd>{alert.score}</dd>
        <dt>Status</dt>
        <dd>{alert.status}</dd>
        <dt>Window</dt>
        <dd>
          {formatTime(alert.windowStartIso)} to {formatTime(alert.windowEndIso)}
        </dd>
      </dl>
      <h2>Explanation</h2>
      <p className="explanation">{alert.explanation}</p>
      <ReportButtons path={`/alerts/${encodeURIComponent(alertId)}/report`} id={alertId} />

      <h2 id="flow-title">Money flow</h2>
      <p className="hint">
        Accounts are nodes (red: the alert&apos;s subjects); arrows are the movements, numbered in
        time order. Click an account, or choose it below, to add its counterparties and holders (one
        hop, dashed).
      </p>
      <form
        className="expand"
        onSubmit={(event) => {
          event.preventDefault();
          if (choice !== '') expand(choice);
        }}
      >
        <div className="field">
          <label htmlFor="account-to-expand">Account to expand</label>
          <select id="account-to-expand" value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="">Choose an account</option>
            {accounts.map((uid) => (
              <option key={uid} value={uid} disabled={expanded.includes(uid)}>
                {uid}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={choice === ''}>
          Expand one hop
        </button>
        <span role="status">{note}</span>
      </form>
      <GraphView
        label={`Money flow of the alert: ${alert.movements.length} movements between accounts`}
        elements={elements}
        style={FLOW_STYLE}
        direction="LR"
        onNodeActivate={expand}
      />

      <h2 id="over-time-title">Movements over time</h2>
      <p className="hint">
        Each point is one evidence movement at its time, with its amount in the base currency; the
        line is the running total.
      </p>
      <Suspense fallback={<p>Loading the chart…</p>}>
        <MovementsChart movements={alert.movements} />
      </Suspense>

      <h2>Evidence movements</h2>
      <table className="movements">
        <caption>{alert.movements.length} movements in time order; amounts in major units</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time (UTC)</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col" className="num">
              Base amount
            </th>
            <th scope="col">Channel</th>
          </tr>
        </thead>
        <tbody>
          {[...alert.movements]
            .sort((a, b) => a.timestampIso.localeCompare(b.timestampIso))
            .map((movement, index) => (
              <tr key={movement.movementId}>
                <td>{index + 1}</td>
                <td>{formatTime(movement.timestampIso)}</td>
                <td>{partyName(movement.from, movement.fromAccount).replace('\n', ' · ')}</td>
                <td>{partyName(movement.to, movement.toAccount).replace('\n', ' · ')}</td>
                <td className="num">{formatAmount(movement.amount, movement.currency)}</td>
                <td className="num">
                  {formatAmount(movement.base.amount, movement.base.currency)}
                </td>
                <td>{movement.channel ?? ''}</td>
              </tr>
            ))}
        </tbody>
      </table>

      <h2>History</h2>
      <ul>
        {alert.history.map((entry) => (
          <li key={`${entry.atIso}-${entry.to}`}>
            {formatTime(entry.atIso)}: {entry.from ?? 'new'} → {entry.to} by {entry.actor} (
            {entry.note})
          </li>
        ))}
      </ul>
    </article>
  );
}
