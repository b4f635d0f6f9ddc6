'use client';

import { startTransition, useActionState, useEffect, useRef, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { idleForm } from '../../_lib/validated-action';
import { bulkJobsAction, type BulkState } from '../jobs/actions';
import styles from '../admin.module.css';

/** A bulk button: its action, and whether it applies to the list's state tab (Cancel does not to the failed tab). */
export interface BulkButton {
  action: 'retry' | 'cancel' | 'delete';
  label: string;
  /** The states it changes, in words: "failed or cancelled". */
  appliesTo: string;
  applies: boolean;
}

const rowBox = 'input[data-bulk-row]';
const pageBox = 'input[data-bulk-page]';

/**
 * The jobs table (its children) with a bulk bar under it, for the admin role:
 * the rows' checkboxes (`form={formId}`) post with the bar's form, so ticking
 * and Retry / Cancel / Delete work before hydration too. An action first asks
 * the server for its dry-run count and shows the question; only the confirm
 * form runs it. "Select all matching this filter" asks the server how many
 * jobs the filter matches, and the actions then apply to all of them.
 */
export function BulkSelection({ formId, filter, buttons, children }: { formId: string; filter: string; buttons: BulkButton[]; children: ReactNode }) {
  const [state, formAction, busy] = useActionState<BulkState, FormData>(bulkJobsAction, idleForm);
  /** Ticked rows; null until hydrated (the CSS then opens the bar for a ticked row). */
  const [selected, setSelected] = useState<number | null>(null);
  /** The answer the person stepped away from (Back, Clear, a new tick): it hides until the next one. */
  const [dismissed, setDismissed] = useState<BulkState | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const shown = state === dismissed ? idleForm : state;
  const result = shown.status === 'ok' ? shown.data : null;
  const allMatching = result?.step === 'count' ? result : null;
  const asking = result?.step === 'ask' ? result : null;

  const rowBoxes = () => [...(root.current?.querySelectorAll<HTMLInputElement>(rowBox) ?? [])];
  const recount = () => {
    const boxes = rowBoxes();
    const ticked = boxes.filter((box) => box.checked).length;
    const page = root.current?.querySelector<HTMLInputElement>(pageBox);
    if (page) {
      page.checked = ticked > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    setSelected(ticked);
  };
  const tickAll = (checked: boolean) => {
    for (const box of rowBoxes()) box.checked = checked;
    recount();
  };

  // The server re-rendered the rows (after an action, or a live update): count what is ticked now.
  useEffect(recount, [children]);
  useEffect(() => {
    if (state.status !== 'ok') return;
    // All matching includes this page's rows; once an action ran, the selection is spent.
    if (state.data.step === 'count') tickAll(true);
    if (state.data.step === 'done') tickAll(false);
  }, [state]); // on a new answer only: tickAll reads the rows as they are then

  function onChange(event: ChangeEvent<HTMLDivElement>) {
    const target = event.target as unknown as HTMLInputElement;
    if (target.matches(pageBox)) tickAll(target.checked);
    else if (target.matches(rowBox)) recount();
    else return;
    // A new tick makes the bar about the ticked rows again: no "all matching", no question, no old answer.
    if (state.status !== 'idle') setDismissed(state);
  }

  /** Posts the bar without React's form reset, which would untick the rows the question is about. */
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => formAction(data));
  }

  const open = (selected ?? 0) > 0 || shown.status !== 'idle';
  const buttonClass = (action: BulkButton['action']) => `${styles.button} ${action === 'retry' ? '' : styles.danger}`;
  return (
    <div ref={root} className={styles.bulk} onChange={onChange} data-testid="bulk-selection">
      {children}
      <div className={styles.bulkBar} data-open={open} data-testid="bulk-bar" role="region" aria-label="Bulk actions">
        <form id={formId} action={formAction} onSubmit={submit} className={styles.actions} hidden={Boolean(asking)} data-testid="bulk-form">
          <input type="hidden" name="filter" value={filter} />
          <input type="hidden" name="scope" value={allMatching ? 'filter' : 'rows'} />
          <strong data-testid="bulk-selected" data-count={allMatching ? allMatching.total : (selected ?? undefined)} data-scope={allMatching ? 'filter' : 'rows'}>
            {allMatching ? allMatching.message : selected === null ? 'Selected jobs' : `${selected} selected`}
          </strong>
          {buttons.map((b) => (
            <button key={b.action} type="submit" name="intent" value={b.action} className={buttonClass(b.action)} disabled={busy || !b.applies}
              title={b.applies ? `Changes only the ${b.appliesTo} jobs` : `${b.label} applies to ${b.appliesTo} jobs`} data-testid={`bulk-${b.action}`}>
              {b.label}
            </button>
          ))}
          {allMatching ? (
            <button type="button" className={styles.linkButton} onClick={() => { setDismissed(state); tickAll(false); }} data-testid="bulk-clear">Clear selection</button>
          ) : (
            <button type="submit" name="intent" value="count" className={styles.linkButton} disabled={busy} data-testid="bulk-select-matching">Select all matching this filter</button>
          )}
          <span className={styles.hint} data-testid="bulk-applies">
            Each changes only the jobs it applies to: {buttons.map((b) => `${b.label.toLowerCase()} ${b.appliesTo}`).join('; ')}.
          </span>
        </form>
        {asking && (
          <form action={formAction} className={styles.actions} data-testid="bulk-confirm" data-count={asking.count} data-action={asking.action}>
            <input type="hidden" name="intent" value={asking.action} />
            <input type="hidden" name="scope" value={asking.scope} />
            <input type="hidden" name="filter" value={filter} />
            <input type="hidden" name="ids" value={asking.ids.join(' ')} />
            <input type="hidden" name="confirm" value="yes" />
            <strong role="status" data-testid="bulk-confirm-message">{asking.message}</strong>
            <button type="submit" className={buttonClass(asking.action)} disabled={busy} autoFocus data-testid="bulk-confirm-button">
              {buttons.find((b) => b.action === asking.action)?.label} {asking.count}
            </button>
            <button type="button" className={styles.linkButton} onClick={() => setDismissed(state)} data-testid="bulk-back">Back</button>
          </form>
        )}
        {shown.status === 'error' && <p className={styles.error} role="alert" data-testid="bulk-error">{shown.message}</p>}
        {result?.step === 'done' && <p className={styles.ok} role="status" data-testid="bulk-done">{result.message}</p>}
      </div>
    </div>
  );
}
