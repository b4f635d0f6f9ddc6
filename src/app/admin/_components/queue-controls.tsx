'use client';

import { useActionState, useEffect, useState } from 'react';
import { idleForm, type FormState } from '../../_lib/validated-action';
import { clearRateLimitAction, pauseQueueAction, resumeQueueAction, setRateLimitAction } from '../queues/actions';
import styles from '../admin.module.css';

type ActionState = FormState<{ message: string }>;

/** Pause or Resume, and set or clear the rate limit, for one queue; shown only to the admin role (the actions check the role again). */
export function QueueControls({ queue, paused, rate }: { queue: string; paused: boolean; rate: string | null }) {
  const [pause, pauseAction, pausing] = useActionState<ActionState, FormData>(pauseQueueAction, idleForm);
  const [resume, resumeAction, resuming] = useActionState<ActionState, FormData>(resumeQueueAction, idleForm);
  const [limit, limitAction, limiting] = useActionState<ActionState, FormData>(setRateLimitAction, idleForm);
  const [clear, clearAction, clearing] = useActionState<ActionState, FormData>(clearRateLimitAction, idleForm);
  // Only the answer of the action sent last shows: an earlier one (say "Limited…" before "Lifted…") would read as the current state.
  const [latest, setLatest] = useState<'pause' | 'resume' | 'limit' | 'clear' | null>(null);
  useEffect(() => { if (pause.status !== 'idle') setLatest('pause'); }, [pause]);
  useEffect(() => { if (resume.status !== 'idle') setLatest('resume'); }, [resume]);
  useEffect(() => { if (limit.status !== 'idle') setLatest('limit'); }, [limit]);
  useEffect(() => { if (clear.status !== 'idle') setLatest('clear'); }, [clear]);
  const answer = { pause, resume, limit, clear }[latest ?? 'pause'];
  const typed = limit.status === 'error' ? limit.values.rate : undefined;
  return (
    <div className={styles.controls} data-testid="queue-controls" data-queue={queue}>
      <div>
        {paused ? (
          <form action={resumeAction} data-testid="resume-form">
            <input type="hidden" name="queue" value={queue} />
            <button type="submit" className={styles.button} disabled={resuming} data-testid="resume-button">Resume</button>
          </form>
        ) : (
          <form action={pauseAction} data-testid="pause-form">
            <input type="hidden" name="queue" value={queue} />
            <button type="submit" className={`${styles.button} ${styles.danger}`} disabled={pausing} data-testid="pause-button">Pause</button>
          </form>
        )}
      </div>
      <div className={styles.inline}>
        <form action={limitAction} className={styles.inline} data-testid="rate-form">
          <input type="hidden" name="queue" value={queue} />
          <input
            name="rate" className={styles.input} size={8} placeholder="100/1m" defaultValue={typed ?? rate ?? ''} key={typed ?? rate ?? ''}
            aria-label={`Rate limit of ${queue}`} aria-invalid={limit.status === 'error' || undefined} data-testid="rate-input"
          />
          <button type="submit" className={styles.quiet} disabled={limiting} data-testid="rate-button">Set limit</button>
        </form>
        {rate && (
          <form action={clearAction} data-testid="clear-rate-form">
            <input type="hidden" name="queue" value={queue} />
            <button type="submit" className={styles.quiet} disabled={clearing} data-testid="clear-rate-button">Clear limit</button>
          </form>
        )}
      </div>
      <ActionOutcome state={answer} />
    </div>
  );
}

/** What an action answered: its refusal (forbidden, a bad rate) or what it did. */
function ActionOutcome({ state }: { state: ActionState }) {
  if (state.status === 'error') return <p className={styles.error} role="alert" data-testid="action-error">{state.message}</p>;
  if (state.status === 'ok') return <p className={styles.outcome} role="status" data-testid="action-ok">{state.data.message}</p>;
  return null;
}
