import type { Engine, SqlArg, Statement } from '../db/engine';
import type { ErrorInfo, LogLine } from '../core/outcome';
import { grantSlotsStatement } from './limits';
import { readyState } from './rows';

/** Who finishes which attempt: every transition out of running checks this owner. */
export interface AttemptOwner {
  jobId: string;
  workerId: string;
  /** The job's concurrency key: the slot it frees goes to the next job waiting for one, in the same batch. */
  concurrencyKey?: string | null;
}

export type AttemptOutcome = 'completed' | 'failed' | 'timed_out' | 'cancelled' | 'interrupted';

interface Finish {
  outcome: AttemptOutcome;
  now: number;
  error?: ErrorInfo;
  logs: LogLine[];
  /** The cron schedule that enqueued the job: its completed or failed count goes up with the job. */
  scheduleName?: string | null;
}

const owned = `id = ? AND state = 'running' AND locked_by = ?`;

/**
 * The attempt row and the job's new state, written together in one batch and
 * both guarded by the owner check, so that a worker whose lease was taken over
 * writes nothing. Returns false in that case: the caller lost the job.
 */
async function finishAttempt(
  engine: Engine, owner: AttemptOwner, finish: Finish, setSql: string, setArgs: SqlArg[], scheduleCount?: 'runs_completed' | 'runs_failed',
): Promise<boolean> {
  const guard = [owner.jobId, owner.workerId];
  const recordAttempt: Statement = {
    sql: `INSERT OR IGNORE INTO job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error, error_stack, logs)
          SELECT id, attempts, locked_by, started_at, ?, ?, ?, ?, ? FROM jobs WHERE ${owned}`,
    args: [
      finish.now, finish.outcome, finish.error?.message ?? null, finish.error?.stack ?? null,
      finish.logs.length ? JSON.stringify(finish.logs) : null, ...guard,
    ],
  };
  const moveJob: Statement = {
    sql: `UPDATE jobs SET ${setSql}, locked_by = NULL, locked_until = NULL WHERE ${owned} RETURNING id`,
    args: [...setArgs, ...guard],
  };
  const statements = [recordAttempt, moveJob];
  if (scheduleCount && finish.scheduleName) {
    // changes() is the job's move just before: a lost lease counts nothing.
    statements.push({ sql: `UPDATE cron_jobs SET ${scheduleCount} = ${scheduleCount} + 1 WHERE name = ? AND changes() = 1`, args: [finish.scheduleName] });
  }
  if (owner.concurrencyKey) statements.push(grantSlotsStatement(owner.concurrencyKey));
  const [, moved] = await engine.batch(statements);
  return moved.length === 1;
}

/** running -> completed with its JSON result. False if the worker no longer owns the job. */
export function completeJob(
  engine: Engine, owner: AttemptOwner, args: { result: string | null; now: number; logs: LogLine[]; scheduleName?: string | null },
): Promise<boolean> {
  return finishAttempt(engine, owner, { ...args, outcome: 'completed' },
    `state = 'completed', result = ?, error = NULL, progress = 100, completed_at = ?`, [args.result, args.now], 'runs_completed');
}

/**
 * running -> pending, to run again at `runAt` (scheduled if in the future).
 * False if the worker no longer owns the job.
 */
export function retryJob(
  engine: Engine,
  owner: AttemptOwner,
  args: { outcome: 'failed' | 'timed_out' | 'interrupted'; error?: ErrorInfo; runAt: number; now: number; logs: LogLine[] },
): Promise<boolean> {
  return finishAttempt(engine, owner, args,
    `state = 'pending', scheduled = CASE WHEN ? > ? THEN 1 ELSE ${readyState} END, run_at = ?, error = coalesce(?, error)`,
    [args.runAt, args.now, args.runAt, args.error?.message ?? null]);
}

/**
 * running -> failed (attempts exhausted, non-retryable, or timed out on the
 * last attempt) or -> cancelled. False if the worker no longer owns the job.
 */
export function endJob(
  engine: Engine,
  owner: AttemptOwner,
  args: { state: 'failed' | 'cancelled'; outcome: AttemptOutcome; error: ErrorInfo; now: number; logs: LogLine[]; scheduleName?: string | null },
): Promise<boolean> {
  return finishAttempt(engine, owner, args, `state = ?, error = ?, completed_at = ?`, [args.state, args.error.message, args.now],
    args.state === 'failed' ? 'runs_failed' : undefined);
}
