import type { Engine } from '../db/engine';
import type { JobState } from '../core/states';

/**
 * Stats read from the tables the triggers of migration 0004 keep (job_counts,
 * job_minutes): a few hundred rows at most, whatever the size of the jobs table.
 */

/** Upper bounds (ms) of the run-time histogram's buckets; one more bucket holds longer runs. Matches migration 0004. */
export const runTimeBucketsMs = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000] as const;

export interface CountRow {
  queue: string;
  state: JobState;
  /** For pending jobs, the jobs.scheduled code (why it waits); 0 otherwise. */
  waiting: number;
  n: number;
}

/** Read-only. How many jobs each queue holds per state and wait reason (rows with none left out). */
export async function readJobCounts(engine: Engine, queue?: string): Promise<CountRow[]> {
  if (queue === undefined) return engine.all<CountRow>('SELECT queue, state, waiting, n FROM job_counts WHERE n > 0 ORDER BY queue');
  return engine.all<CountRow>('SELECT queue, state, waiting, n FROM job_counts WHERE n > 0 AND queue = ?', [queue]);
}

export interface MinuteRow {
  /** Epoch ms of the minute's start. */
  minute: number;
  queue: string;
  name: string;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  runMsTotal: number;
  /** Counts per bucket of runTimeBucketsMs, then longer. */
  histogram: number[];
}

/** Read-only. The per-minute rows from `since` (epoch ms) on, oldest first; one queue's if given. */
export async function readJobMinutes(engine: Engine, since: number, queue?: string): Promise<MinuteRow[]> {
  const where = queue === undefined ? '' : ' AND queue = ?';
  const rows = await engine.all<Omit<MinuteRow, 'histogram'> & { histogram: string }>(
    `SELECT minute * 60000 AS minute, queue, name, completed, failed, cancelled, retried, run_ms_total AS runMsTotal, histogram
     FROM job_minutes WHERE minute >= ?${where} ORDER BY minute`,
    queue === undefined ? [Math.floor(since / 60_000)] : [Math.floor(since / 60_000), queue],
  );
  return rows.map((row) => ({ ...row, histogram: JSON.parse(row.histogram) as number[] }));
}

/** Deletes the per-minute rows before `before` (epoch ms). Returns how many. */
export async function pruneJobMinutes(engine: Engine, before: number): Promise<number> {
  return engine.run('DELETE FROM job_minutes WHERE minute < ?', [Math.floor(before / 60_000)]);
}

/** Distinct priorities visited before giving up: queues use a handful. */
const maxPrioritiesScanned = 64;

/**
 * Read-only. The job of `queue` that has been ready to run the longest (the
 * earliest run_at among pending jobs waiting only for a worker), or null.
 * The claim indexes order by priority first, so this visits each priority
 * with one index seek rather than reading every waiting job.
 */
export async function oldestReadyJob(engine: Engine, queue: string): Promise<{ id: string; runAt: number } | null> {
  let oldest: { id: string; runAt: number } | null = null;
  for (const [index, code] of [['jobs_queue_claim_idx', 0], ['jobs_rate_claim_idx', 5]] as const) {
    let below = Number.MAX_SAFE_INTEGER;
    for (let visited = 0; visited < maxPrioritiesScanned; visited++) {
      const [row] = await engine.all<{ id: string; runAt: number; priority: number }>(
        `SELECT id, run_at AS runAt, priority FROM jobs INDEXED BY ${index}
         WHERE state = 'pending' AND scheduled = ${code} AND queue = ? AND priority < ? ORDER BY priority DESC, run_at, id LIMIT 1`,
        [queue, below],
      );
      if (!row) break;
      if (!oldest || row.runAt < oldest.runAt) oldest = { id: row.id, runAt: row.runAt };
      below = row.priority;
    }
  }
  return oldest;
}
