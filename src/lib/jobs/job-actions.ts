import { JobsError } from '../../core/errors';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { appendActivity, type Actor } from '../../store/activity';
import { cancelJob, retryJobs } from '../../store/admin';
import { resolveDependents } from '../../store/dependencies';
import { getJob } from '../../store/queries';

/**
 * The changes a person asks for by hand, the same from the CLI, the HTTP API
 * and (later) the admin page: each one store call, its action-log entry with
 * who asked, and the doorbell ring that tells workers at once.
 */

/**
 * Cancels a pending job at once (its dependents are resolved), or marks a
 * running one and rings its worker, which aborts it at once; conflict if it
 * already ended. `id` is a whole id.
 */
export async function cancelJobAs(engine: Engine, id: string, who: Actor): Promise<'cancelled' | 'cancelling'> {
  const result = await cancelJob(engine, id, Date.now());
  await appendActivity(engine, { actor: who, action: 'job.cancel', jobIds: [id], details: { result } }, Date.now());
  if (result === 'cancelled') await resolveDependents(engine, { parentIds: [id], now: Date.now() });
  // A running job's worker hears of it now instead of at its next heartbeat.
  if (result === 'cancelling' && engine.kind === 'file') ringDoorbell(engine.location, 'cancel');
  return result;
}

/** Refuses, with a conflict, a job that is neither failed nor cancelled (a missing one is left to the retry). */
export async function assertRetryable(engine: Engine, id: string): Promise<void> {
  const job = await getJob(engine, id);
  if (job && job.state !== 'failed' && job.state !== 'cancelled') {
    throw new JobsError('conflict', `Job ${id} is ${job.state}; only a failed or cancelled job can be retried`);
  }
}

/**
 * Puts failed or cancelled jobs back to pending, due now, logs it and rings
 * the workers. Returns the ids it put back; the others were left as they are
 * (a live job holds their idempotency key, or they changed meanwhile).
 */
export async function retryJobsAs(engine: Engine, ids: string[], who: Actor): Promise<string[]> {
  const retried = await retryJobs(engine, ids, Date.now());
  if (retried.length) await appendActivity(engine, { actor: who, action: 'job.retry', jobIds: retried }, Date.now());
  if (retried.length && engine.kind === 'file') ringDoorbell(engine.location, 'ready');
  return retried;
}
