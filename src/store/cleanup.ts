import type { Engine, SqlArg, Statement } from '../db/engine';

/** Rows deleted per transaction, so cleanup never holds the write lock for long. */
const chunkSize = 1_000;

/**
 * Deletes jobs in `states` that finished before `finishedBefore`, with their
 * attempts, progress and dependency rows, a chunk per write batch (the deletes of
 * a chunk pick the same jobs in the same transaction). Returns how many jobs it
 * deleted. Never touches pending or running jobs.
 */
export async function deleteFinishedJobs(engine: Engine, states: FinishedState[], finishedBefore: number): Promise<number> {
  let deleted = 0;
  for (const state of states) deleted += await deleteFinished(engine, state, finishedBefore);
  return deleted;
}

type FinishedState = 'completed' | 'failed' | 'cancelled';

async function deleteFinished(engine: Engine, state: FinishedState, finishedBefore: number): Promise<number> {
  const chunk = `SELECT id FROM jobs INDEXED BY jobs_finished_idx WHERE state = ? AND completed_at < ?
    ORDER BY completed_at LIMIT ${chunkSize}`;
  const args = [state, finishedBefore];
  let deleted = 0;
  for (;;) {
    const results = await engine.batch(deleteJobsStatements(chunk, args));
    const rows = results[results.length - 1];
    deleted += rows.length;
    if (rows.length < chunkSize) return deleted;
  }
}

/**
 * The statements that delete the jobs `chosen` (a SELECT of ids, run with
 * `args`) with their attempts, progress and dependency rows; in one batch,
 * every statement picks the same jobs. The last one returns the deleted ids.
 */
export function deleteJobsStatements(chosen: string, args: SqlArg[]): Statement[] {
  return [
    { sql: `DELETE FROM job_attempts WHERE job_id IN (${chosen})`, args },
    { sql: `DELETE FROM job_progress WHERE job_id IN (${chosen})`, args },
    // Both ends: a finished job's own parents, and its links to children, which ended or were resolved when it did.
    { sql: `DELETE FROM job_dependencies WHERE job_id IN (${chosen})`, args },
    { sql: `DELETE FROM job_dependencies WHERE parent_id IN (${chosen})`, args },
    { sql: `DELETE FROM jobs WHERE id IN (${chosen}) RETURNING id`, args },
  ];
}
