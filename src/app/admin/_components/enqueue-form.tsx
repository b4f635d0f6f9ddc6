'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { shortJobId } from '@/core/ids';
import { idleForm, type FormState } from '../../_lib/validated-action';
import { enqueueAction } from '../enqueue/actions';
import styles from '../admin.module.css';

type EnqueueState = FormState<{ jobId: string; name: string; created: boolean }>;

/**
 * The form that enqueues a job (the options of `bin/jobs enqueue`); a refusal
 * (bad JSON, params the schema refuses, a bad delay) shows its message beside
 * the form and keeps what was typed. Shown only to the admin role; the action checks the role again.
 */
export function EnqueueForm({ jobNames, selected }: { jobNames: string[]; selected: string | undefined }) {
  const [state, action, enqueuing] = useActionState<EnqueueState, FormData>(enqueueAction, idleForm);
  const values = state.status === 'error' ? state.values : {};
  // A new key after each success empties the form; after an error it keeps what was typed.
  const key = state.status === 'ok' ? `ok-${state.data.jobId}` : 'form';
  const job = values.job ?? (state.status === 'ok' ? state.data.name : selected) ?? jobNames[0];
  return (
    <form action={action} className={styles.form} key={key} data-testid="enqueue-form">
      <label>Job
        <select name="job" required defaultValue={job} data-testid="enqueue-job">
          {jobNames.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </label>
      <label>Queue <input name="queue" maxLength={100} defaultValue={values.queue} placeholder="the job's default" data-testid="enqueue-queue" /></label>
      <label>Priority <input name="priority" maxLength={20} defaultValue={values.priority} placeholder="normal" title="critical, high, normal, low or an integer" data-testid="enqueue-priority" /></label>
      <label>Delay <input name="delay" maxLength={50} defaultValue={values.delay} placeholder="5m" className={styles.mono} data-testid="enqueue-delay" /></label>
      <label>Max attempts <input name="maxAttempts" inputMode="numeric" maxLength={20} defaultValue={values.maxAttempts} placeholder="the job's default" data-testid="enqueue-max-attempts" /></label>
      <label>Idempotency key <input name="idempotencyKey" maxLength={500} defaultValue={values.idempotencyKey} data-testid="enqueue-idempotency-key" /></label>
      <label>Concurrency key <input name="concurrencyKey" maxLength={200} defaultValue={values.concurrencyKey} data-testid="enqueue-concurrency-key" /></label>
      <label>Concurrency limit <input name="concurrencyLimit" inputMode="numeric" maxLength={20} defaultValue={values.concurrencyLimit} placeholder="1" data-testid="enqueue-concurrency-limit" /></label>
      <label className={styles.wide}>Params (JSON)
        <textarea name="params" rows={4} defaultValue={values.params ?? '{}'} className={styles.mono} data-testid="enqueue-params" />
      </label>
      <div>
        <button type="submit" className={styles.button} disabled={enqueuing} data-testid="enqueue-submit">Enqueue</button>
      </div>
      {state.status === 'error' && <p className={`${styles.error} ${styles.wide}`} role="alert" data-testid="enqueue-error">{state.message}</p>}
      {state.status === 'ok' && (
        <p role="status" className={styles.wide} data-testid="enqueue-ok" data-created={state.data.created ? 'true' : 'false'}>
          {state.data.created ? `Enqueued ${state.data.name}:` : `A ${state.data.name} job with this idempotency key is already pending or running:`}{' '}
          <Link href={`/admin/jobs/${state.data.jobId}`} className={styles.mono} title={state.data.jobId} data-testid="enqueued-job-link">{shortJobId(state.data.jobId)}</Link>
        </p>
      )}
    </form>
  );
}
