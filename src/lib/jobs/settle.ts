import type { Config } from '../../config/env';
import { retryDelayMs } from '../../core/backoff';
import type { ErrorInfo } from '../../core/outcome';
import type { Engine } from '../../db/engine';
import type { JobRow } from '../../db/schema';
import { completeJob, endJob, retryJob, type AttemptOwner } from '../../store/finish';
import { jobEvents } from './events';
import type { AttemptResult } from './execute';
import type { JobClass } from './job';
import { resolveBackoff } from './job-spec';

export type SettledState = 'completed' | 'retrying' | 'failed' | 'cancelled' | 'released' | 'lost';

export interface Settled {
  state: SettledState;
  nextRunAt?: number;
}

/**
 * The one place an attempt's outcome becomes a store transition and an event.
 * completed -> completed; failed or timed out -> pending again after backoff
 * while attempts remain and the error is retryable, else failed; cancelled ->
 * cancelled; interrupted by shutdown -> pending at once; a lost lease writes
 * nothing, because the job belongs to someone else now.
 */
export async function settleAttempt(
  engine: Engine,
  config: Config,
  job: JobRow,
  jobClass: JobClass | undefined,
  workerId: string,
  run: AttemptResult,
): Promise<Settled> {
  const owner: AttemptOwner = { jobId: job.id, workerId, concurrencyKey: job.concurrencyKey };
  const now = Date.now();
  const base = { jobId: job.id, jobName: job.name, attempt: job.attempts };
  const { outcome, logs } = run;
  const lost = (): Settled => {
    jobEvents.emit('job.lease_lost', { jobId: job.id, jobName: job.name, workerId });
    return { state: 'lost' };
  };

  switch (outcome.kind) {
    case 'completed': {
      const result = outcome.result === undefined ? null : JSON.stringify(outcome.result);
      if (!(await completeJob(engine, owner, { result, now, logs, scheduleName: job.scheduleName }))) return lost();
      jobEvents.emit('job.completed', { ...base, durationMs: run.durationMs });
      return { state: 'completed' };
    }
    case 'failed':
    case 'timed_out': {
      const retryable = outcome.kind === 'timed_out' || outcome.retryable;
      if (retryable && job.attempts < job.maxAttempts) {
        const nextRunAt = now + retryDelayMs(resolveBackoff(job.backoff, jobClass, config), job.attempts);
        if (!(await retryJob(engine, owner, { outcome: outcome.kind, error: outcome.error, runAt: nextRunAt, now, logs }))) return lost();
        jobEvents.emit('job.retrying', { ...base, error: outcome.error.message, nextRunAt });
        return { state: 'retrying', nextRunAt };
      }
      return fail(outcome.kind, outcome.error);
    }
    case 'cancelled': {
      if (!(await endJob(engine, owner, { state: 'cancelled', outcome: 'cancelled', error: outcome.error, now, logs }))) return lost();
      jobEvents.emit('job.cancelled', base);
      return { state: 'cancelled' };
    }
    case 'interrupted': {
      if (!(await retryJob(engine, owner, { outcome: 'interrupted', error: outcome.error, runAt: now, now, logs }))) return lost();
      return { state: 'released' };
    }
    case 'lease_lost':
      return lost();
  }

  async function fail(kind: 'failed' | 'timed_out', error: ErrorInfo): Promise<Settled> {
    if (!(await endJob(engine, owner, { state: 'failed', outcome: kind, error, now, logs, scheduleName: job.scheduleName }))) return lost();
    jobEvents.emit('job.failed', { ...base, error: error.message, timedOut: kind === 'timed_out' });
    return { state: 'failed' };
  }
}
