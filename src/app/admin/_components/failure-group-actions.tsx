'use client';

import { createContext, useActionState, useContext, useState, type ReactNode } from 'react';
import { idleForm, type FormState } from '../../_lib/validated-action';
import { discardGroupAction, retryGroupAction, type GroupActionResult } from '../failures/actions';
import styles from '../admin.module.css';

type ActionState = FormState<GroupActionResult>;
type Kind = 'retry' | 'discard';
interface Held {
  state: ActionState;
  action: (formData: FormData) => void;
  busy: boolean;
  /** True when the state is a dry run the person stepped back from (Back): its question hides until the next dry run. */
  dismissed: boolean;
  dismiss: () => void;
}

/**
 * The action states of the group buttons inside it, held above the table: the
 * refresh that comes with "Retried 12 jobs" removes an emptied group's row
 * (and its buttons), and the message must outlive it. The forms post the
 * server actions themselves, so they work before hydration too.
 */
const ActionsContext = createContext<Record<Kind, Held> | null>(null);

/** Holds the Retry all / Discard all states of the groups inside it and shows what the last run did, or its refusal. */
export function GroupOutcome({ children }: { children: ReactNode }) {
  const [retry, retryAction, retrying] = useActionState<ActionState, FormData>(retryGroupAction, idleForm);
  const [discard, discardAction, discarding] = useActionState<ActionState, FormData>(discardGroupAction, idleForm);
  const [dismissed, setDismissed] = useState<ActionState | null>(null);
  const held: Record<Kind, Held> = {
    retry: { state: retry, action: retryAction, busy: retrying, dismissed: dismissed === retry, dismiss: () => setDismissed(retry) },
    discard: { state: discard, action: discardAction, busy: discarding, dismissed: dismissed === discard, dismiss: () => setDismissed(discard) },
  };
  return (
    <ActionsContext.Provider value={held}>
      {[retry, discard].map((state, i) => (
        <Outcome key={i} state={state} />
      ))}
      {children}
    </ActionsContext.Provider>
  );
}

function Outcome({ state }: { state: ActionState }) {
  if (state.status === 'error') return <p className={styles.error} role="alert" data-testid="group-action-error">{state.message}</p>;
  if (state.status === 'ok' && !state.data.dryRun) return <p role="status" className={styles.ok} data-testid="group-action-ok">{state.data.message}</p>;
  return null;
}

/**
 * "Retry all N" and "Discard all N" for one failure group, inside a GroupOutcome;
 * shown only to the admin role (the actions check the role again). Each asks
 * the server for the count first (a dry run), states it, and runs only once confirmed.
 */
export function FailureGroupActions({ name, fingerprint, failed }: { name: string; fingerprint: string; failed: number }) {
  return (
    <div className={styles.actions} data-testid="group-actions">
      <GroupButton kind="retry" name={name} fingerprint={fingerprint} failed={failed} />
      <GroupButton kind="discard" name={name} fingerprint={fingerprint} failed={failed} />
    </div>
  );
}

function GroupButton({ kind, name, fingerprint, failed }: { kind: Kind; name: string; fingerprint: string; failed: number }) {
  const held = useContext(ActionsContext);
  if (!held) throw new Error('FailureGroupActions must be inside a GroupOutcome');
  const { state, action, busy, dismiss } = held[kind];
  const asks = (h: Held) => h.state.status === 'ok' && h.state.data.dryRun && h.state.data.name === name && h.state.data.fingerprint === fingerprint && !h.dismissed;
  const confirming = asks(held[kind]);
  // While the other action of this group asks to confirm, this one steps aside: one question at a time.
  if (!confirming && asks(held[kind === 'retry' ? 'discard' : 'retry'])) return null;
  const buttonClass = `${styles.button} ${kind === 'discard' ? styles.danger : ''}`;
  const hidden = (
    <>
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="fingerprint" value={fingerprint} />
    </>
  );
  if (confirming && state.status === 'ok') {
    return (
      <form action={action} className={styles.actions} data-testid={`${kind}-group-confirm`} data-count={state.data.count}>
        {hidden}
        <input type="hidden" name="confirm" value="yes" />
        <span role="status" data-testid="confirm-message">{state.data.message}</span>
        <button type="submit" className={buttonClass} disabled={busy || state.data.count === 0} data-testid={`${kind}-group-confirm-button`}>
          {kind === 'retry' ? `Retry ${state.data.count}` : `Delete ${state.data.count}`}
        </button>
        <button type="button" className={styles.linkButton} onClick={dismiss} data-testid={`${kind}-group-back`}>Back</button>
      </form>
    );
  }
  return (
    <form action={action} data-testid={`${kind}-group-form`}>
      {hidden}
      <button type="submit" className={buttonClass} disabled={busy} data-testid={`${kind}-group-button`}>
        {kind === 'retry' ? 'Retry all' : 'Discard all'} {failed}
      </button>
    </form>
  );
}
