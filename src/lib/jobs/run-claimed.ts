import type { Config } from '../../config/env';
import { isJobsError } from '../../core/errors';
import type { Engine } from '../../db/engine';
import type { JobRow } from '../../db/schema';
import { recordProgress } from '../../store/progress';
import { getParents, resolveDependents } from '../../store/dependencies';
import { ringDoorbell } from '../../db/doorbell';
import { jobEvents } from './events';
import { executeAttempt, type AttemptResult } from './execute';
import type { JobClass } from './job';
import type { LeaseKeeper } from './lease-keeper';
import { settleAttempt, type Settled } from './settle';

export interface ClaimedRunner {
  engine: Engine;
  config: Config;
  workerId: string;
  keeper: LeaseKeeper;
  /** Aborts every running job, e.g. when a shutdown's grace period ran out. */
  stop?: AbortSignal;
}

/**
 * Runs a job this worker has claimed, under its lease, and settles the
 * outcome. A job whose name no class answers to fails without retry, since no
 * retry in this process could run it.
 */
export async function runClaimedJob(runner: ClaimedRunner, job: JobRow, jobClass: JobClass | undefined): Promise<{ settled: Settled; run: AttemptResult }> {
  const { engine, config, workerId, keeper } = runner;
  jobEvents.emit('job.started', { jobId: job.id, jobName: job.name, attempt: job.attempts, workerId });
  const leaseSignal = keeper.track(job.id);
  const stop = followBoth(leaseSignal, runner.stop);
  try {
    const run = jobClass
      ? await executeAttempt(jobClass, JSON.parse(job.params), {
          jobId: job.id,
          jobName: job.name,
          attempt: job.attempts,
          maxAttempts: job.maxAttempts,
          timeoutMs: job.timeoutMs,
          abortGraceMs: config.abortGraceMs,
          stop: stop.signal,
          parents: async () => (await getParents(engine, job.id)).map((p) => ({ ...p, result: p.result == null ? null : JSON.parse(p.result) })),
          onProgress: async (percent, message) => {
            await recordProgress(engine, { jobId: job.id, workerId, percent, message, now: Date.now() });
            jobEvents.emit('job.progress', { jobId: job.id, jobName: job.name, percent, message });
          },
        })
      : unknownJob(job);
    const settled = await settleWithRetries(() => settleAttempt(engine, config, job, jobClass, workerId, run), leaseSignal);
    if (job.hasDependents && settled.state !== 'retrying' && settled.state !== 'released' && settled.state !== 'lost') {
      // Its dependents can go (or fail) now; if this is lost, the workers' sweep gets there.
      const { released } = await resolveDependents(engine, { parentIds: [job.id], now: Date.now() }).catch(() => ({ released: [] }));
      if (released.length && engine.kind === 'file') ringDoorbell(engine.location, 'ready');
    }
    return { settled, run };
  } finally {
    stop.detach();
    keeper.untrack(job.id);
  }
}

/**
 * A signal that aborts with whichever of the two aborts first. Not
 * AbortSignal.any: on Node 20 every signal it makes stays referenced by a
 * long-lived source (the worker's shutdown signal), so memory grows per job.
 */
function followBoth(lease: AbortSignal, shutdown: AbortSignal | undefined): { signal: AbortSignal; detach(): void } {
  if (!shutdown) return { signal: lease, detach: () => {} };
  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdown.reason);
  const onLease = () => controller.abort(lease.reason);
  if (shutdown.aborted) onShutdown();
  shutdown.addEventListener('abort', onShutdown, { once: true });
  lease.addEventListener('abort', onLease, { once: true });
  return {
    signal: controller.signal,
    detach() {
      shutdown.removeEventListener('abort', onShutdown);
      lease.removeEventListener('abort', onLease);
    },
  };
}

/**
 * A settle that failed on a busy or unreachable database is tried again while
 * the lease holds; if it never lands, the lease expires and the reaper gives
 * the job another attempt, so nothing is lost.
 */
async function settleWithRetries(settle: () => Promise<Settled>, leaseSignal: AbortSignal): Promise<Settled> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await settle();
    } catch (error) {
      if (attempt >= 5 || leaseSignal.aborted) throw error;
      if (!isJobsError(error) || error.code !== 'database_busy') await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

function unknownJob(job: JobRow): AttemptResult {
  const message = `No job named "${job.name}" is registered in this worker (src/jobs/index.ts)`;
  return {
    outcome: { kind: 'failed', error: { name: 'UnknownJobError', message }, retryable: false },
    logs: [],
    startedAt: Date.now(),
    durationMs: 0,
  };
}
