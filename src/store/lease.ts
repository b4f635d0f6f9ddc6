import type { Engine, Statement } from '../db/engine';
import { fingerprintOf } from '../core/fingerprint';
import { recordFingerprintStatement } from './failure-groups';
import { finishStatements, type EndState } from './finish';
import { readyState } from './rows';

/** One attempt a worker holds, as its lease keeper tracks it. */
export interface HeldAttempt {
  jobId: string;
  attempt: number;
}

/** The key of an attempt in every in-process map: a job's attempts never share one. */
export const attemptKey = (jobId: string, attempt: number): string => `${jobId}#${attempt}`;

export interface Renewal {
  /** Keys (attemptKey) of the attempts whose lease was extended: one asked for and missing here was taken over. */
  renewed: Set<string>;
  /** Keys of renewed attempts someone asked to cancel: the worker should abort them. */
  cancelRequested: Set<string>;
}

/**
 * Extends the leases of exactly the attempts given (never another job the
 * worker's id still holds, such as one whose settle gave up: that lease must
 * run out) to `now + leaseMs`, and records the worker's heartbeat, in one
 * batch. Each renewal moves locked_until forward by at least 1 ms, so a
 * reaper watching it always sees a live lease change.
 */
export async function renewLeases(
  engine: Engine, args: { workerId: string; attempts: HeldAttempt[]; now: number; leaseMs: number },
): Promise<Renewal> {
  const statements: Statement[] = [{ sql: `UPDATE workers SET last_heartbeat_at = ? WHERE id = ?`, args: [args.now, args.workerId] }];
  if (args.attempts.length) {
    statements.push({
      sql: `UPDATE jobs INDEXED BY jobs_owner_idx SET locked_until = max(?, locked_until + 1)
            WHERE state = 'running' AND locked_by = ? AND (id || '#' || attempts) IN (SELECT value FROM json_each(?))
            RETURNING id, attempts, cancel_requested`,
      args: [args.now + args.leaseMs, args.workerId, JSON.stringify(args.attempts.map((a) => attemptKey(a.jobId, a.attempt)))],
    });
  }
  const [, renewed = []] = await engine.batch(statements);
  const keyOf = (r: Record<string, unknown>) => attemptKey(String(r.id), Number(r.attempts));
  return {
    renewed: new Set(renewed.map(keyOf)),
    cancelRequested: new Set(renewed.filter((r) => Number(r.cancel_requested) === 1).map(keyOf)),
  };
}

/** A running attempt's lease as a reaper sees it: unchanged for a whole lease means nobody renews it. */
export interface RunningLease {
  jobId: string;
  attempt: number;
  lockedBy: string;
  lockedUntil: number;
  scheduleName: string | null;
  concurrencyKey: string | null;
}

/** Read-only. Every running attempt's lease. */
export async function listRunningLeases(engine: Engine): Promise<RunningLease[]> {
  const rows = await engine.all<Record<string, unknown>>(
    `SELECT id, attempts, locked_by, locked_until, schedule_name, concurrency_key FROM jobs INDEXED BY jobs_lease_idx WHERE state = 'running'`,
  );
  return rows.map((r) => ({
    jobId: String(r.id), attempt: Number(r.attempts), lockedBy: String(r.locked_by), lockedUntil: Number(r.locked_until),
    scheduleName: r.schedule_name == null ? null : String(r.schedule_name), concurrencyKey: r.concurrency_key == null ? null : String(r.concurrency_key),
  }));
}

export interface ReapedJob {
  id: string;
  state: Exclude<EndState, 'completed'>;
  attempts: number;
  lostBy: string;
}

const leaseExpiredMessage = (worker: string) => `Lease expired: worker ${worker} stopped renewing it`;
/**
 * A job failed by a lost lease on its last attempt: one failure whichever
 * worker died (a worker id is a host, a pid and a random tail, which no
 * normalising would make the same on every host).
 */
const leaseExpiredFailure = fingerprintOf('LeaseExpiredError', leaseExpiredMessage('<worker>'));

/**
 * Takes back attempts whose lease nobody renewed (their worker crashed or
 * stalled): each attempt is recorded as lost, and its job goes back to
 * pending, or to failed on its last attempt (counted in its schedule, with
 * the lost lease's fingerprint), or to cancelled if someone asked to cancel
 * it. Each take-back is a compare-and-set on the lease exactly as the
 * reaper saw it (the attempt and its locked_until), so a renewal that landed
 * since, or another reaper, wins. One batch.
 */
export async function reapLeases(engine: Engine, leases: RunningLease[], now: number): Promise<ReapedJob[]> {
  if (leases.length === 0) return [];
  const statements: Statement[][] = leases.map((lease) => {
    const owner = { jobId: lease.jobId, workerId: lease.lockedBy, attempt: lease.attempt, concurrencyKey: lease.concurrencyKey };
    const error = leaseExpiredMessage(lease.lockedBy);
    return finishStatements(
      owner, { outcome: 'lost', now, error: { name: 'LeaseExpiredError', message: error }, logs: [], scheduleName: lease.scheduleName },
      `state = CASE WHEN cancel_requested = 1 THEN 'cancelled' WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
       completed_at = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN ? END,
       scheduled = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN 0 ELSE ${readyState} END, error = ?,
       fingerprint = CASE WHEN cancel_requested = 0 AND attempts >= max_attempts THEN ? ELSE fingerprint END`,
      [now, error, leaseExpiredFailure.fingerprint],
      { sql: ' AND locked_until = ?', args: [lease.lockedUntil] },
    );
  });
  // After every take-back, so the positions of their results stay as counted below.
  const results = await engine.batch([...statements.flat(), recordFingerprintStatement(leaseExpiredFailure)]);
  const reaped: ReapedJob[] = [];
  let at = 0;
  leases.forEach((lease, i) => {
    const moved = results[at + 1];
    at += statements[i].length;
    if (moved.length === 1) reaped.push({ id: lease.jobId, state: moved[0].state as ReapedJob['state'], attempts: lease.attempt, lostBy: lease.lockedBy });
  });
  return reaped;
}
