import type { Engine, SqlArg } from '../db/engine';
import { JobsError } from '../core/errors';
import { deleteJobsStatements } from './cleanup';
import { grantSlotsStatement } from './limits';
import { readyState } from './rows';
import { webhookDeliveriesStatement } from './webhooks';

/**
 * Cancels a job: a pending one at once (-> cancelled); a running one is
 * marked, and its worker aborts it at its next heartbeat and records it
 * cancelled, without retry. A finished job is a conflict and is left as it
 * is. One write batch; returns which of the two happened.
 */
export async function cancelJob(engine: Engine, id: string, now: number): Promise<'cancelled' | 'cancelling'> {
  const [pending, , running, current] = await engine.batch([
    {
      sql: `UPDATE jobs SET state = 'cancelled', completed_at = ?, error = '${cancelledBeforeItRan}', scheduled = 0
            WHERE id = ? AND state = 'pending' RETURNING id`,
      args: [now, id],
    },
    webhookDeliveriesStatement(cancelledNow(`j.id = ?`, [id], now), now),
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
 * Jobs among `which` that the cancel just before (at `now`) took from pending, for their webhook
 * deliveries: nothing when it cancelled none, else those ended at its time with the error only it writes.
 */
function cancelledNow(which: string, args: SqlArg[], now: number): { sql: string; args: SqlArg[] } {
  return { sql: `changes() > 0 AND ${which} AND j.state = 'cancelled' AND j.completed_at = ? AND j.error = '${cancelledBeforeItRan}'`, args: [...args, now] };
}

const cancelledBeforeItRan = 'Cancelled before it ran';

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

/**
 * Cancels many jobs in one write batch, as cancelJob does one: pending ones at
 * once, running ones marked for their workers; finished ones are left as they
 * are. Returns the ids of each kind.
 */
export async function cancelJobs(engine: Engine, ids: readonly string[], now: number): Promise<{ cancelled: string[]; cancelling: string[] }> {
  if (ids.length === 0) return { cancelled: [], cancelling: [] };
  const list = JSON.stringify(ids);
  const [pending, , running] = await engine.batch([
    {
      sql: `UPDATE jobs SET state = 'cancelled', completed_at = ?, error = '${cancelledBeforeItRan}', scheduled = 0
            WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending' RETURNING id`,
      args: [now, list],
    },
    webhookDeliveriesStatement(cancelledNow(`j.id IN (SELECT value FROM json_each(?))`, [list], now), now),
    { sql: `UPDATE jobs SET cancel_requested = 1 WHERE id IN (SELECT value FROM json_each(?)) AND state = 'running' RETURNING id`, args: [list] },
    grantSlotsStatement(),
  ]);
  return { cancelled: pending.map((r) => String(r.id)), cancelling: running.map((r) => String(r.id)) };
}

/**
 * Deletes finished jobs (completed, failed or cancelled) among `ids`, with
 * their attempts, progress and dependency rows, in one write batch (every
 * delete picks the same jobs in the same transaction). Pending and running
 * jobs are never touched. Returns the ids it deleted.
 */
export async function deleteJobs(engine: Engine, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const chosen = `SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('completed', 'failed', 'cancelled')`;
  const args = [JSON.stringify(ids)];
  const results = await engine.batch(deleteJobsStatements(chosen, args));
  return results[results.length - 1].map((r) => String(r.id));
}
