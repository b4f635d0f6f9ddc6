import type { Engine } from '../db/engine';
import type { JobState } from '../core/states';
import type { MinuteRow } from './stats';
import { liveSince, liveWorker } from './workers';

/**
 * The reads behind GET /api/metrics. Each is a handful of rows read through a
 * primary key or a partial index, so a scrape costs the same with a million
 * jobs as with ten: job_totals and job_counts hold one row per queue and name
 * (or state), live workers are a range of workers_heartbeat_idx, and the jobs
 * of dead workers are found among the running jobs (jobs_owner_idx) only.
 */

/** A queue and job name's all-time figures, folded from the change feed (store/fold.ts) as job_minutes are; they never go down. */
export type TotalsRow = Omit<MinuteRow, 'minute'>;

/** Read-only. Every row of job_totals, by queue and name (its primary key order). */
export async function readJobTotals(engine: Engine): Promise<TotalsRow[]> {
  const rows = await engine.all<Omit<TotalsRow, 'histogram'> & { histogram: string }>(
    `SELECT queue, name, completed, failed, cancelled, retried, run_ms_total AS runMsTotal, histogram FROM job_totals ORDER BY queue, name`,
  );
  return rows.map((r) => ({
    queue: r.queue, name: r.name, completed: Number(r.completed), failed: Number(r.failed), cancelled: Number(r.cancelled),
    retried: Number(r.retried), runMsTotal: Number(r.runMsTotal), histogram: (JSON.parse(r.histogram) as number[]).map(Number),
  }));
}

export interface CountCell {
  queue: string;
  state: JobState;
  /** For pending jobs, the jobs.scheduled code (why it waits); 0 otherwise. */
  waiting: number;
  n: number;
}

/**
 * Read-only. Every row of job_counts, the empty ones too: a queue whose jobs
 * have all gone on keeps its rows at 0, so its gauges read 0 rather than vanish.
 */
export async function readAllJobCounts(engine: Engine): Promise<CountCell[]> {
  const rows = await engine.all<CountCell>('SELECT queue, state, waiting, n FROM job_counts ORDER BY queue, state, waiting');
  return rows.map((r) => ({ ...r, waiting: Number(r.waiting), n: Number(r.n) }));
}

/** The query of countLiveWorkers (argument: liveSince), exported so a test can check its plan. */
export const liveWorkersSql = `SELECT count(*) AS n FROM workers INDEXED BY workers_heartbeat_idx WHERE ${liveWorker}`;

/** Read-only. Workers that heartbeat (within two leases of `now`) and have not stopped. */
export async function countLiveWorkers(engine: Engine, now: number, leaseMs: number): Promise<number> {
  const [row] = await engine.all<{ n: number }>(liveWorkersSql, [liveSince(now, leaseMs)]);
  return Number(row.n);
}

/** Running jobs of one queue whose lease holder is no live worker, and how many such holders there are. */
export interface DeadHolding {
  queue: string;
  workerId: string;
  jobs: number;
}

/** The query of readDeadWorkerHoldings (argument: liveSince), exported so a test can check its plan. */
export const deadHoldingsSql = `SELECT queue, locked_by AS workerId, count(*) AS jobs FROM jobs INDEXED BY jobs_owner_idx
  WHERE state = 'running' AND locked_by NOT IN (SELECT id FROM workers INDEXED BY workers_heartbeat_idx WHERE ${liveWorker})
  GROUP BY queue, locked_by`;

/**
 * Read-only. Per queue and worker that is not live (stopped heartbeating, or
 * gone from the workers table), the running jobs it still holds: they run
 * again once a live worker takes them back (after one lease). Reads the
 * running jobs and the live workers only, never the finished jobs or the
 * history of dead workers.
 */
export async function readDeadWorkerHoldings(engine: Engine, now: number, leaseMs: number): Promise<DeadHolding[]> {
  const rows = await engine.all<DeadHolding>(deadHoldingsSql, [liveSince(now, leaseMs)]);
  return rows.map((r) => ({ queue: r.queue, workerId: String(r.workerId), jobs: Number(r.jobs) }));
}

/** Distinct priorities a queue's ready jobs may have before the walk gives up (queues use a handful). */
const maxPrioritiesWalked = 64;

/** The claim indexes of ready jobs, by jobs.scheduled code: 0 in an ordinary queue, 5 in a rate-limited one. */
const readyIndexes = { 0: 'jobs_queue_claim_idx', 5: 'jobs_rate_claim_idx' } as const;
export type ReadyCode = keyof typeof readyIndexes;

/**
 * oldestReadyAt's statement for the ready jobs of one code (arguments: the
 * queue, three times). The index orders a queue's ready jobs by priority, then
 * run_at, so the earliest run_at is the first entry of one of its priorities:
 * the recursive part steps from priority to priority with one seek each, and
 * the outer part takes the first run_at of each with one more. Exported so a
 * test can check that every step is a SEARCH of the index.
 */
export function oldestReadySql(code: ReadyCode): string {
  const ready = `jobs INDEXED BY ${readyIndexes[code]} WHERE state = 'pending' AND scheduled = ${code} AND queue = ?`;
  return `WITH RECURSIVE level(priority) AS (
      SELECT (SELECT priority FROM ${ready} ORDER BY priority DESC LIMIT 1)
      UNION ALL
      SELECT (SELECT priority FROM ${ready} AND priority < level.priority ORDER BY priority DESC LIMIT 1) FROM level
      WHERE level.priority IS NOT NULL LIMIT ${maxPrioritiesWalked}
    )
    SELECT min((SELECT run_at FROM ${ready} AND priority = level.priority ORDER BY run_at LIMIT 1)) AS runAt
    FROM level WHERE level.priority IS NOT NULL`;
}

/**
 * Read-only. Since when (run_at, epoch ms) the job of `queue` that has been
 * ready (due, claimable) the longest has waited, or null when none is ready:
 * one statement per code in `codes` (the codes job_counts says have ready jobs
 * in the queue), each a few seeks of its claim index, never a read of the
 * queue's waiting jobs one by one.
 */
export async function oldestReadyAt(engine: Engine, queue: string, codes: readonly ReadyCode[]): Promise<number | null> {
  let oldest: number | null = null;
  for (const code of codes) {
    const [row] = await engine.all<{ runAt: number | null }>(oldestReadySql(code), [queue, queue, queue]);
    if (row?.runAt !== null && row?.runAt !== undefined && (oldest === null || Number(row.runAt) < oldest)) oldest = Number(row.runAt);
  }
  return oldest;
}

