import type { Engine } from '../db/engine';
import { JobsError } from '../core/errors';
import { grantSlotsStatement } from './limits';
import { readyState } from './rows';

/**
 * Cancels a job: a pending one at once (-> cancelled); a running one is
 * marked, and its worker aborts it at its next heartbeat and records it
 * cancelled, without retry. A finished job is a conflict and is left as it
 * is. One write batch; returns which of the two happened.
 */
export async function cancelJob(engine: Engine, id: string, now: number): Promise<'cancelled' | 'cancelling'> {
  const [pending, running, current] = await engine.batch([
    {
      sql: `UPDATE jobs SET state = 'cancelled', completed_at = ?, error = 'Cancelled before it ran', scheduled = 0
            WHERE id = ? AND state = 'pending' RETURNING id`,
      args: [now, id],
    },
    { sql: `UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running' RETURNING id`, args: [id] },
    { sql: `SELECT state FROM jobs WHERE id = ?`, args: [id] },
    grantSlotsStatement(), // a cancelled job may have held a slot of its concurrency key
  ]);
  if (pending.length) return 'cancelled';
  if (running.length) return 'cancelling';
  if (current.length === 0) throw new JobsError('not_found', `No job ${id}`);
  throw new JobsError('conflict', `Job ${id} is already ${String(current[0].state)}; only a pending or running job can be cancelled`);
}

/**
 * Puts failed or cancelled jobs back to pending, due now, with as many
 * attempts again as they had (attempt numbers go on, so every earlier attempt
 * stays recorded). A job whose idempotency key a live job now holds is left
 * as it is. Returns the ids it put back.
 */
export async function retryJobs(engine: Engine, ids: string[], now: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const [rows] = await engine.batch([{
    sql: `UPDATE OR IGNORE jobs SET state = 'pending', scheduled = ${readyState}, run_at = ?, max_attempts = attempts + max_attempts,
       completed_at = NULL, result = NULL, cancel_requested = 0, progress = 0, progress_message = NULL
     WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('failed', 'cancelled') RETURNING id`,
    args: [now, JSON.stringify(ids)],
  }, grantSlotsStatement()]);
  return rows.map((r) => String(r.id));
}
