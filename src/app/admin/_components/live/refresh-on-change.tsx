'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import type { JobChangeJson, JobChangeType } from '@/lib/jobs/json';
import { useChangeTick } from './live-events';

/**
 * Reads the page's server parts again (router.refresh) when changes they
 * summarise arrive, at most once per `everyMs`: counts, queue tables and
 * failure groups come from folded tables, so a read is cheap, and nothing is
 * read while nothing changes or the tab is hidden. Client state (a selection,
 * a half-typed form) survives a refresh.
 */
export function RefreshOnChange({ everyMs = 3_000, jobId, queue, types, skipProgress = false }: {
  everyMs?: number; jobId?: string; queue?: string; types?: JobChangeType[]; skipProgress?: boolean;
}) {
  const router = useRouter();
  const matches = (change: JobChangeJson) =>
    (jobId === undefined || change.job.id === jobId) && (queue === undefined || change.job.queue === queue) &&
    (types === undefined || types.includes(change.type)) && !(skipProgress && change.type === 'job.progress');
  const tick = useChangeTick(everyMs, matches);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    router.refresh();
  }, [tick, router]);
  return null;
}
