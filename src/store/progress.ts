import type { Engine, Statement } from '../db/engine';
import { fenceArgs, ownedAttempt, type AttemptOwner } from './finish';

/** One progress report of a running attempt. */
export interface ProgressReport {
  percent: number;
  message: string | null;
  at: number;
}

/**
 * Stores progress reports of one attempt, in order, in its history, and the
 * last one on the job; all in one batch and only if the attempt still owns
 * the job. Returns false when it does not.
 */
export async function recordProgress(engine: Engine, owner: AttemptOwner, reports: ProgressReport[]): Promise<boolean> {
  if (reports.length === 0) return true;
  const guard = fenceArgs(owner);
  const last = reports[reports.length - 1];
  const statements: Statement[] = reports.map((report) => ({
    sql: `INSERT INTO job_progress (job_id, attempt, percent, message, at) SELECT id, attempts, ?, ?, ? FROM jobs WHERE ${ownedAttempt}`,
    args: [report.percent, report.message, report.at, ...guard],
  }));
  statements.push({ sql: `UPDATE jobs SET progress = ?, progress_message = ? WHERE ${ownedAttempt} RETURNING id`, args: [last.percent, last.message, ...guard] });
  const results = await engine.batch(statements);
  return results[results.length - 1].length === 1;
}
