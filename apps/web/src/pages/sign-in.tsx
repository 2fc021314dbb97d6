import { useState } from 'react';
import { ApiError, probeRole, storeKey } from '../api';
import type { Role } from '../api';
import { navigate } from '../router';

/** Sign-in with an API key (the development keys are in the README). */
export function SignIn({ onSignedIn }: { onSignedIn: (role: Role) => void }): React.JSX.Element {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const role = await probeRole(key.trim());
      storeKey(key.trim());
      onSignedIn(role);
      if (window.location.pathname === '/app' || window.location.pathname === '/app/') {
        navigate('/alerts');
      }
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'This API key is not valid. Check it and try again.'
          : `Could not sign in: ${caught instanceof Error ? caught.message : String(caught)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to the analyst workbench</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-describedby={error === null ? 'api-key-hint' : 'api-key-error'}
        />
        <p id="api-key-hint" className="hint">
          The key is kept in this browser tab only (session storage) and sent in the X-API-Key
          header. On a development machine: dev-viewer-key, dev-analyst-key or dev-admin-key.
        </p>
        {error !== null && (
          <p id="api-key-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
