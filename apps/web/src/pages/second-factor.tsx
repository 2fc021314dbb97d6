import { useState } from 'react';
import { ApiError, postJson } from '../api';

interface Enrolment {
  secret: string;
  otpauthUri: string;
  backupCodes: string[];
}

/**
 * Enrolment of an authenticator app (POST /mfa/totp/enrol, then /mfa/totp/confirm): the secret
 * and its otpauth URI are shown as text, to type or paste into the app.
 */
export function SecondFactorPage(): React.JSX.Element {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const enrol = async (): Promise<void> => {
    setError(null);
    setMessage(null);
    try {
      setEnrolment(await postJson<Enrolment>('/mfa/totp/enrol', {}));
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 409
          ? 'An authenticator is already confirmed for this key: use its codes when asked.'
          : `Could not start the enrolment: ${caught instanceof Error ? caught.message : String(caught)}`,
      );
    }
  };

  const confirm = async (): Promise<void> => {
    setError(null);
    try {
      await postJson('/mfa/totp/confirm', { code: code.trim() });
      setMessage('Your authenticator is confirmed. Sensitive actions will ask for its code.');
      setEnrolment(null);
      setCode('');
    } catch (caught) {
      setError(`The code was not accepted: ${caught instanceof Error ? caught.message : ''}`);
    }
  };

  return (
    <section aria-labelledby="mfa-title">
      <h1 id="mfa-title">Second factor</h1>
      <p>
        Reporting or closing a case and downloading reports need a recent second factor: the 6-digit
        code of an authenticator app (any app for time-based one-time passwords). Enrol the app
        once; afterwards the workbench asks for a code when an action needs one.
      </p>
      {enrolment === null ? (
        <button type="button" onClick={() => void enrol()}>
          Enrol an authenticator app
        </button>
      ) : (
        <>
          <h2>1. Add this secret to your authenticator app</h2>
          <dl className="facts">
            <dt>Secret</dt>
            <dd>
              <code data-testid="totp-secret">{enrolment.secret}</code>
            </dd>
            <dt>otpauth URI</dt>
            <dd>
              <code data-testid="totp-uri" className="wrap">
                {enrolment.otpauthUri}
              </code>
            </dd>
            <dt>Backup codes</dt>
            <dd>
              Keep them somewhere safe; each works once when the app is lost:{' '}
              <code>{enrolment.backupCodes.join(' ')}</code>
            </dd>
          </dl>
          <h2>2. Confirm with the code the app shows</h2>
          <form
            className="options"
            onSubmit={(event) => {
              event.preventDefault();
              void confirm();
            }}
          >
            <div className="field">
              <label htmlFor="confirm-code">Code from the app</label>
              <input
                id="confirm-code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                required
                value={code}
                onChange={(event) => setCode(event.target.value)}
              />
            </div>
            <button type="submit" disabled={code.trim() === ''}>
              Confirm the authenticator
            </button>
          </form>
        </>
      )}
      {message !== null && <p role="status">{message}</p>}
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
