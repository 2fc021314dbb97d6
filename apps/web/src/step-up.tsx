import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, forgetStepUpToken, needsStepUp, postJson, storeStepUpToken } from './api';
import { navigate } from './router';

/**
 * Sensitive actions (reporting or closing a case, downloading a report) need a recent second
 * factor: when the API answers 403 step_up_required, a dialog asks for the 6-digit code of the
 * authenticator app, steps up (POST /mfa/step-up), keeps the token until it expires and runs the
 * action again.
 */
export interface StepUp {
  run<T>(action: () => Promise<T>): Promise<T>;
}

/** The analyst closed the dialog without a code. */
export class StepUpCancelled extends Error {
  constructor() {
    super('Cancelled: this action needs the code of your authenticator app.');
  }
}

const StepUpContext = createContext<StepUp>({ run: (action) => action() });

export function useStepUp(): StepUp {
  return useContext(StepUpContext);
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

interface StepUpAnswer {
  stepUpToken: string;
  expiresAt: string;
}

export function StepUpProvider({ children }: { children: React.ReactNode }): React.JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const pending = useRef<Pending | null>(null);
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open && dialog.current !== null && !dialog.current.open) {
      dialog.current.showModal();
      input.current?.focus();
    }
  }, [open]);

  const finish = (outcome: 'done' | 'cancelled'): void => {
    const waiting = pending.current;
    pending.current = null;
    setOpen(false);
    setCode('');
    setError(null);
    if (dialog.current?.open === true) dialog.current.close();
    if (outcome === 'done') waiting?.resolve();
    else waiting?.reject(new StepUpCancelled());
  };

  const askForCode = useCallback(
    () =>
      new Promise<void>((resolve, reject) => {
        pending.current = { resolve, reject };
        setOpen(true);
      }),
    [],
  );

  const run = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (caught) {
        if (!needsStepUp(caught)) throw caught;
        forgetStepUpToken();
        await askForCode();
        return action();
      }
    },
    [askForCode],
  );

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const answer = await postJson<StepUpAnswer>('/mfa/step-up', { code: code.trim() });
      storeStepUpToken(answer.stepUpToken, answer.expiresAt);
      finish('done');
    } catch (caught) {
      setError(
        caught instanceof ApiError
          ? `${caught.message} If you have no authenticator yet, enrol one on the Second factor page.`
          : String(caught),
      );
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const value = useMemo(() => ({ run }), [run]);

  return (
    <StepUpContext.Provider value={value}>
      {children}
      <dialog
        ref={dialog}
        aria-labelledby="step-up-title"
        aria-describedby="step-up-hint"
        onCancel={(event) => {
          event.preventDefault();
          finish('cancelled');
        }}
      >
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <h2 id="step-up-title">Confirm with your second factor</h2>
          <p id="step-up-hint">
            This action is sensitive. Enter the 6-digit code your authenticator app shows now. No
            authenticator yet?{' '}
            <a
              href="/app/mfa"
              onClick={(event) => {
                event.preventDefault();
                finish('cancelled');
                navigate('/mfa');
              }}
            >
              Enrol one on the Second factor page
            </a>
            , then try again.
          </p>
          <label htmlFor="step-up-code">Authenticator code</label>
          <input
            ref={input}
            id="step-up-code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}|[0-9a-f]{5}-[0-9a-f]{5}"
            required
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
          {error !== null && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={busy || code.trim() === ''}>
              {busy ? 'Checking…' : 'Confirm'}
            </button>
            <button type="button" onClick={() => finish('cancelled')}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </StepUpContext.Provider>
  );
}
