import type { Engine, SqlArg, Statement } from '../db/engine';
import type { ErrorInfo, LogLine } from '../core/outcome';
import { fingerprintOf } from '../core/fingerprint';
import { recordFingerprintStatement } from './failure-groups';
import { grantSlotsStatement } from './limits';
import { readyState } from './rows';
import { webhookDeliveriesStatement } from './webhooks';

/**
 * One attempt of one job: every write an attempt makes is fenced by all three,
 * so that an attempt whose lease was taken over writes nothing, even when the
 * job went back to the same worker as a later attempt.
 */
export interface AttemptOwner {
  jobId: string;
  workerId: string;
  /** The attempt number its claim gave it (jobs.attempts right after the claim). */
  attempt: number;
  /** The job's concurrency key: the slot it frees goes to the next job waiting for one, in the same batch. */
  concurrencyKey?: string | null;
}

export type AttemptOutcome = 'completed' | 'failed' | 'timed_out' | 'cancelled' | 'interrupted' | 'lost';

/** Where a job went when its attempt ended. */
export type EndState = 'completed' | 'pending' | 'failed' | 'cancelled';

export interface Finish {
  outcome: AttemptOutcome;
  now: number;
  error?: ErrorInfo;
  logs: LogLine[];
  /** The cron schedule that enqueued the job: its completed or failed count goes up with the job. */
  scheduleName?: string | null;
}

/** The WHERE clause that fences a write to one attempt; its arguments come from fenceArgs. */
export const ownedAttempt = `id = ? AND state = 'running' AND locked_by = ? AND attempts = ?`;
export const fenceArgs = (owner: AttemptOwner): SqlArg[] => [owner.jobId, owner.workerId, owner.attempt];

/**
 * A job someone asked to cancel ends cancelled instead of going back to
 * pending (or failing), whatever its attempt came to; only a completion
 * stands. `otherwise` is the SQL of the state it would take.
 */
const unlessCancelled = (otherwise: string) => `CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE ${otherwise} END`;

/**
 * The statements that end one attempt: its attempt row and the job's move,
 * both fenced to the attempt (`fence` may narrow it further, as the reaper's
 * lease token does), the schedule's count when the job ended, and the freed
 * slot of its concurrency key. `setSql` must set `state`.
 */
export function finishStatements(
  owner: AttemptOwner, finish: Finish, setSql: string, setArgs: SqlArg[], fence: { sql: string; args: SqlArg[] } = { sql: '', args: [] },
): Statement[] {
  const where = `${ownedAttempt}${fence.sql}`;
  const guard = [...fenceArgs(owner), ...fence.args];
  const statements: Statement[] = [
    {
      sql: `INSERT OR IGNORE INTO job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error, error_stack, logs)
            SELECT id, attempts, locked_by, started_at, ?, ?, ?, ?, ? FROM jobs WHERE ${where}`,
      args: [
        finish.now, finish.outcome, finish.error?.message ?? null, finish.error?.stack ?? null,
        finish.logs.length ? JSON.stringify(finish.logs) : null, ...guard,
      ],
    },
    {
      // cancel_requested is read (old value) by setSql's CASEs before this clears it.
      sql: `UPDATE jobs SET ${setSql}, cancel_requested = 0, locked_by = NULL, locked_until = NULL WHERE ${where} RETURNING state`,
      args: [...setArgs, ...guard],
    },
  ];
  if (finish.scheduleName) {
    // changes() is the job's move just before: an attempt that lost its lease counts nothing.
    statements.push({
      sql: `UPDATE cron_jobs SET runs_completed = runs_completed + (j.state = 'completed'), runs_failed = runs_failed + (j.state = 'failed')
            FROM (SELECT state FROM jobs WHERE id = ?) AS j WHERE cron_jobs.name = ? AND changes() = 1`,
      args: [owner.jobId, finish.scheduleName],
    });
  }
  // Ended by this very batch: its end time is this finish's, and the attempt row is the one this finish wrote.
  statements.push(webhookDeliveriesStatement({
    sql: `j.id = ? AND j.completed_at = ? AND EXISTS (SELECT 1 FROM job_attempts a WHERE a.job_id = j.id AND a.attempt = ? AND a.outcome = ?)`,
    args: [owner.jobId, finish.now, owner.attempt, finish.outcome],
  }, finish.now));
  if (owner.concurrencyKey) statements.push(grantSlotsStatement(owner.concurrencyKey));
  return statements;
}

/**
 * Runs finishStatements, and `after` in the same batch; returns where the job
 * went, or null if this attempt no longer owns it.
 */
async function finishAttempt(
  engine: Engine, owner: AttemptOwner, finish: Finish, setSql: string, setArgs: SqlArg[], after: Statement[] = [],
): Promise<EndState | null> {
  const [, moved] = await engine.batch([...finishStatements(owner, finish, setSql, setArgs), ...after]);
  return moved.length === 1 ? (moved[0].state as EndState) : null;
}

/** running -> completed with its JSON result. Null if the attempt no longer owns the job. */
export function completeJob(
  engine: Engine, owner: AttemptOwner, args: { result: string | null; now: number; logs: LogLine[]; scheduleName?: string | null },
): Promise<EndState | null> {
  return finishAttempt(engine, owner, { ...args, outcome: 'completed' },
    `state = 'completed', result = ?, error = NULL, progress = 100, completed_at = ?`, [args.result, args.now]);
}

/**
 * running -> pending, to run again at `runAt` (scheduled if in the future);
 * -> cancelled instead if someone asked to cancel it meanwhile. An attempt
 * interrupted by a worker's shutdown does not count against max_attempts: the
 * job gets the attempt back. Null if the attempt no longer owns the job.
 */
export function retryJob(
  engine: Engine,
  owner: AttemptOwner,
  args: { outcome: 'failed' | 'timed_out' | 'interrupted'; error?: ErrorInfo; runAt: number; now: number; logs: LogLine[] },
): Promise<EndState | null> {
  const refund = args.outcome === 'interrupted' ? ', max_attempts = max_attempts + 1' : '';
  return finishAttempt(engine, owner, args,
    `state = ${unlessCancelled(`'pending'`)}, completed_at = CASE WHEN cancel_requested = 1 THEN ? END,
     scheduled = CASE WHEN cancel_requested = 1 THEN 0 WHEN ? > ? THEN 1 ELSE ${readyState} END, run_at = ?,
     error = coalesce(?, error)${refund}`,
    [args.now, args.runAt, args.now, args.runAt, args.error?.message ?? null]);
}

/**
 * running -> failed (attempts exhausted, non-retryable, or timed out on the
 * last attempt; cancelled instead if someone asked to cancel it meanwhile) or
 * -> cancelled. A failed job gets its error's fingerprint, and the
 * fingerprint's description is recorded in the same batch (its failure group
 * is counted by trigger). Null if the attempt no longer owns the job.
 */
export function endJob(
  engine: Engine,
  owner: AttemptOwner,
  args: { state: 'failed' | 'cancelled'; outcome: AttemptOutcome; error: ErrorInfo; now: number; logs: LogLine[]; scheduleName?: string | null },
): Promise<EndState | null> {
  const setSql = `state = ${unlessCancelled('?')}, error = ?, completed_at = ?`;
  const setArgs: SqlArg[] = [args.state, args.error.message, args.now];
  if (args.state !== 'failed') return finishAttempt(engine, owner, args, setSql, setArgs);
  const failure = fingerprintOf(args.error.name, args.error.message, args.error.stack);
  return finishAttempt(engine, owner, args, `${setSql}, fingerprint = CASE WHEN cancel_requested = 1 THEN fingerprint ELSE ? END`,
    [...setArgs, failure.fingerprint], [recordFingerprintStatement(failure)]);
}
