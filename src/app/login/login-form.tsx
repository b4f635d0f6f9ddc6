'use client';

import { useActionState, useEffect, useRef } from 'react';
import { logIn, type LoginState } from './actions';
import styles from './login.module.css';

const idle: LoginState = { status: 'idle' };

/**
 * The token form, or, given the one-time `code` of npm start's link, a form
 * that sends the code by itself once (a POST, so a link previewer that only
 * GETs the URL cannot use the code up); without JavaScript it is one click.
 */
export function LoginForm({ code, next }: { code?: string; next: string }) {
  const [state, formAction, pending] = useActionState(logIn, idle);
  const form = useRef<HTMLFormElement>(null);
  const sent = useRef(false);
  const withCode = code !== undefined && state.status === 'idle';

  useEffect(() => {
    if (withCode && !sent.current) {
      sent.current = true;
      form.current?.requestSubmit();
    }
  }, [withCode]);

  return (
    <form ref={form} action={formAction} className={styles.form} data-testid="login-form">
      <input type="hidden" name="next" value={next} />
      {state.status === 'error' && (
        <p id="login-error" className={styles.error} role="alert" data-testid="login-error">
          {state.message}
        </p>
      )}
      {withCode ? (
        <>
          <input type="hidden" name="code" value={code} />
          <p className={styles.lead}>Signing you in with the one-time link…</p>
          <button type="submit" disabled={pending} className={styles.submit}>
            Continue
          </button>
        </>
      ) : (
        <>
          <label className={styles.field}>
            <span>Token</span>
            <input
              name="token"
              type="password"
              autoComplete="current-password"
              autoFocus
              required
              spellCheck={false}
              aria-invalid={state.status === 'error' || undefined}
              aria-describedby={state.status === 'error' ? 'login-error token-help' : 'token-help'}
              data-testid="login-token"
            />
          </label>
          <button type="submit" disabled={pending} className={styles.submit} data-testid="login-submit">
            {pending ? 'Signing in…' : 'Sign in'}
          </button>
        </>
      )}
    </form>
  );
}
