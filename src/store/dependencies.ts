import type { Engine } from '../db/engine';
import { fingerprintOf } from '../core/fingerprint';
import { recordFingerprintStatement } from './failure-groups';
import { grantSlotsOf } from './limits';
import { readyState } from './rows';
import { webhookDeliveriesStatement } from './webhooks';

/** How the error of a job failed for its parent starts: only resolveDependents writes it. */
const parentFailedPrefix = 'A job it depends on did not complete: ';

/** Cascades of failures deeper than this are finished by the next sweep. */
const maxRounds = 50;

const parentsOf = `SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.parent_id WHERE d.job_id = jobs.id`;

/** Of a blocked job's parents, the first (by id) that failed or was cancelled: `column` of it. */
const endedBadly = (column: string) => `(SELECT ${column} FROM job_dependencies d JOIN jobs p ON p.id = d.parent_id
  WHERE d.job_id = jobs.id AND p.state IN ('failed', 'cancelled') ORDER BY d.parent_id LIMIT 1)`;

/**
 * The failure of a job whose parent failed or was cancelled, one per parent
 * state: the message the UPDATE below writes, with the parent's id as
 * fingerprintOf normalises it (a test holds the two to each other).
 */
export const parentFailures = {
  failed: fingerprintOf('Error', `${parentFailedPrefix}<uuid> was failed`),
  cancelled: fingerprintOf('Error', `${parentFailedPrefix}<uuid> was cancelled`),
};

/**
 * Resolves blocked jobs whose parents have ended: a job set to `fail` fails
 * (with the parent named) as soon as one parent failed or was cancelled, and
 * its own dependents follow; a job whose parents have all ended (completed,
 * or any end for `run`) joins the claim index (or waits for its run_at, or
 * its paused queue). Either `jobIds` (the blocked jobs to look at) or
 * `parentIds` (look at their dependents) narrows it; with neither it sweeps
 * every blocked job, which is what makes it safe after a crash between a
 * parent's end and this call. Returns the ids it failed and released.
 */
export async function resolveDependents(
  engine: Engine,
  args: { now: number; jobIds?: string[]; parentIds?: string[] },
): Promise<{ failed: string[]; released: string[] }> {
  const failed: string[] = [];
  const released: string[] = [];
  let scope = args.jobIds
    ? { sql: `AND id IN (SELECT value FROM json_each(?))`, args: [JSON.stringify(args.jobIds)] }
    : args.parentIds
      ? { sql: `AND id IN (SELECT job_id FROM job_dependencies WHERE parent_id IN (SELECT value FROM json_each(?)))`, args: [JSON.stringify(args.parentIds)] }
      : { sql: '', args: [] as string[] };
  for (let round = 0; round < maxRounds; round++) {
    const [failedNow, , releasedNow] = await engine.batch([
      {
        sql: `UPDATE jobs INDEXED BY jobs_blocked_idx SET state = 'failed', scheduled = 0, completed_at = ?,
                error = '${parentFailedPrefix}' || ${endedBadly(`p.id || ' was ' || p.state`)},
                fingerprint = CASE ${endedBadly('p.state')} WHEN 'cancelled' THEN ? ELSE ? END
              WHERE state = 'pending' AND scheduled = 3 AND parent_failure = 'fail'
                AND EXISTS (${parentsOf} AND p.state IN ('failed', 'cancelled')) ${scope.sql}
              RETURNING id`,
        args: [args.now, parentFailures.cancelled.fingerprint, parentFailures.failed.fingerprint, ...scope.args],
      },
      // The dependents the statement before just failed (so not when it failed none): in its scope, ended
      // at its time, with the error only it writes.
      webhookDeliveriesStatement({
        sql: `changes() > 0 AND j.id IN (SELECT id FROM jobs WHERE 1 ${scope.sql}) AND j.state = 'failed' AND j.completed_at = ? AND j.error LIKE '${parentFailedPrefix}%'`,
        args: [...scope.args, args.now],
      }, args.now),
      {
        sql: `UPDATE jobs INDEXED BY jobs_blocked_idx SET scheduled = CASE WHEN run_at > ? THEN 1 ELSE ${readyState} END
              WHERE state = 'pending' AND scheduled = 3
                AND NOT EXISTS (${parentsOf} AND (p.state IN ('pending', 'running') OR (jobs.parent_failure = 'fail' AND p.state != 'completed')))
                ${scope.sql}
              RETURNING id, concurrency_key`,
        args: [args.now, ...scope.args],
      },
    ]);
    // Released jobs with a concurrency key wait for a slot: take free ones at once.
    await grantSlotsOf(engine, releasedNow.map((r) => r.concurrency_key as string | null));
    // Only when jobs failed, so that a batch that fails none (an enqueue, most sweeps) does no more than
    // before. A crash just before this leaves their group without a description until the next such failure.
    if (failedNow.length) await engine.batch(Object.values(parentFailures).map(recordFingerprintStatement));
    failed.push(...failedNow.map((r) => String(r.id)));
    released.push(...releasedNow.map((r) => String(r.id)));
    if (failedNow.length === 0) break;
    // The jobs that just failed may have dependents of their own.
    const ids = failedNow.map((r) => String(r.id));
    scope = { sql: `AND id IN (SELECT job_id FROM job_dependencies WHERE parent_id IN (SELECT value FROM json_each(?)))`, args: [JSON.stringify(ids)] };
  }
  return { failed, released };
}

/** Read-only. The jobs `jobId` depends on, with their state and JSON result. */
export async function getParents(engine: Engine, jobId: string): Promise<{ id: string; name: string; state: string; result: string | null }[]> {
  return engine.all(
    `SELECT p.id, p.name, p.state, p.result FROM job_dependencies d JOIN jobs p ON p.id = d.parent_id WHERE d.job_id = ? ORDER BY p.id`,
    [jobId],
  );
}
