import type { Engine } from '../db/engine';

/**
 * Pauses a queue, persisted: its pending jobs leave the claim index (and the
 * ones that come due, are retried or are enqueued later park there too), so
 * no worker anywhere claims from it. Running jobs finish. One batch; returns
 * how many waiting jobs it parked.
 */
export async function pauseQueue(engine: Engine, queue: string, now: number): Promise<number> {
  const [, parked] = await engine.batch([
    { sql: `INSERT INTO paused_queues (queue, paused_at) VALUES (?, ?) ON CONFLICT (queue) DO NOTHING`, args: [queue, now] },
    { sql: `UPDATE jobs INDEXED BY jobs_queue_claim_idx SET scheduled = 2 WHERE state = 'pending' AND scheduled = 0 AND queue = ? RETURNING id`, args: [queue] },
  ]);
  return parked.length;
}

/** Resumes a paused queue: its parked jobs return to the claim index. Returns how many. */
export async function resumeQueue(engine: Engine, queue: string): Promise<number> {
  const [, resumed] = await engine.batch([
    { sql: `DELETE FROM paused_queues WHERE queue = ?`, args: [queue] },
    { sql: `UPDATE jobs INDEXED BY jobs_paused_idx SET scheduled = 0 WHERE state = 'pending' AND scheduled = 2 AND queue = ? RETURNING id`, args: [queue] },
  ]);
  return resumed.length;
}

export interface QueueSummary {
  queue: string;
  paused: boolean;
  pending: number;
  running: number;
}

/** Read-only. Every queue that has live jobs or is paused, with its counts. */
export async function listQueues(engine: Engine): Promise<QueueSummary[]> {
  const rows = await engine.all<{ queue: string; paused: number; pending: number; running: number }>(
    `SELECT q.queue,
            EXISTS (SELECT 1 FROM paused_queues p WHERE p.queue = q.queue) AS paused,
            (SELECT count(*) FROM jobs j WHERE j.queue = q.queue AND j.state = 'pending') AS pending,
            (SELECT count(*) FROM jobs j WHERE j.queue = q.queue AND j.state = 'running') AS running
     FROM (SELECT DISTINCT queue FROM jobs WHERE state IN ('pending', 'running') UNION SELECT queue FROM paused_queues) q
     ORDER BY q.queue`,
  );
  return rows.map((r) => ({ queue: r.queue, paused: Boolean(r.paused), pending: Number(r.pending), running: Number(r.running) }));
}
