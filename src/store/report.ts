import type { Engine, SqlArg } from '../db/engine';

/** One job name in one queue over a report's period: its attempts that ended in it. */
export interface ReportRow {
  name: string;
  queue: string;
  /** Attempts that ended in the period; the four counts below add up to it. */
  attempts: number;
  completed: number;
  /** Attempts that failed (an error, a timeout or a lost lease) and ended their job: nothing ran after them. */
  failed: number;
  cancelled: number;
  /** Attempts that did not complete and were followed by another attempt of their job, or that it now waits for. */
  retried: number;
  /** Run time (finished - started) of every attempt counted, ms: the mean, and percentiles by nearest rank. */
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** `max(CASE WHEN rn = ceil(n * p / 100) THEN ms END)`: the nearest-rank percentile, in integer arithmetic (SQLite may lack ceil()). */
const percentile = (p: number) => `max(CASE WHEN rn = (n * ${p} + 99) / 100 THEN ms END)`;

// CROSS JOIN keeps job_attempts the outer loop: SQLite never reorders it.
const reportSql = `WITH ended AS (
       SELECT j.name, j.queue, a.finished_at - a.started_at AS ms,
         CASE
           WHEN a.outcome = 'completed' THEN 'completed'
           WHEN a.outcome = 'cancelled' THEN 'cancelled'
           WHEN j.attempts > a.attempt OR (j.state = 'pending' AND j.attempts = a.attempt) THEN 'retried'
           ELSE 'failed'
         END AS result
       FROM job_attempts AS a INDEXED BY job_attempts_finished_idx CROSS JOIN jobs AS j ON j.id = a.job_id
       WHERE a.finished_at >= ? AND a.finished_at < ?
     ), ranked AS (
       SELECT name, queue, ms, result,
         row_number() OVER (PARTITION BY name, queue ORDER BY ms) AS rn,
         count(*) OVER (PARTITION BY name, queue) AS n
       FROM ended
     )
     SELECT name, queue, count(*) AS attempts,
       sum(result = 'completed') AS completed, sum(result = 'failed') AS failed,
       sum(result = 'cancelled') AS cancelled, sum(result = 'retried') AS retried,
       avg(ms) AS meanMs, ${percentile(50)} AS p50Ms, ${percentile(95)} AS p95Ms, ${percentile(99)} AS p99Ms
     FROM ranked GROUP BY name, queue ORDER BY name, queue`;

/**
 * Read-only. Per job name and queue, the attempts that ended in
 * `[from, to)` (epoch ms): counts per outcome, retries, and run-time mean and
 * percentiles, by name then queue. One range seek of job_attempts_finished_idx
 * (the attempts of the period only, never a scan of every attempt or job),
 * each joined to its job by primary key for its name, queue, state and
 * attempts: an attempt that did not complete was retried if its job has
 * started a later one, or waits (pending) for one. Jobs deleted by cleanup
 * take their attempts with them, so a period older than the retention counts
 * only the jobs still kept.
 */
export async function readReportRows(engine: Engine, period: { from: number; to: number }): Promise<ReportRow[]> {
  const rows = await engine.all<Record<string, number | string>>(reportSql, [period.from, period.to]);
  return rows.map((r) => ({
    name: String(r.name), queue: String(r.queue), attempts: Number(r.attempts), completed: Number(r.completed), failed: Number(r.failed),
    cancelled: Number(r.cancelled), retried: Number(r.retried), meanMs: Number(r.meanMs), p50Ms: Number(r.p50Ms), p95Ms: Number(r.p95Ms), p99Ms: Number(r.p99Ms),
  }));
}

/** Read-only. The query plan of readReportRows's statement, one line per step (for tests and bench checks). */
export async function explainReport(engine: Engine, period: { from: number; to: number }): Promise<string[]> {
  const args: SqlArg[] = [period.from, period.to];
  return (await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${reportSql}`, args)).map((r) => r.detail);
}
