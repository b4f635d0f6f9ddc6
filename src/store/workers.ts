import type { Engine } from '../db/engine';

/** Records a worker process as started. */
export async function registerWorker(
  engine: Engine,
  worker: { id: string; host: string; pid: number; queues: readonly string[]; concurrency: number; now: number },
): Promise<void> {
  await engine.run(
    `INSERT INTO workers (id, host, pid, queues, concurrency, started_at, last_heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [worker.id, worker.host, worker.pid, worker.queues.join(',') || '*', worker.concurrency, worker.now, worker.now],
  );
}

/** Records a clean stop, so the admin page tells stopped workers from dead ones. */
export async function markWorkerStopped(engine: Engine, workerId: string, now: number): Promise<void> {
  await engine.run(`UPDATE workers SET stopped_at = ?, last_heartbeat_at = ? WHERE id = ?`, [now, now, workerId]);
}
