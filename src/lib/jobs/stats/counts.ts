import { waitReasonOf, type CountRow } from '../../../store/stats';
import type { StateCounts } from './types';

/** Counts with every state and wait reason at 0, so each key is always there. */
export function emptyCounts(): StateCounts {
  return {
    total: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0,
    waiting: { ready: 0, scheduled: 0, paused: 0, blocked: 0, throttled: 0 },
  };
}

/** Adds rows of job_counts into `counts` (pending rows also by their wait reason, in words); returns it. */
export function addCounts(counts: StateCounts, rows: readonly CountRow[]): StateCounts {
  for (const row of rows) {
    const n = Number(row.n);
    counts.total += n;
    counts[row.state] += n;
    if (row.state === 'pending') counts.waiting[waitReasonOf(Number(row.waiting))] += n;
  }
  return counts;
}

/** The counts of each queue in `rows`, by queue. */
export function countsByQueue(rows: readonly CountRow[]): Map<string, StateCounts> {
  const byQueue = new Map<string, StateCounts>();
  for (const row of rows) {
    if (!byQueue.has(row.queue)) byQueue.set(row.queue, emptyCounts());
    addCounts(byQueue.get(row.queue)!, [row]);
  }
  return byQueue;
}
