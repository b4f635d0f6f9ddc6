import Link from 'next/link';
import type { JobState } from '@/core/states';
import type { StateCounts } from '@/lib/jobs/stats';
import styles from '../admin.module.css';

const tabs: (JobState | undefined)[] = [undefined, 'pending', 'running', 'completed', 'failed', 'cancelled'];

/** One tab per state with its count; `hrefOf` keeps the other filters. */
export function StateTabs({ current, counts, hrefOf }: { current?: JobState; counts: StateCounts; hrefOf: (state?: JobState) => string }) {
  return (
    <ul className={styles.tabs} data-testid="state-tabs">
      {tabs.map((state) => (
        <li key={state ?? 'all'}>
          <Link href={hrefOf(state)} aria-current={state === current ? 'page' : undefined} data-testid={`tab-${state ?? 'all'}`}>
            {state ?? 'all'}
            <span className={styles.n}>{state ? counts[state] : counts.total}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
