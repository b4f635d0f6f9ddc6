'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { shortJobId } from '@/core/ids';
import { idleForm, type FormState } from '../../_lib/validated-action';
import { addScheduleAction, removeScheduleAction, runScheduleAction, setScheduleEnabledAction } from '../schedules/actions';
import styles from '../admin.module.css';

type RowState = FormState<{ message: string; jobId: string | null }>;

/** Enable/Disable, Run now and (for an operator's schedule) Remove; shown only to the admin role (the actions check the role again). */
export function ScheduleControls({ name, enabled, removable }: { name: string; enabled: boolean; removable: boolean }) {
  const [toggle, toggleAction, toggling] = useActionState<RowState, FormData>(setScheduleEnabledAction, idleForm);
  const [run, runAction, running] = useActionState<RowState, FormData>(runScheduleAction, idleForm);
  const [remove, removeAction, removing] = useActionState<RowState, FormData>(removeScheduleAction, idleForm);
  return (
    <div data-testid="schedule-controls">
      <div className={styles.rowActions}>
        <form action={toggleAction}>
          <input type="hidden" name="name" value={name} />
          <input type="hidden" name="enabled" value={enabled ? 'false' : 'true'} />
          <button type="submit" className={styles.button} disabled={toggling} data-testid={enabled ? 'disable-button' : 'enable-button'}>
            {enabled ? 'Disable' : 'Enable'}
          </button>
        </form>
        <form action={runAction}>
          <input type="hidden" name="name" value={name} />
          <button type="submit" className={styles.button} disabled={running} data-testid="run-button">Run now</button>
        </form>
        {removable && (
          <form action={removeAction}>
            <input type="hidden" name="name" value={name} />
            <button type="submit" className={`${styles.button} ${styles.danger}`} disabled={removing} data-testid="remove-button">Remove</button>
          </form>
        )}
      </div>
      <Outcome state={toggle} />
      <Outcome state={run} />
      <Outcome state={remove} />
    </div>
  );
}

function Outcome({ state }: { state: RowState }) {
  if (state.status === 'error') return <p className={`${styles.error} ${styles.outcome}`} role="alert" data-testid="action-error">{state.message}</p>;
  if (state.status === 'ok') {
    return (
      <p role="status" className={styles.outcome} data-testid="action-ok">
        {state.data.message}
        {state.data.jobId && <> <Link href={`/admin/jobs/${state.data.jobId}`} className={styles.mono} title={state.data.jobId} data-testid="run-job-link">{shortJobId(state.data.jobId)}</Link></>}
      </p>
    );
  }
  return null;
}

type AddState = FormState<{ message: string; name: string }>;

/** The form that adds an operator's schedule; a refusal (bad cron, timezone, params) shows its message and keeps what was typed. */
export function AddScheduleForm({ jobNames }: { jobNames: string[] }) {
  const [state, action, adding] = useActionState<AddState, FormData>(addScheduleAction, idleForm);
  const values = state.status === 'error' ? state.values : {};
  // A new key after each success empties the form; after an error it keeps what was typed.
  const key = state.status === 'ok' ? `ok-${state.data.name}` : 'form';
  return (
    <form action={action} className={styles.form} key={key} data-testid="add-schedule-form">
      <label>Name <input name="name" required maxLength={100} defaultValue={values.name} data-testid="add-name" placeholder="nightly-report" /></label>
      <label>Job
        <input name="job" required list="schedule-job-names" defaultValue={values.job} data-testid="add-job" placeholder={jobNames[0]} />
        <datalist id="schedule-job-names">{jobNames.map((n) => <option key={n} value={n} />)}</datalist>
      </label>
      <label>Cron <input name="cron" required defaultValue={values.cron} data-testid="add-cron" placeholder="0 2 * * *" className={styles.mono} /></label>
      <label>Timezone <input name="timezone" defaultValue={values.timezone ?? 'UTC'} data-testid="add-timezone" placeholder="UTC" /></label>
      <label className={styles.wide}>Params (JSON)
        <textarea name="params" rows={3} defaultValue={values.params ?? '{}'} data-testid="add-params" className={styles.mono} />
      </label>
      <div>
        <button type="submit" className={styles.button} disabled={adding} data-testid="add-submit">Add schedule</button>
      </div>
      {state.status === 'error' && <p className={`${styles.error} ${styles.wide}`} role="alert" data-testid="add-error">{state.message}</p>}
      {state.status === 'ok' && <p role="status" className={styles.wide} data-testid="add-ok">{state.data.message}</p>}
    </form>
  );
}
