'use client';

import { useActionState } from 'react';
import { idleForm, type FormState } from '../../_lib/validated-action';
import { cancelJobAction, retryJobAction } from '../actions';
import styles from '../admin.module.css';

type ActionState = FormState<{ message: string }>;

/** Retry and Cancel for one job; shown only to the admin role (the actions check the role again themselves). */
export function JobActions({ id, canRetry, canCancel }: { id: string; canRetry: boolean; canCancel: boolean }) {
  const [retry, retryAction, retrying] = useActionState<ActionState, FormData>(retryJobAction, idleForm);
  const [cancel, cancelAction, cancelling] = useActionState<ActionState, FormData>(cancelJobAction, idleForm);
  return (
    <div className={styles.actions} data-testid="job-actions">
      {canRetry && (
        <form action={retryAction} data-testid="retry-form">
          <input type="hidden" name="id" value={id} />
          <button type="submit" className={styles.button} disabled={retrying} data-testid="retry-button">Retry</button>
        </form>
      )}
      {canCancel && (
        <form action={cancelAction} data-testid="cancel-form">
          <input type="hidden" name="id" value={id} />
          <button type="submit" className={`${styles.button} ${styles.danger}`} disabled={cancelling} data-testid="cancel-button">Cancel</button>
        </form>
      )}
      <ActionOutcome state={retry} />
      <ActionOutcome state={cancel} />
    </div>
  );
}

/** What an action answered: its refusal (forbidden, conflict) or what it did. */
function ActionOutcome({ state }: { state: ActionState }) {
  if (state.status === 'error') return <p className={styles.error} role="alert" data-testid="action-error">{state.message}</p>;
  if (state.status === 'ok') return <p role="status" data-testid="action-ok">{state.data.message}</p>;
  return null;
}
