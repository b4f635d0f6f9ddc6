'use client';

import { useRef, useState } from 'react';
import type { JobChangeJson } from '@/lib/jobs/json';
import { StateLabel } from '../state-label';
import { useJobChanges } from './live-events';
import styles from '../../admin.module.css';

/** The newest change of a run (they come in the feed's order). */
const newest = (changes: JobChangeJson[]): JobChangeJson => changes[changes.length - 1];

/**
 * A job's state label that follows the live stream: only this cell changes
 * when the job does. It also keeps its row's data-state current, which the
 * row's styling and the tests read.
 */
export function LiveJobState({ id, label, title }: { id: string; label: string; title?: string }) {
  const [seen, setSeen] = useState<{ label: string; base: string } | null>(null);
  // A change seen since the server's label was read; once the server reads again (a refresh), its label wins.
  const live = seen?.base === label ? seen : null;
  const ref = useRef<HTMLSpanElement>(null);
  useJobChanges((changes) => {
    const { job } = newest(changes);
    setSeen({ label: job.label, base: label });
    ref.current?.closest('tr')?.setAttribute('data-state', job.state);
  }, id);
  return (
    <span ref={ref} data-testid="live-state" data-label={live?.label ?? label}>
      {/* The error's message (title) is the server's: after a live change it may be stale, so it is dropped. */}
      <StateLabel label={live?.label ?? label} title={live ? undefined : title} />
    </span>
  );
}

/**
 * A progress bar for a job that moves with its progress events, and shows
 * 100% once it completes. The message (as text with `showMessage`, else as
 * the tooltip) is the server's: the stream carries the percent only, so once
 * the bar moves past it the message is dropped rather than shown stale.
 */
export function LiveJobProgress({ id, state, percent, message, showMessage = false }: { id: string; state: string; percent: number; message?: string | null; showMessage?: boolean }) {
  const [seen, setSeen] = useState<{ state: string; percent: number; base: string } | null>(null);
  const base = `${state}:${percent}`;
  const live = seen?.base === base ? seen : null; // as in LiveJobState: a fresh server read wins
  useJobChanges((changes) => {
    const { job } = newest(changes);
    setSeen({ state: job.state, percent: job.state === 'completed' ? 100 : job.progress.percent, base });
  }, id);
  const shown = live ?? { state, percent: state === 'completed' ? 100 : percent };
  if (shown.state !== 'running' && shown.state !== 'completed') return <span className={styles.muted}>–</span>;
  const rounded = Math.round(shown.percent);
  return (
    <span title={live || showMessage ? undefined : (message ?? undefined)} data-testid="live-progress" data-percent={rounded}>
      <span className={styles.bar} role="progressbar" aria-valuenow={rounded} aria-valuemin={0} aria-valuemax={100} aria-label={`${rounded}%`}>
        <span style={{ width: `${rounded}%` }} />
      </span>
      {rounded}%
      {showMessage && !live && message && <span className={styles.muted}> · {message}</span>}
    </span>
  );
}
