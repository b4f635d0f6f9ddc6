'use client';

import { useEffect, useState } from 'react';
import { readJobProgress, type JobProgressView } from './read-job-progress';

/** How often a running job is looked at (ms) while the tab is visible. */
const pollIntervalMs = 500;
const ended = new Set(['completed', 'failed', 'cancelled']);

export interface JobProgressState {
  /** The job as last read; null before the first answer, or when there is no such job. */
  job: JobProgressView | null;
  /** True once the first answer came. */
  loaded: boolean;
}

/**
 * A job's live state, progress and result in a client component: read every
 * 500 ms until the job ends (never while the tab is hidden), then left alone.
 * `id` is a whole job id, as `.later()` returned it.
 */
export function useJobProgress(id: string | null | undefined): JobProgressState {
  const [state, setState] = useState<JobProgressState>({ job: null, loaded: false });
  useEffect(() => {
    if (!id) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      if (document.visibilityState === 'visible') {
        try {
          const job = await readJobProgress(id);
          if (stopped) return;
          setState({ job, loaded: true });
          if (!job || ended.has(job.state)) return; // nothing more will change
        } catch {
          // a failed read (the server restarting): the next look tries again
        }
      }
      if (!stopped) timer = setTimeout(look, pollIntervalMs);
    };
    setState({ job: null, loaded: false });
    void look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);
  return state;
}
