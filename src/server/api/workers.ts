import { getConfig } from '../../config/env';
import type { WorkerRow } from '../../store/queries';

/**
 * A worker as the API shows it: `status` is alive while it heartbeats (three
 * times per lease; two leases of silence mean dead, as the store counts live
 * workers), stopped after a clean stop.
 */
export function workerJson(row: WorkerRow, now: number) {
  const status = row.stoppedAt !== null ? 'stopped' : row.lastHeartbeatAt > now - 2 * getConfig().leaseMs ? 'alive' : 'dead';
  return {
    id: row.id, host: row.host, pid: row.pid, status,
    queues: row.queues === '*' ? [] : row.queues.split(','), concurrency: row.concurrency,
    jobNames: row.jobNames === null ? null : (JSON.parse(row.jobNames) as string[]),
    startedAt: new Date(row.startedAt).toISOString(), lastHeartbeatAt: new Date(row.lastHeartbeatAt).toISOString(),
    stoppedAt: row.stoppedAt === null ? null : new Date(row.stoppedAt).toISOString(),
  };
}
