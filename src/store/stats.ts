import type { Engine } from '../db/engine';
import { countedDelete } from './counted-delete';
import type { JobState } from '../core/states';

/**
 * Stats read from the tables the change feed is folded into (store/fold.ts: job_counts,
 * job_minutes): a few hundred rows at most, whatever the size of the jobs table.
 */

/** Upper bounds (ms) of the run-time histogram's buckets; one more bucket holds longer runs (store/fold.ts fills them). */
export const runTimeBucketsMs = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000] as const;

/**
 * Why a pending job waits, in words, by its jobs.scheduled code: ready covers
 * both claim paths (0, and 5: due in a rate-limited queue), since either way
 * only a worker (and its queue's rate) stands between it and a start.
 */
export const waitReasons = { 0: 'ready', 1: 'scheduled', 2: 'paused', 3: 'blocked', 4: 'throttled', 5: 'ready' } as const;
export type WaitReason = (typeof waitReasons)[keyof typeof waitReasons];

/** The word for a jobs.scheduled code; an unknown code (a newer schema) counts as scheduled rather than vanish. */
export function waitReasonOf(code: number): WaitReason {
  return waitReasons[code as keyof typeof waitReasons] ?? 'scheduled';
}

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

/** Ended jobs and retried attempts of one minute, summed over queues and names. */
export interface MinuteTotals {
  /** Epoch ms of the minute's start. */
  minute: number;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
}

/** The minutes `[from, to]` (epoch ms, each rounded down to its minute), and optionally one queue. */
export interface MinuteRange {
  from: number;
  to: number;
  queue?: string;
}

function rangeWhere(range: MinuteRange): { where: string; args: (string | number)[] } {
  const args: (string | number)[] = [Math.floor(range.from / 60_000), Math.floor(range.to / 60_000)];
  if (range.queue !== undefined) args.push(range.queue);
  return { where: `minute >= ? AND minute <= ?${range.queue === undefined ? '' : ' AND queue = ?'}`, args };
}

/**
 * Read-only. Per minute of `range` that saw any end or retry, the sums over its
 * queues and names, oldest first: one range scan of job_minutes' primary key.
 */
export async function readMinuteTotals(engine: Engine, range: MinuteRange): Promise<MinuteTotals[]> {
  const { where, args } = rangeWhere(range);
  const rows = await engine.all<MinuteTotals>(
    `SELECT minute * 60000 AS minute, sum(completed) AS completed, sum(failed) AS failed, sum(cancelled) AS cancelled, sum(retried) AS retried
     FROM job_minutes WHERE ${where} GROUP BY minute ORDER BY minute`,
    args,
  );
  return rows.map((r) => ({ minute: Number(r.minute), completed: Number(r.completed), failed: Number(r.failed), cancelled: Number(r.cancelled), retried: Number(r.retried) }));
}

/** One job name's sums over a range of minutes. */
export interface NameTotals {
  name: string;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  /** Sum of the run times (ms) of the completed runs the histogram counts. */
  runMsTotal: number;
  /** Counts per bucket of runTimeBucketsMs, then longer; summed bucket by bucket. */
  histogram: number[];
}

/** `sum(json_extract(histogram, '$[i]')) AS hi` for every bucket, so histograms are added up in SQL, not parsed row by row. */
const histogramSums = Array.from({ length: runTimeBucketsMs.length + 1 }, (_, i) => `sum(json_extract(histogram, '$[${i}]')) AS h${i}`).join(', ');

/** Read-only. Per job name with any end or retry in `range`, its sums and summed histogram, by name. */
export async function readNameTotals(engine: Engine, range: MinuteRange): Promise<NameTotals[]> {
  const { where, args } = rangeWhere(range);
  const rows = await engine.all<Record<string, number | string>>(
    `SELECT name, sum(completed) AS completed, sum(failed) AS failed, sum(cancelled) AS cancelled, sum(retried) AS retried,
            sum(run_ms_total) AS runMsTotal, ${histogramSums}
     FROM job_minutes WHERE ${where} GROUP BY name ORDER BY name`,
    args,
  );
  return rows.map((r) => ({
    name: String(r.name), completed: Number(r.completed), failed: Number(r.failed), cancelled: Number(r.cancelled),
    retried: Number(r.retried), runMsTotal: Number(r.runMsTotal),
    histogram: Array.from({ length: runTimeBucketsMs.length + 1 }, (_, i) => Number(r[`h${i}`] ?? 0)),
  }));
}

/** Deletes the per-minute rows before `before` (epoch ms). Returns how many. */
export async function pruneJobMinutes(engine: Engine, before: number): Promise<number> {
  return countedDelete(engine, 'DELETE FROM job_minutes WHERE minute < ?', [Math.floor(before / 60_000)]);
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
