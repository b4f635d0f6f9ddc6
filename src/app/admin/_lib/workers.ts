import { getConfig } from '@/config/env';
import type { Engine } from '@/db/engine';
import { listWorkers, type WorkerRow } from '@/store/queries';
import { heldJobsShown, listJobsHeldBy, type HeldJob } from '@/store/workers';

/** Workers listed at most: the table holds one row per process started, newest heartbeat first. */
export const workersShown = 200;

export type WorkerStatus = 'alive' | 'dead' | 'stopped';

/** Alive while it heartbeats (two leases of silence mean dead, as the store counts live workers); stopped after a clean stop. */
export function workerStatus(row: WorkerRow, now: number): WorkerStatus {
  if (row.stoppedAt !== null) return 'stopped';
  return row.lastHeartbeatAt > now - 2 * getConfig().leaseMs ? 'alive' : 'dead';
}

/** Read-only. The newest workersShown workers with their status. */
export async function readWorkers(engine: Engine, now: number): Promise<{ row: WorkerRow; status: WorkerStatus }[]> {
  return (await listWorkers(engine, workersShown)).map((row) => ({ row, status: workerStatus(row, now) }));
}

/** Read-only. For each dead worker shown, the running jobs whose lease it still holds (at most heldJobsShown each). */
export async function readHeldByDead(engine: Engine, workers: { row: WorkerRow; status: WorkerStatus }[]): Promise<{ worker: WorkerRow; jobs: HeldJob[] }[]> {
  const dead = workers.filter((w) => w.status === 'dead');
  return Promise.all(dead.map(async ({ row }) => ({ worker: row, jobs: await listJobsHeldBy(engine, row.id, heldJobsShown) })));
}
