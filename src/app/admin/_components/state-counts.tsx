import type { StateCounts } from '@/lib/jobs/stats';
import { StateLabel } from './state-label';
import styles from '../admin.module.css';

const shown = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;

/** Jobs per state, and why the pending ones wait, from the stats counts (never a count of the jobs table). */
export function StateCountsList({ counts }: { counts: StateCounts }) {
  return (
    <ul className={styles.counts} data-testid="state-counts">
      {shown.map((state) => (
        <li key={state} data-testid={`count-${state}`} data-count={counts[state]}>
          <StateLabel label={state} />
          <span className={styles.n}>{counts[state]}</span>
          {state === 'pending' && (
            <span className={styles.muted}>
              {counts.waiting.ready} ready · {counts.waiting.scheduled} scheduled · {counts.waiting.blocked} blocked
            </span>
          )}
        </li>
      ))}
      <li data-testid="count-total" data-count={counts.total}>
        <span className={styles.muted}>total</span>
        <span className={styles.n}>{counts.total}</span>
      </li>
    </ul>
  );
}
