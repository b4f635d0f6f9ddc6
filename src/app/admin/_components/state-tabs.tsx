'use client';

import Link from 'next/link';
import type { JobState } from '@/core/states';
import type { StateCounts } from '@/lib/jobs/stats';
import { useLiveCounts } from './live/live-counts';
import styles from '../admin.module.css';

const stateTabs: (JobState | undefined)[] = [undefined, 'pending', 'running', 'completed', 'failed', 'cancelled'];

/**
 * One tab per state with its count, which follows the live stream; `hrefs`
 * (by state, 'all' for none) keep the other filters.
 */
export function StateTabs({ current, counts, queue, hrefs }: { current?: JobState; counts: StateCounts; queue?: string; hrefs: Record<string, string> }) {
  const live = useLiveCounts(counts, queue);
  return (
    <ul className={styles.tabs} data-testid="state-tabs">
      {stateTabs.map((state) => (
        <li key={state ?? 'all'}>
          <Link href={hrefs[state ?? 'all']} aria-current={state === current ? 'page' : undefined} data-testid={`tab-${state ?? 'all'}`}>
            {state ?? 'all'}
            <span className={styles.n}>{state ? live[state] : live.total}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
