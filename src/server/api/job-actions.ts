import { getConfig } from '../../config/env';
import { JobsError } from '../../core/errors';
import { toJsonParams } from '../../core/json';
import type { Engine } from '../../db/engine';
import { registry } from '../../jobs';
import { buildNewJob } from '../../lib/jobs/job-spec';
import { storeNewJobs } from '../../lib/jobs/enqueue';
import { assertRetryable, cancelJobAs, retryJobsAs } from '../../lib/jobs/job-actions';
import { readJobDetailJson, readJobsJson, type JobDetailJson, type JobJson } from '../../lib/jobs/json';
import { appendActivity, type Actor } from '../../store/activity';
import { getJob, resolveJobId } from '../../store/queries';
import type { EnqueueRequest } from './enqueue-body';

/** The one-job changes of the API: each one store call, one action-log entry, and the doorbell. */

/** Stores a job; `created` is false when its idempotency key found a live job, which is returned instead. */
export async function enqueueJob(engine: Engine, request: EnqueueRequest, who: Actor): Promise<{ job: JobJson; created: boolean }> {
  const now = Date.now();
  const config = getConfig();
  // Size before the class's schema: params too large are a 413 whatever else is wrong with them.
  toJsonParams(request.params, config.maxParamsBytes);
  // Every id a job depends on may be typed as anywhere else: full, a unique prefix, the short form.
  const dependsOn = request.options.dependsOn && (await Promise.all(request.options.dependsOn.map((typed) => resolveJobId(engine, typed))));
  const row = buildNewJob(registry.resolve(request.name), request.params, { ...request.options, dependsOn }, config, now);
  const [id] = await storeNewJobs(engine, [row], now);
  const created = id === row.id;
  if (created) await appendActivity(engine, { actor: who, action: 'job.enqueue', jobIds: [id], details: { name: row.name, queue: row.queue } }, now);
  const stored = await getJob(engine, id);
  if (!stored) throw new JobsError('not_found', `Job ${id} was stored, then deleted before it could be shown`);
  return { job: (await readJobsJson(engine, [stored]))[0], created };
}

/** Puts a failed or cancelled job back to pending; conflict for any other state, or when a live job holds its idempotency key. */
export async function retryJob(engine: Engine, typed: string, who: Actor): Promise<JobDetailJson> {
  const id = await resolveJobId(engine, typed);
  await assertRetryable(engine, id);
  const [retried] = await retryJobsAs(engine, [id], who);
  if (!retried) throw new JobsError('conflict', `Job ${id} was left as it is: a live job holds its idempotency key, or it changed meanwhile`);
  return readJobDetailJson(engine, id);
}

/** Cancels a pending job at once, or marks a running one for its worker; conflict if it already ended. */
export async function cancelOneJob(engine: Engine, typed: string, who: Actor): Promise<{ result: 'cancelled' | 'cancelling'; job: JobDetailJson }> {
  const id = await resolveJobId(engine, typed);
  const result = await cancelJobAs(engine, id, who);
  return { result, job: await readJobDetailJson(engine, id) };
}
