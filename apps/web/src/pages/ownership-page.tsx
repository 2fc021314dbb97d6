import type { Core, ElementDefinition, StylesheetJson } from 'cytoscape';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { download, getBlob, getJson, withQuery } from '../api';
import { GraphView } from '../graph/graph-view';
import { graphToSvg } from '../graph/svg-export';
import { bpToPercent, formatPercent } from '../money';
import type { EntityPage, NetworkEdge, NetworkNode, UboNetwork, Vertex } from '../types';

const REGIMES = ['eu', 'uk', 'us', 'custom'];
const CONVENTIONS = ['integrated', 'simple-paths'];

const OWNERSHIP_STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-max-width': '140px',
      'font-size': 10,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      color: '#1a202c',
      'background-color': '#4a5568',
      width: 28,
      height: 28,
    },
  },
  {
    selector: 'node[type = "Company"]',
    style: { shape: 'round-rectangle', 'background-color': '#2b6cb0' },
  },
  {
    selector: 'node[role = "target"]',
    style: { 'background-color': '#1a365d', width: 40, height: 40 },
  },
  {
    selector: 'node[role = "beneficial-owner"]',
    style: { 'background-color': '#c05621', 'border-width': 4, 'border-color': '#7b341e' },
  },
  {
    selector: 'node[risky = "yes"]',
    style: { 'border-width': 4, 'border-color': '#c53030', 'border-style': 'double' },
  },
  {
    selector: 'edge',
    style: {
      label: 'data(label)',
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'line-color': '#718096',
      'target-arrow-color': '#718096',
      'font-size': 10,
      'text-background-color': '#ffffff',
      'text-background-opacity': 1,
      width: 1.5,
    },
  },
  { selector: 'edge[type = "CONTROLS"]', style: { 'line-style': 'dashed' } },
  {
    selector: 'edge[cycle = "yes"]',
    style: { 'line-color': '#c53030', 'target-arrow-color': '#c53030', width: 3 },
  },
];

const FLAG_TEXT: Record<string, string> = {
  pep: 'PEP',
  sanctioned: 'Sanctions',
  sanctions: 'Sanctions',
  shell: 'Shell',
  nominee: 'Nominee',
  'bearer-shares': 'Bearer shares',
  'secrecy-jurisdiction': 'Secrecy jurisdiction',
  'high-risk-jurisdiction': 'High-risk jurisdiction',
};

function shareText(edge: NetworkEdge): string {
  if (edge.share === null) return edge.interestType ?? edge.label.toLowerCase();
  const { minBp, maxBp } = edge.share;
  return minBp === maxBp ? bpToPercent(minBp) : `${bpToPercent(minBp)}–${bpToPercent(maxBp)}`;
}

function effectiveShare(node: NetworkNode): string {
  if (node.share === undefined) return '';
  const { minPercent, maxPercent } = node.share;
  return minPercent === maxPercent
    ? formatPercent(minPercent)
    : `${formatPercent(minPercent)}–${formatPercent(maxPercent)}`;
}

function chartElements(network: UboNetwork): ElementDefinition[] {
  const nodes = network.nodes.map((node) => ({
    data: {
      id: node.id,
      type: node.label,
      role: node.role,
      risky: node.flags.length > 0 ? 'yes' : 'no',
      label: [
        node.name ?? node.id,
        node.role === 'beneficial-owner' ? `BO ${effectiveShare(node)}` : '',
        node.flags.map((flag) => FLAG_TEXT[flag] ?? flag).join(', '),
      ]
        .filter((part) => part !== '')
        .join('\n'),
    },
  }));
  // Owners above what they own: edges point from owner to owned, dagre ranks them top-down.
  const edges = network.edges.map((edge) => ({
    data: {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      type: edge.label,
      cycle: edge.inCycle ? 'yes' : 'no',
      label: `${shareText(edge)}${edge.inCycle ? ' ↻' : ''}`,
    },
  }));
  return [...nodes, ...edges];
}

/** Companies per page of the search box; the API examines a bounded slice per request. */
const SEARCH_PAGE = 20;
/** Requests one search may make while the API's pages come back short (a sparse match). */
const SEARCH_ROUNDS = 10;

interface SearchState {
  items: Vertex[];
  nextCursor?: string;
  searching: boolean;
}

/**
 * Companies whose name has words beginning with the term's words, or whose id is the term
 * (GET /companies/search), asked for a moment after typing stops. Short pages are followed until a page's worth is found, the API says
 * there is no more, or SEARCH_ROUNDS requests were made; "More companies" asks again.
 */
function useCompanySearch(term: string): SearchState & { more: () => void; error: string | null } {
  const [state, setState] = useState<SearchState>({ items: [], searching: false });
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState<{ cursor: string; nonce: number } | null>(null);

  const run = useCallback(
    async (wanted: string, start: string | undefined, keep: Vertex[], live: () => boolean) => {
      let cursor = start;
      const found = [...keep];
      for (let round = 0; round < SEARCH_ROUNDS; round += 1) {
        const page = await getJson<EntityPage>(
          withQuery('/companies/search', { q: wanted, limit: SEARCH_PAGE, cursor }),
        );
        if (!live()) return;
        found.push(...page.items);
        cursor = page.nextCursor;
        if (cursor === undefined || found.length - keep.length >= SEARCH_PAGE) break;
      }
      setState({ items: found, nextCursor: cursor, searching: false });
      setError(null);
    },
    [],
  );

  useEffect(() => {
    const wanted = term.trim();
    setMore(null);
    if (wanted === '') {
      setState({ items: [], searching: false });
      return;
    }
    let live = true;
    setState((previous) => ({ ...previous, searching: true }));
    const timer = window.setTimeout(() => {
      run(wanted, undefined, [], () => live).catch((caught: unknown) => {
        if (!live) return;
        setState({ items: [], searching: false });
        setError(caught instanceof Error ? caught.message : String(caught));
      });
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [term, run]);

  useEffect(() => {
    if (more === null) return;
    let live = true;
    setState((previous) => ({ ...previous, searching: true }));
    run(term.trim(), more.cursor, state.items, () => live).catch((caught: unknown) => {
      if (live) setError(caught instanceof Error ? caught.message : String(caught));
    });
    return () => {
      live = false;
    };
    // Only a click on "More companies" starts this; the term and items are read as they are.
  }, [more]);

  return {
    ...state,
    error,
    more: () => {
      if (state.nextCursor !== undefined) {
        setMore((previous) => ({
          cursor: state.nextCursor as string,
          nonce: (previous?.nonce ?? 0) + 1,
        }));
      }
    },
  };
}

function companyName(vertex: Vertex): string {
  return typeof vertex.props.name === 'string' ? vertex.props.name : vertex.uid;
}

/** Ownership: find a company, draw its owners top-down, beneficial owners and risks marked. */
export function OwnershipPage(): React.JSX.Element {
  const [term, setTerm] = useState('');
  const search = useCompanySearch(term);
  const [companyId, setCompanyId] = useState<string | null>(() =>
    new URLSearchParams(window.location.search).get('company'),
  );
  const [regime, setRegime] = useState('eu');
  const [convention, setConvention] = useState('integrated');
  const [thresholdPercent, setThresholdPercent] = useState('25');
  const [network, setNetwork] = useState<UboNetwork | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cyRef = useRef<Core | null>(null);

  // The threshold applies to the custom regime only (the others fix their own).
  const rules = useMemo(
    () => ({
      regime,
      convention,
      thresholdBp:
        regime === 'custom' && Number(thresholdPercent) > 0
          ? Math.round(Number(thresholdPercent) * 100)
          : undefined,
    }),
    [regime, convention, thresholdPercent],
  );

  useEffect(() => {
    if (companyId === null) return;
    setNetwork(null);
    let live = true; // a newer choice wins over an older answer that arrives late
    getJson<UboNetwork>(withQuery(`/ubo/${encodeURIComponent(companyId)}/network`, rules))
      .then((answer) => {
        if (!live) return;
        setNetwork(answer);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (live) setError(caught instanceof Error ? caught.message : String(caught));
      });
    return () => {
      live = false;
    };
  }, [companyId, rules]);

  const matches = search.items;

  const elements = useMemo(() => (network === null ? [] : chartElements(network)), [network]);
  const onReady = useCallback((cy: Core) => {
    cyRef.current = cy;
  }, []);

  const owners = network?.nodes.filter((node) => node.role === 'beneficial-owner') ?? [];
  const cycleEdges = network?.edges.filter((edge) => edge.inCycle) ?? [];
  const risky = network?.nodes.filter((node) => node.flags.length > 0) ?? [];
  const name = network?.nodes.find((node) => node.role === 'target')?.name ?? companyId ?? '';

  const exportPng = (): void => {
    const cy = cyRef.current;
    if (cy === null) return;
    download(
      cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }),
      `ownership-${name}.png`,
    );
  };
  const exportSvg = (): void => {
    const cy = cyRef.current;
    if (cy === null) return;
    const svg = graphToSvg(cy, `Ownership chart of ${name}`);
    download(new Blob([svg], { type: 'image/svg+xml' }), `ownership-${name}.svg`);
  };
  const exportBods = async (): Promise<void> => {
    if (companyId === null) return;
    try {
      const blob = await getBlob(withQuery(`/ubo/${encodeURIComponent(companyId)}/bods`, rules));
      download(blob, `ownership-${name}.bods.json`);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  return (
    <section aria-labelledby="ownership-title">
      <h1 id="ownership-title">Ownership</h1>
      <form className="search" role="search" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="company-search">Company name or id</label>
        <input
          id="company-search"
          type="search"
          value={term}
          onChange={(event) => setTerm(event.target.value)}
          placeholder="Part of a name or id, e.g. holding"
          aria-describedby="company-search-status"
        />
        <span id="company-search-status" role="status" className="muted">
          {search.searching
            ? 'Searching…'
            : term.trim() === ''
              ? ''
              : `${matches.length} compan${matches.length === 1 ? 'y' : 'ies'} found${search.nextCursor === undefined ? '' : ' so far'}`}
        </span>
      </form>
      {search.error !== null && (
        <p role="alert" className="error">
          {search.error}
        </p>
      )}
      {matches.length > 0 && (
        <ul className="matches" aria-label="Matching companies">
          {matches.map((company) => (
            <li key={company.uid}>
              <button
                type="button"
                aria-pressed={company.uid === companyId}
                onClick={() => setCompanyId(company.uid)}
              >
                {companyName(company)} <span className="muted">({company.uid})</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {search.nextCursor !== undefined && !search.searching && (
        <button type="button" onClick={search.more}>
          More companies
        </button>
      )}
      <form
        className="options"
        aria-label="Ownership rules"
        onSubmit={(event) => event.preventDefault()}
      >
        <div className="field">
          <label htmlFor="regime">Regime</label>
          <select
            id="regime"
            name="regime"
            value={regime}
            onChange={(event) => setRegime(event.target.value)}
          >
            {REGIMES.map((r) => (
              <option key={r} value={r}>
                {r.toUpperCase()}
              </option>
            ))}
          </select>
        </div>
        {regime === 'custom' && (
          <div className="field">
            <label htmlFor="threshold">Threshold (%)</label>
            <input
              id="threshold"
              type="number"
              min="0.01"
              max="100"
              step="0.01"
              value={thresholdPercent}
              onChange={(event) => setThresholdPercent(event.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="convention">Convention</label>
          <select
            id="convention"
            name="convention"
            value={convention}
            onChange={(event) => setConvention(event.target.value)}
          >
            {CONVENTIONS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <button type="button" onClick={exportPng} disabled={network === null}>
          Export PNG
        </button>
        <button type="button" onClick={exportSvg} disabled={network === null}>
          Export SVG
        </button>
        <button type="button" onClick={() => void exportBods()} disabled={network === null}>
          Export BODS
        </button>
      </form>
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {companyId !== null && network === null && error === null && (
        <p>Loading the ownership chart…</p>
      )}
      {network !== null && (
        <>
          <h2>
            {name}{' '}
            {cycleEdges.length > 0 && (
              <span className="badge cycle" data-testid="cycle-badge">
                Circular ownership ({cycleEdges.length} links in a cycle)
              </span>
            )}
          </h2>
          <p className="hint">
            Threshold {bpToPercent(network.options.thresholdBp)} under the{' '}
            {network.options.regime.toUpperCase()} regime. Owners are drawn above what they own;
            beneficial owners in orange with their effective share; dashed links are control without
            shares; red links are part of a cycle (↻); a red double border marks a risk.
          </p>
          <GraphView
            label={`Ownership chart of ${name}: ${network.nodes.length} parties, ${owners.length} beneficial owners`}
            elements={elements}
            style={OWNERSHIP_STYLE}
            direction="TB"
            onReady={onReady}
          />
          <h3>Beneficial owners</h3>
          {owners.length === 0 ? (
            <p>No one reaches the threshold under this regime.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Effective share</th>
                  <th scope="col">Jurisdiction</th>
                  <th scope="col">Risks</th>
                </tr>
              </thead>
              <tbody>
                {owners.map((owner) => (
                  <tr key={owner.id}>
                    <th scope="row">{owner.name ?? owner.id}</th>
                    <td>{effectiveShare(owner)}</td>
                    <td>{owner.jurisdiction ?? ''}</td>
                    <td>
                      {owner.flags.map((flag) => (
                        <span key={flag} className="badge risk">
                          {FLAG_TEXT[flag] ?? flag}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {risky.length > 0 && (
            <>
              <h3>Risk indicators</h3>
              <ul>
                {risky.map((node) => (
                  <li key={node.id}>
                    {node.name ?? node.id}:{' '}
                    {node.flags.map((flag) => (
                      <span key={flag} className="badge risk">
                        {FLAG_TEXT[flag] ?? flag}
                      </span>
                    ))}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
