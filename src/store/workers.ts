import type { Engine } from '../db/engine';

/** Records a worker process as started, with the job names it can run. */
export async function registerWorker(
  engine: Engine,
  worker: { id: string; host: string; pid: number; queues: readonly string[]; concurrency: number; jobNames: readonly string[]; now: number },
): Promise<void> {
  await engine.run(
    `INSERT INTO workers (id, host, pid, queues, concurrency, job_names, started_at, last_heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [worker.id, worker.host, worker.pid, worker.queues.join(',') || '*', worker.concurrency, JSON.stringify(worker.jobNames), worker.now, worker.now],
  );
}

/** Records a clean stop, so the admin page tells stopped workers from dead ones. */
export async function markWorkerStopped(engine: Engine, workerId: string, now: number): Promise<void> {
  await engine.run(`UPDATE workers SET stopped_at = ?, last_heartbeat_at = ? WHERE id = ?`, [now, now, workerId]);
}

export interface LiveWorkers {
  /** Workers that heartbeat and have not stopped. */
  alive: number;
  /** Of those, the ones that serve the job's queue and can run its name. */
  serving: number;
}

/**
 * A workers row is live while it heartbeats (three times per lease, so two
 * leases without one is a dead worker) and has not stopped. Its argument is
 * liveSince(now, leaseMs). Shared by every reader, so they agree on who is live.
 */
export const liveWorker = `last_heartbeat_at > ? AND stopped_at IS NULL`;
export const liveSince = (now: number, leaseMs: number): number => now - 2 * leaseMs;

/**
 * Whether a workers row takes jobs of a name from a queue (arguments: the
 * queue, then the name): it serves every queue ('*') or names this one, and
 * recorded no names (a worker from before names were recorded) or this one.
 */
export const servesJob = `((queues = '*' OR instr(',' || queues || ',', ',' || ? || ',') > 0)
  AND (job_names IS NULL OR EXISTS (SELECT 1 FROM json_each(job_names) WHERE value = ?)))`;

/**
 * Read-only. How many live workers there are, and how many of them could run
 * a job of `name` in `queue`: a worker is live while it heartbeats (three
 * times per lease) and has not stopped; one that recorded no names counts as able to run any.
 */
export async function liveWorkersFor(engine: Engine, args: { name: string; queue: string; now: number; leaseMs: number }): Promise<LiveWorkers> {
  const [row] = await engine.all<{ alive: number; serving: number }>(
    `SELECT count(*) AS alive, coalesce(sum(${servesJob}), 0) AS serving
     FROM workers INDEXED BY workers_heartbeat_idx WHERE ${liveWorker}`,
    [args.queue, args.name, liveSince(args.now, args.leaseMs)],
  );
  return { alive: Number(row.alive), serving: Number(row.serving) };
}

/** A running job as its worker holds it: the lease it took and until when. */
export interface HeldJob {
  id: string;
  name: string;
  queue: string;
  lockedUntil: number;
}

/** Jobs listed at most per worker on the admin page. */
export const heldJobsShown = 50;

/** listJobsHeldBy's query (arguments: the worker id, the limit), exported so a test can check its plan. */
export const heldJobsSql = `SELECT id, name, queue, locked_until FROM jobs INDEXED BY jobs_owner_idx
  WHERE state = 'running' AND locked_by = ? ORDER BY locked_until LIMIT ?`;

/**
 * Read-only. The running jobs whose lease `workerId` holds (one seek of
 * jobs_owner_idx), the lease expiring soonest first, at most `limit`.
 */
export async function listJobsHeldBy(engine: Engine, workerId: string, limit = heldJobsShown): Promise<HeldJob[]> {
  const rows = await engine.all<{ id: string; name: string; queue: string; locked_until: number }>(heldJobsSql, [workerId, limit]);
  return rows.map((r) => ({ id: r.id, name: r.name, queue: r.queue, lockedUntil: Number(r.locked_until) }));
}
