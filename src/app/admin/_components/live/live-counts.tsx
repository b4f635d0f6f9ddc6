'use client';

import { useEffect, useState } from 'react';
import type { StateCounts } from '@/lib/jobs/stats';
import { useChangeTick } from './live-events';

/** One read of /api/stats per queue per second, however many counts on the page follow it. */
const reads = new Map<string, { at: number; counts: Promise<StateCounts> }>();

function readCounts(queue: string | undefined): Promise<StateCounts> {
  const key = queue ?? '';
  const recent = reads.get(key);
  if (recent && Date.now() - recent.at < 1_000) return recent.counts;
  const url = `/api/stats?hours=1${queue === undefined ? '' : `&queue=${encodeURIComponent(queue)}`}`;
  const counts = fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(async (response) => {
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return ((await response.json()) as { counts: StateCounts }).counts;
  });
  reads.set(key, { at: Date.now(), counts });
  return counts;
}

/**
 * The counts per state (of one queue, or all), read again from the stats
 * (folded counters, never a count of the jobs table) when changes of that
 * queue arrive, at most every 3 s. A failed read keeps what is shown.
 */
export function useLiveCounts(initial: StateCounts, queue?: string): StateCounts {
  const [counts, setCounts] = useState(initial);
  const tick = useChangeTick(3_000, (change) => queue === undefined || change.job.queue === queue);
  useEffect(() => {
    if (tick === 0) return;
    let current = true;
    readCounts(queue).then((fresh) => current && setCounts(fresh), () => {});
    return () => {
      current = false;
    };
  }, [tick, queue]);
  return counts;
}
