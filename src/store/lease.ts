import type { Engine } from '../db/engine';
import { readyState } from './rows';

export interface Renewal {
  /** Jobs the worker still owns: one it runs that is missing here was taken from it. */
  owned: Set<string>;
  /** Owned jobs someone cancelled: the worker should abort them. */
  cancelRequested: Set<string>;
}

/**
 * Extends the lease of every job this worker still owns to `now + leaseMs`
 * and records the worker's heartbeat, in one batch.
 */
export async function renewLeases(engine: Engine, args: { workerId: string; now: number; leaseMs: number }): Promise<Renewal> {
  const [renewed] = await engine.batch([
    {
      sql: `UPDATE jobs INDEXED BY jobs_owner_idx SET locked_until = ? WHERE state = 'running' AND locked_by = ? RETURNING id, cancel_requested`,
      args: [args.now + args.leaseMs, args.workerId],
    },
    { sql: `UPDATE workers SET last_heartbeat_at = ? WHERE id = ?`, args: [args.now, args.workerId] },
  ]);
  return {
    owned: new Set(renewed.map((r) => String(r.id))),
    cancelRequested: new Set(renewed.filter((r) => Number(r.cancel_requested) === 1).map((r) => String(r.id))),
  };
}

export interface ReapedJob {
  id: string;
  state: 'pending' | 'failed';
  attempts: number;
  lostBy: string;
}

/**
 * Takes back every running job whose lease expired before `now` (its worker
 * crashed or stalled): the attempt is recorded as lost, and the job goes back
 * to pending to be claimed again, or to failed if that was its last attempt.
 * One batch, so two reapers at once cannot both take the same job.
 */
export async function reapExpiredLeases(engine: Engine, now: number): Promise<ReapedJob[]> {
  const [, reaped] = await engine.batch([
    {
      sql: `INSERT OR IGNORE INTO job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error)
            SELECT id, attempts, locked_by, started_at, ?, 'lost', 'Lease expired: worker ' || locked_by || ' stopped renewing it'
            FROM jobs INDEXED BY jobs_lease_idx WHERE state = 'running' AND locked_until < ?`,
      args: [now, now],
    },
    {
      sql: `UPDATE jobs INDEXED BY jobs_lease_idx SET
              state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
              completed_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END,
              scheduled = ${readyState}, error = 'Lease expired: worker ' || locked_by || ' stopped renewing it',
              locked_by = NULL, locked_until = NULL
            WHERE state = 'running' AND locked_until < ?
            RETURNING id, state, attempts, error`,
      args: [now, now],
    },
  ]);
  return reaped.map((r) => ({
    id: String(r.id),
    state: r.state as ReapedJob['state'],
    attempts: Number(r.attempts),
    lostBy: String(r.error).replace(/^Lease expired: worker (\S+).*$/, '$1'),
  }));
}
