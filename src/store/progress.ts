import type { Engine } from '../db/engine';

/**
 * Stores a progress report on the job and in its history, both only if the
 * worker still owns the job. Returns false when it does not.
 */
export async function recordProgress(
  engine: Engine,
  args: { jobId: string; workerId: string; percent: number; message: string | null; now: number },
): Promise<boolean> {
  const owned = `id = ? AND state = 'running' AND locked_by = ?`;
  const [, updated] = await engine.batch([
    {
      sql: `INSERT INTO job_progress (job_id, attempt, percent, message, at) SELECT id, attempts, ?, ?, ? FROM jobs WHERE ${owned}`,
      args: [args.percent, args.message, args.now, args.jobId, args.workerId],
    },
    {
      sql: `UPDATE jobs SET progress = ?, progress_message = ? WHERE ${owned} RETURNING id`,
      args: [args.percent, args.message, args.jobId, args.workerId],
    },
  ]);
  return updated.length === 1;
}
