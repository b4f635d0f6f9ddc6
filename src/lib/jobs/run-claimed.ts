import type { Config } from '../../config/env';
import { envelopeKey } from '../../core/encryption';
import { describeError, isJobsError } from '../../core/errors';
import type { Engine } from '../../db/engine';
import type { ClaimedJob } from '../../store/rows';
import { recordProgress } from '../../store/progress';
import { getParents, resolveDependents } from '../../store/dependencies';
import type { AttemptOwner } from '../../store/finish';
import { ringDoorbell } from '../../db/doorbell';
import { openParams } from './encrypted-params';
import { jobEvents } from './events';
import { executeAttempt, type AttemptResult } from './execute';
import type { JobClass } from './job';
import type { LeaseKeeper } from './lease-keeper';
import { ProgressRecorder } from './progress-recorder';
import { settleAttempt, type Settled } from './settle';
import type { Clock } from './shared-clock';

export interface ClaimedRunner {
  engine: Engine;
  config: Config;
  workerId: string;
  keeper: LeaseKeeper;
  clock: Clock;
  /** Aborts every running job, e.g. when a shutdown's grace period ran out. */
  stop?: AbortSignal;
  /** Where a problem that does not fail the job is reported (a progress write that could not land). */
  warn?: (what: string, error: unknown) => void;
}

/**
 * Runs one attempt this worker has claimed, under its lease, and settles the
 * outcome. Everything the attempt writes is fenced to it (job, worker and
 * attempt number). Never throws for the job's sake: params that cannot be read
 * fail the attempt like any error. If the settle itself cannot be written
 * (the database busy past its retries, a full disk), it throws after the
 * attempt stops being tracked, so its lease is no longer renewed and a reaper
 * gives the job another attempt.
 */
export async function runClaimedJob(
  runner: ClaimedRunner, job: ClaimedJob, jobClass: JobClass | undefined, claimedAt: number,
  /**
   * Called once, when the job's own code has stopped (its progress stored),
   * before its outcome is settled: the worker's slot is free then, so its
   * next claim can share the settle's commit. Called at the latest when this returns or throws.
   */
  onPerformed: () => void = () => {},
): Promise<{ settled: Settled; run: AttemptResult }> {
  const { engine, config, workerId, keeper } = runner;
  const owner: AttemptOwner = { jobId: job.id, workerId, attempt: job.attempts, concurrencyKey: job.concurrencyKey };
  jobEvents.emit('job.started', { jobId: job.id, jobName: job.name, attempt: job.attempts, workerId });
  const leaseSignal = keeper.track({ jobId: job.id, attempt: job.attempts }, claimedAt);
  const stop = followBoth(leaseSignal, runner.stop);
  const progress = new ProgressRecorder(
    (reports) => recordProgress(engine, owner, reports),
    (error) => runner.warn?.(`storing progress of job ${job.id} failed; it is kept and written later`, error),
  );
  let performed = false;
  const slotFreed = () => {
    if (performed) return;
    performed = true;
    onPerformed();
  };
  try {
    const run = await runAttempt(runner, job, jobClass, stop.signal, progress);
    await progress.close();
    slotFreed();
    const settled = await settleWithRetries(() => settleAttempt(engine, config, job, jobClass, owner, run, runner.clock), leaseSignal);
    if (job.hasDependents && (settled.state === 'completed' || settled.state === 'failed' || settled.state === 'cancelled')) {
      // Its dependents can go (or fail) now; if this is lost, the workers' sweep gets there.
      const { released } = await resolveDependents(engine, { parentIds: [job.id], now: runner.clock.now() }).catch(() => ({ released: [] }));
      if (released.length && engine.kind === 'file') ringDoorbell(engine.location, 'ready');
    }
    return { settled, run };
  } finally {
    stop.detach();
    keeper.untrack(owner);
    slotFreed();
  }
}

/**
 * The attempt itself, as an outcome; a job that cannot even start (no class,
 * unreadable params) is one too. Encrypted params are decrypted here, for
 * this attempt only: a key id this process lacks, or a value that does not
 * authenticate, fails the job without retries, since no retry can mend it.
 */
async function runAttempt(
  runner: ClaimedRunner, job: ClaimedJob, jobClass: JobClass | undefined, signal: AbortSignal, progress: ProgressRecorder,
): Promise<AttemptResult> {
  if (!jobClass) {
    // A worker claims only names it has, so this is a registry that changed under it: give the job back.
    return setupOutcome({ kind: 'interrupted', error: { name: 'UnknownJobError', message: `No job named "${job.name}" is registered in worker ${runner.workerId}` } });
  }
  let params: unknown;
  try {
    params = JSON.parse(job.params);
  } catch (error) {
    return setupOutcome({ kind: 'failed', error: { ...describeError(error), message: `Its stored params are not JSON: ${describeError(error).message}` }, retryable: false });
  }
  if (jobClass.encrypt?.length && job.params.includes(`"${envelopeKey}"`)) {
    try {
      params = openParams(jobClass, job.name, params, runner.config.encryptionKeys);
    } catch (error) {
      return setupOutcome({ kind: 'failed', error: describeError(error), retryable: false });
    }
  }
  return executeAttempt(jobClass, params, {
    jobId: job.id,
    jobName: job.name,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    timeoutMs: job.timeoutMs,
    abortGraceMs: runner.config.abortGraceMs,
    stop: signal,
    parents: async () => (await getParents(runner.engine, job.id)).map((p) => ({ ...p, result: p.result == null ? null : JSON.parse(p.result) })),
    onProgress: (percent, message) => {
      jobEvents.emit('job.progress', { jobId: job.id, jobName: job.name, percent, message });
      return progress.report({ percent, message, at: runner.clock.now() });
    },
  });
}

function setupOutcome(outcome: AttemptResult['outcome']): AttemptResult {
  return { outcome, logs: [], startedAt: Date.now(), durationMs: 0 };
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
 * the lease holds; if it never lands, the caller stops tracking the attempt,
 * its lease runs out and a reaper gives the job another attempt, so nothing is lost.
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
