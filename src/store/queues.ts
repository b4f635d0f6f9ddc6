import { foldBeforeReading } from './fold';
import type { Engine } from '../db/engine';
import { grantSlotsStatement } from './limits';
import { readyState } from './rows';

/**
 * Pauses a queue, persisted: its pending jobs leave the claim index (and the
 * ones that come due, are retried or are enqueued later park there too), so
 * no worker anywhere claims from it. Running jobs finish. One batch; returns
 * how many waiting jobs it parked.
 */
export async function pauseQueue(engine: Engine, queue: string, now: number): Promise<number> {
  const [, parked, parkedRateLimited] = await engine.batch([
    { sql: `INSERT INTO paused_queues (queue, paused_at) VALUES (?, ?) ON CONFLICT (queue) DO NOTHING`, args: [queue, now] },
    { sql: `UPDATE jobs INDEXED BY jobs_queue_claim_idx SET scheduled = 2 WHERE state = 'pending' AND scheduled = 0 AND queue = ? RETURNING id`, args: [queue] },
    { sql: `UPDATE jobs INDEXED BY jobs_rate_claim_idx SET scheduled = 2 WHERE state = 'pending' AND scheduled = 5 AND queue = ? RETURNING id`, args: [queue] },
    grantSlotsStatement(), // parked jobs gave up the slots of their concurrency keys
  ]);
  return parked.length + parkedRateLimited.length;
}

/**
 * Resumes a paused queue: its parked jobs return to the claim index (or to the
 * rate-limited claim, or wait for a slot of their concurrency key). Returns how many.
 */
export async function resumeQueue(engine: Engine, queue: string): Promise<number> {
  const [, resumed] = await engine.batch([
    { sql: `DELETE FROM paused_queues WHERE queue = ?`, args: [queue] },
    { sql: `UPDATE jobs INDEXED BY jobs_paused_idx SET scheduled = ${readyState} WHERE state = 'pending' AND scheduled = 2 AND queue = ? RETURNING id`, args: [queue] },
    grantSlotsStatement(),
  ]);
  return resumed.length;
}

export interface QueueSummary {
  queue: string;
  paused: boolean;
  pending: number;
  running: number;
  /** Its rate limit, if it has one: at most `max` starts in any `durationMs`. */
  rateLimit: { max: number; durationMs: number } | null;
}

/** Read-only. Every queue that has live jobs, is paused or has a rate limit, with its counts. */
export async function listQueues(engine: Engine): Promise<QueueSummary[]> {
  // Counts from job_counts (the folded change feed), never from the jobs table: a million jobs cost nothing here.
  await foldBeforeReading(engine);
  const rows = await engine.all<{ queue: string; paused: number; pending: number; running: number; rate_max: number | null; rate_duration_ms: number | null }>(
    `SELECT q.queue,
            EXISTS (SELECT 1 FROM paused_queues p WHERE p.queue = q.queue) AS paused,
            (SELECT coalesce(sum(n), 0) FROM job_counts c WHERE c.queue = q.queue AND c.state = 'pending') AS pending,
            (SELECT coalesce(sum(n), 0) FROM job_counts c WHERE c.queue = q.queue AND c.state = 'running') AS running,
            l.rate_max, l.rate_duration_ms
     FROM (SELECT queue FROM job_counts WHERE state IN ('pending', 'running') AND n > 0
           UNION SELECT queue FROM paused_queues UNION SELECT queue FROM queue_limits) q
     LEFT JOIN queue_limits l ON l.queue = q.queue
     ORDER BY q.queue`,
  );
  return rows.map((r) => ({
    queue: r.queue, paused: Boolean(r.paused), pending: Number(r.pending), running: Number(r.running),
    rateLimit: r.rate_max === null ? null : { max: Number(r.rate_max), durationMs: Number(r.rate_duration_ms) },
  }));
}

/** Read-only. The queues named by workers not marked stopped, killed ones included (a worker serving every queue names none). */
export async function workerQueues(engine: Engine): Promise<string[]> {
  const rows = await engine.all<{ queues: string }>(`SELECT DISTINCT queues FROM workers WHERE stopped_at IS NULL AND queues != '*'`);
  return [...new Set(rows.flatMap((r) => r.queues.split(',').map((q) => q.trim()).filter(Boolean)))];
}

/** Read-only. The paused queues, by name: one read of the small paused_queues table, never of jobs. */
export async function listPausedQueues(engine: Engine): Promise<string[]> {
  return (await engine.all<{ queue: string }>(`SELECT queue FROM paused_queues ORDER BY queue`)).map((r) => r.queue);
}
