'use client';

import { useActionState } from 'react';
import { enqueueDemoJob } from '../actions';
import { idleForm, type FormState } from '../_lib/validated-action';
import { JobProgress } from '@/lib/jobs/react';

type State = FormState<{ jobId: string }>;

const fields = [
  { name: 'steps', label: 'Steps', fallback: '10', min: 0, max: 1000, hint: 'how many steps' },
  { name: 'delayMs', label: 'Delay (ms)', fallback: '200', min: 0, max: 60000, hint: 'per step' },
  { name: 'failTimes', label: 'Fail times', fallback: '0', min: 0, max: 10, hint: 'first attempts that throw' },
] as const;

/**
 * The demo job's form. `noValidate`: the server action is the one place input
 * is checked, so a bad number gets the same clear message with or without JS.
 */
export function EnqueueForm() {
  const [state, formAction, pending] = useActionState<State, FormData>(enqueueDemoJob, idleForm);
  const values = state.status === 'idle' ? {} : state.values;
  const invalid = new Set(state.status === 'error' ? state.invalidFields : []);

  return (
    <form action={formAction} noValidate className="enqueue-form" data-testid="enqueue-form">
      <div className="fields">
        {fields.map((field) => (
          <label key={field.name} className="field">
            <span>{field.label}</span>
            <input
              name={field.name}
              type="number"
              inputMode="numeric"
              step={1}
              min={field.min}
              max={field.max}
              defaultValue={values[field.name] ?? field.fallback}
              aria-invalid={invalid.has(field.name) || undefined}
              data-testid={`field-${field.name}`}
            />
            <small>{field.hint}</small>
          </label>
        ))}
        <label className="field wide">
          <span>Message</span>
          <input
            name="message"
            type="text"
            maxLength={1000}
            placeholder="optional, returned in the result"
            defaultValue={values.message ?? ''}
            aria-invalid={invalid.has('message') || undefined}
            data-testid="field-message"
          />
          <small>&nbsp;</small>
        </label>
      </div>
      <div className="form-footer">
        <button type="submit" disabled={pending} data-testid="enqueue-submit">
          {pending ? 'Enqueuing…' : 'Enqueue demo job'}
        </button>
        <output aria-live="polite">
          {state.status === 'ok' && (
            <span className="notice ok" data-testid="enqueued">
              Enqueued job <code data-testid="enqueued-id">{state.data.jobId}</code>
            </span>
          )}
          {state.status === 'error' && (
            <span className="notice error" role="alert" data-testid="form-error">
              {state.message}
            </span>
          )}
        </output>
      </div>
      {/* The job just enqueued, followed live, as an app page would show it. */}
      {state.status === 'ok' && <JobProgress key={state.data.jobId} id={state.data.jobId} />}
    </form>
  );
}
