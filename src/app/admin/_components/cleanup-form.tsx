'use client';

import { useActionState } from 'react';
import { idleForm, type FormState } from '../../_lib/validated-action';
import { cleanupAction } from '../actions';
import styles from '../admin.module.css';

type ActionState = FormState<{ message: string }>;

/**
 * The built-in cleanup, now (it also runs hourly from its schedule): finished
 * jobs older than the ages given go, with their attempts and progress. For the
 * admin role; the action checks the role again.
 */
export function CleanupForm({ completedAfter, failedAfter }: { completedAfter: string; failedAfter: string }) {
  const [state, action, running] = useActionState<ActionState, FormData>(cleanupAction, idleForm);
  const typed = state.status === 'error' ? state.values : undefined;
  return (
    <form action={action} className={styles.inline} data-testid="cleanup-form">
      <label>
        completed older than{' '}
        <input name="completedOlderThan" className={styles.input} size={5} defaultValue={typed?.completedOlderThan ?? completedAfter} key={`c${typed?.completedOlderThan ?? ''}`} data-testid="cleanup-completed" />
      </label>
      <label>
        failed or cancelled older than{' '}
        <input name="failedOlderThan" className={styles.input} size={5} defaultValue={typed?.failedOlderThan ?? failedAfter} key={`f${typed?.failedOlderThan ?? ''}`} data-testid="cleanup-failed" />
      </label>
      <button type="submit" className={`${styles.button} ${styles.danger}`} disabled={running} data-testid="cleanup-button">Clean up now</button>
      {state.status === 'error' && <p className={styles.error} role="alert" data-testid="action-error">{state.message}</p>}
      {state.status === 'ok' && <p className={styles.outcome} role="status" data-testid="action-ok">{state.data.message}</p>}
    </form>
  );
}
