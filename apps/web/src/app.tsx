import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { allows, forgetKey, probeRole, storedKey } from './api';
import type { Role } from './api';
import { AlertQueue } from './pages/alert-queue';
import { CasesList } from './pages/cases-list';
import { SecondFactorPage } from './pages/second-factor';
import { SignIn } from './pages/sign-in';
import { navigate, useLocation } from './router';
import { SessionContext } from './session';
import { StepUpProvider } from './step-up';

// Pages with the graph renderer (Cytoscape and dagre) or the chart library come in their own
// files, fetched the first time they are opened: signing in and the queue load much less.
const AlertPage = lazy(() =>
  import('./pages/alert-page').then((module) => ({ default: module.AlertPage })),
);
const OwnershipPage = lazy(() =>
  import('./pages/ownership-page').then((module) => ({ default: module.OwnershipPage })),
);
const CasePage = lazy(() =>
  import('./pages/case-page').then((module) => ({ default: module.CasePage })),
);
const FraudRings = lazy(() =>
  import('./pages/fraud-rings').then((module) => ({ default: module.FraudRings })),
);

interface NavItem {
  path: string;
  title: string;
  minimum: Role;
}

const NAV: NavItem[] = [
  { path: '/alerts', title: 'Alert queue', minimum: 'analyst' },
  { path: '/cases', title: 'Cases', minimum: 'viewer' },
  { path: '/ownership', title: 'Ownership', minimum: 'analyst' },
  { path: '/rings', title: 'Fraud rings', minimum: 'analyst' },
  { path: '/mfa', title: 'Second factor', minimum: 'analyst' },
];

function NavLink({ item, current }: { item: NavItem; current: boolean }): React.JSX.Element {
  return (
    <a
      href={`/app${item.path}`}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(item.path);
      }}
    >
      {item.title}
    </a>
  );
}

function Page({ path, role }: { path: string; role: Role }): React.JSX.Element {
  if (path.startsWith('/cases/')) {
    return <CasePage caseId={decodeURIComponent(path.slice('/cases/'.length))} />;
  }
  if (path.startsWith('/cases')) return <CasesList />;
  if (!allows(role, 'analyst')) {
    return (
      <section aria-labelledby="viewer-title">
        <h1 id="viewer-title">Signed in as a viewer</h1>
        <p>
          Viewers can read the graph through the API and the cases (read only), but not alerts,
          ownership or fraud rings. Ask an administrator for an analyst key to work the alert queue.
        </p>
      </section>
    );
  }
  if (path.startsWith('/alerts/')) {
    return <AlertPage alertId={decodeURIComponent(path.slice('/alerts/'.length))} />;
  }
  if (path.startsWith('/ownership')) return <OwnershipPage />;
  if (path.startsWith('/rings')) return <FraudRings />;
  if (path.startsWith('/mfa')) return <SecondFactorPage />;
  return <AlertQueue />;
}

export function App(): React.JSX.Element {
  const { path } = useLocation();
  const [role, setRole] = useState<Role | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);

  useEffect(() => {
    const key = storedKey();
    if (key === null) return;
    probeRole(key)
      .then(setRole)
      .catch(() => forgetKey())
      .finally(() => setChecking(false));
  }, []);

  const signOut = useCallback(() => {
    forgetKey();
    setRole(null);
    navigate('/');
  }, []);
  const session = useMemo(() => ({ role: role ?? 'viewer', signOut }), [role, signOut]);

  if (checking) return <p className="loading">Checking your key…</p>;
  if (role === null) return <SignIn onSignedIn={setRole} />;

  return (
    <SessionContext.Provider value={session}>
      <StepUpProvider>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="top">
          <span className="brand">Graph banking analytics</span>
          <nav aria-label="Main">
            {NAV.filter((item) => allows(role, item.minimum)).map((item) => (
              <NavLink key={item.path} item={item} current={path.startsWith(item.path)} />
            ))}
          </nav>
          <span className="who" data-testid="role">
            Role: {role}
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<p className="loading">Loading the page…</p>}>
            <Page path={path} role={role} />
          </Suspense>
        </main>
      </StepUpProvider>
    </SessionContext.Provider>
  );
}
