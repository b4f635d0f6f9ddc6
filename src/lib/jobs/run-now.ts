import { getConfig } from '../../config/env';
import { parseDuration } from '../../core/duration';
import { newJobId } from '../../core/ids';
import { jobEvents } from './events';
import { executeAttempt } from './execute';
import type { JobClass } from './job';
import { JobFailedError } from './job-failed-error';
import { openGivenParams } from './job-spec';
import { jobNameOf } from './job-name';
import type { BatchOptions, BatchResult, JobMetadata } from './types';

/**
 * Runs one attempt in this process without storing anything, with the
 * class's timeout and a signal; progress and logs go to the in-process events.
 * Nothing is stored, so nothing is encrypted; a value given encrypted (copied
 * from a stored job or schedule) is decrypted as a worker would.
 */
export async function runNow<P, R>(jobClass: JobClass<P, R>, params: P): Promise<{ data: R; metadata: JobMetadata }> {
  const config = getConfig();
  const jobName = jobNameOf(jobClass);
  const jobId = newJobId();
  const enqueuedAt = new Date();
  const clear = openGivenParams(jobClass, params, config);
  jobEvents.emit('job.started', { jobId, jobName, attempt: 1, workerId: null });
  const run = await executeAttempt(jobClass, clear, {
    jobId,
    jobName,
    attempt: 1,
    maxAttempts: 1,
    timeoutMs: parseDuration(jobClass.options?.timeout ?? config.timeoutMs),
    abortGraceMs: config.abortGraceMs,
    onProgress: async (percent, message) => jobEvents.emit('job.progress', { jobId, jobName, percent, message }),
    parents: async () => [],
  });
  const { outcome } = run;
  const metadata: JobMetadata = {
    jobName,
    jobId,
    enqueuedAt,
    startedAt: new Date(run.startedAt),
    completedAt: new Date(run.startedAt + run.durationMs),
    status: outcome.kind === 'completed' ? 'completed' : outcome.kind === 'cancelled' ? 'cancelled' : 'failed',
    attempt: 1,
    durationMs: run.durationMs,
    error: 'error' in outcome ? outcome.error.message : null,
  };
  if (outcome.kind === 'completed') {
    jobEvents.emit('job.completed', { jobId, jobName, attempt: 1, durationMs: run.durationMs });
    return { data: outcome.result as R, metadata };
  }
  const message = metadata.error ?? 'lost its lease';
  jobEvents.emit('job.failed', { jobId, jobName, attempt: 1, error: message, timedOut: outcome.kind === 'timed_out' });
  throw new JobFailedError(`${jobName} failed: ${message}`, metadata, { cause: 'error' in outcome ? outcome.error : undefined });
}

/** Runs each params through runNow, `concurrency` at a time, in list order; results keep that order. */
export async function runBatch<P, R>(jobClass: JobClass<P, R>, list: P[], options: BatchOptions): Promise<BatchResult<R>[]> {
  const concurrency = Math.max(1, options.concurrency ?? 5);
  const results: BatchResult<R>[] = list.map((params) => ({ status: 'skipped', params }));
  let next = 0;
  let stopped = false;
  const lane = async () => {
    while (!stopped && next < list.length) {
      const index = next++;
      try {
        const { data, metadata } = await runNow(jobClass, list[index]);
        results[index] = { status: 'completed', data, metadata };
      } catch (error) {
        const metadata = error instanceof JobFailedError ? error.metadata : failedBeforeStart(jobClass);
        results[index] = { status: 'failed', error: error as Error, metadata };
        if (options.stopOnError) stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
  return results;
}

function failedBeforeStart(jobClass: JobClass): JobMetadata {
  return {
    jobName: jobNameOf(jobClass), jobId: '', enqueuedAt: null, startedAt: null, completedAt: null,
    status: 'failed', attempt: 0, durationMs: null, error: null,
  };
}
